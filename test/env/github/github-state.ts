import { randomBytes } from 'node:crypto';
import { GitHubApiError } from './github-api-error.js';

export interface FakeUser {
  id: number;
  login: string;
  type: 'User' | 'Bot' | 'Organization';
}

export type RepoPermission = 'admin' | 'maintain' | 'write' | 'triage' | 'read';

export interface FakeInstallation {
  id: number;
  account: FakeUser;
  /** Repository ids the installation covers (GitHub's "selected" repositories). */
  repositoryIds: Set<number>;
  permissions: Record<string, string>;
  events: string[];
  createdAt: Date;
}

export interface FakeRepo {
  id: number;
  owner: FakeUser;
  name: string;
  fullName: string;
  private: boolean;
  defaultBranch: string;
  /** The bare repository the git server serves and contents/pulls read. */
  gitdir: string;
  installationId: number | undefined;
  /** Collaborators and their role; GitHub's collaborator permission endpoint reads this. */
  collaborators: Map<string, RepoPermission>;
  createdAt: Date;
}

export interface FakePullRequest {
  id: number;
  repoId: number;
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  draft: boolean;
  merged: boolean;
  user: FakeUser;
  head: { ref: string; sha: string };
  base: { ref: string; sha: string };
  createdAt: Date;
  updatedAt: Date;
}

export interface FakeAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: 'notice' | 'warning' | 'failure';
  message: string;
  title?: string;
  raw_details?: string;
}

export interface FakeCheckRunAction {
  label: string;
  description: string;
  identifier: string;
}

export interface FakeCheckRun {
  id: number;
  repoId: number;
  checkSuiteId: number;
  name: string;
  headSha: string;
  status: 'queued' | 'in_progress' | 'completed' | 'waiting' | 'requested' | 'pending';
  conclusion: string | null;
  detailsUrl: string | null;
  externalId: string | null;
  startedAt: Date | null;
  completedAt: Date | null;
  output: { title: string | null; summary: string | null; text: string | null };
  /** Every annotation sent, in order: updates append, as on GitHub. */
  annotations: FakeAnnotation[];
  actions: FakeCheckRunAction[];
  /** How often someone asked to re-run it (checks/rerequest-run or the UI button). */
  rerequests: number;
}

export interface FakeComment {
  id: number;
  repoId: number;
  issueNumber: number;
  user: FakeUser;
  body: string;
  createdAt: Date;
  updatedAt: Date;
}

/** A comment on a commit (its page, or a line of its diff: `path` and `line`). */
export interface FakeCommitComment {
  id: number;
  repoId: number;
  commitId: string;
  user: FakeUser;
  body: string;
  path: string | null;
  line: number | null;
  createdAt: Date;
  updatedAt: Date;
}

/** An organization's team and its members' membership state (an invitation not yet accepted is `pending`). */
export interface FakeTeam {
  id: number;
  org: string;
  slug: string;
  members: Map<string, { role: 'member' | 'maintainer'; state: 'active' | 'pending' }>;
}

export type ReactionContent = '+1' | '-1' | 'laugh' | 'confused' | 'heart' | 'hooray' | 'rocket' | 'eyes';

export interface FakeReaction {
  id: number;
  repoId: number;
  /** Set for a reaction to a comment, else the reaction is to the issue/pull request itself. */
  commentId: number | undefined;
  issueNumber: number | undefined;
  user: FakeUser;
  content: ReactionContent;
  createdAt: Date;
}

export interface FakeStatus {
  id: number;
  repoId: number;
  sha: string;
  state: 'error' | 'failure' | 'pending' | 'success';
  targetUrl: string | null;
  description: string | null;
  context: string;
  creator: FakeUser;
  createdAt: Date;
  updatedAt: Date;
}

export interface FakeToken {
  token: string;
  installationId: number;
  expiresAt: Date;
  /** Restricted to these repositories when the token request named some. */
  repositoryIds: Set<number> | undefined;
  permissions: Record<string, string>;
}

/**
 * Everything the fake GitHub remembers. Plain data and small mutations; rendering to GitHub's JSON is
 * elsewhere (api-representations.ts), HTTP routing too. Ids come from one counter, so an id never
 * names two things and tests can't confuse a comment id with a check-run id by luck.
 */
export class GitHubState {
  readonly users = new Map<string, FakeUser>();
  readonly installations = new Map<number, FakeInstallation>();
  readonly repos = new Map<string, FakeRepo>();
  readonly pulls = new Map<string, FakePullRequest>();
  readonly checkRuns = new Map<number, FakeCheckRun>();
  readonly comments = new Map<number, FakeComment>();
  readonly commitComments = new Map<number, FakeCommitComment>();
  /** Teams by `org/slug`, lowercased. */
  readonly teams = new Map<string, FakeTeam>();
  readonly reactions = new Map<number, FakeReaction>();
  readonly statuses: FakeStatus[] = [];
  readonly tokens = new Map<string, FakeToken>();
  /** User access tokens given by the OAuth web flow. */
  readonly userTokens = new Map<string, { user: FakeUser; expiresAt: Date }>();
  /** Issue/PR numbers share one sequence per repository, as on GitHub. */
  private readonly issueNumbers = new Map<number, number>();
  private lastId = 1000;

  constructor(readonly now: () => Date = () => new Date()) {}

  nextId(): number {
    return ++this.lastId;
  }

  /** The user named `login`, created on first mention. Logins ending in `[bot]` are bots. */
  user(login: string, type?: FakeUser['type']): FakeUser {
    let user = this.users.get(login.toLowerCase());
    if (!user) {
      user = { id: this.nextId(), login, type: type ?? (login.endsWith('[bot]') ? 'Bot' : 'User') };
      this.users.set(login.toLowerCase(), user);
    }
    return user;
  }

  /** The repository `owner/name` (case-insensitive, as on GitHub); 404 if unknown. */
  repo(owner: string, name: string): FakeRepo {
    const repo = this.repos.get(`${owner}/${name}`.toLowerCase());
    if (!repo) throw GitHubApiError.notFound();
    return repo;
  }

  repoById(id: number): FakeRepo {
    for (const repo of this.repos.values()) if (repo.id === id) return repo;
    throw GitHubApiError.notFound();
  }

  addRepo(repo: Omit<FakeRepo, 'id' | 'createdAt' | 'collaborators'>): FakeRepo {
    const key = repo.fullName.toLowerCase();
    if (this.repos.has(key)) throw new Error(`repository ${repo.fullName} exists already`);
    const created: FakeRepo = { ...repo, id: this.nextId(), createdAt: this.now(), collaborators: new Map() };
    this.repos.set(key, created);
    if (repo.installationId !== undefined) this.installation(repo.installationId).repositoryIds.add(created.id);
    return created;
  }

  installation(id: number): FakeInstallation {
    const installation = this.installations.get(id);
    if (!installation) throw GitHubApiError.notFound();
    return installation;
  }

  addInstallation(account: FakeUser, permissions: Record<string, string>, events: string[]): FakeInstallation {
    const installation: FakeInstallation = {
      id: this.nextId(),
      account,
      repositoryIds: new Set(),
      permissions,
      events,
      createdAt: this.now(),
    };
    this.installations.set(installation.id, installation);
    return installation;
  }

  nextIssueNumber(repo: FakeRepo): number {
    const next = (this.issueNumbers.get(repo.id) ?? 0) + 1;
    this.issueNumbers.set(repo.id, next);
    return next;
  }

  pull(repo: FakeRepo, number: number): FakePullRequest {
    const pull = this.pulls.get(`${repo.id}#${number}`);
    if (!pull) throw GitHubApiError.notFound();
    return pull;
  }

  addPull(pull: FakePullRequest): FakePullRequest {
    this.pulls.set(`${pull.repoId}#${pull.number}`, pull);
    return pull;
  }

  /** The issue or pull request `number` exists (the fake has pull requests only). */
  requireIssue(repo: FakeRepo, number: number): void {
    this.pull(repo, number);
  }

  checkRun(repo: FakeRepo, id: number): FakeCheckRun {
    const run = this.checkRuns.get(id);
    if (!run || run.repoId !== repo.id) throw GitHubApiError.notFound();
    return run;
  }

  comment(repo: FakeRepo, id: number): FakeComment {
    const comment = this.comments.get(id);
    if (!comment || comment.repoId !== repo.id) throw GitHubApiError.notFound();
    return comment;
  }

  addComment(repo: FakeRepo, issueNumber: number, user: FakeUser, body: string): FakeComment {
    this.requireIssue(repo, issueNumber);
    const now = this.now();
    const comment: FakeComment = { id: this.nextId(), repoId: repo.id, issueNumber, user, body, createdAt: now, updatedAt: now };
    this.comments.set(comment.id, comment);
    return comment;
  }

  commitComment(repo: FakeRepo, id: number): FakeCommitComment {
    const comment = this.commitComments.get(id);
    if (!comment || comment.repoId !== repo.id) throw GitHubApiError.notFound();
    return comment;
  }

  addCommitComment(repo: FakeRepo, commitId: string, user: FakeUser, body: string, where: { path?: string; line?: number } = {}): FakeCommitComment {
    const now = this.now();
    const comment: FakeCommitComment = {
      id: this.nextId(),
      repoId: repo.id,
      commitId,
      user,
      body,
      path: where.path ?? null,
      line: where.line ?? null,
      createdAt: now,
      updatedAt: now,
    };
    this.commitComments.set(comment.id, comment);
    return comment;
  }

  /** The team `org/slug`, created on first mention. */
  team(org: string, slug: string): FakeTeam {
    const key = `${org}/${slug}`.toLowerCase();
    let team = this.teams.get(key);
    if (!team) {
      team = { id: this.nextId(), org, slug, members: new Map() };
      this.teams.set(key, team);
    }
    return team;
  }

  /** Adds `user`'s reaction unless they reacted so already; says whether it is new (GitHub: 201 vs 200). */
  react(
    target: Pick<FakeReaction, 'repoId' | 'commentId' | 'issueNumber'>,
    user: FakeUser,
    content: ReactionContent,
  ): { reaction: FakeReaction; created: boolean } {
    for (const existing of this.reactions.values()) {
      if (
        existing.repoId === target.repoId &&
        existing.commentId === target.commentId &&
        existing.issueNumber === target.issueNumber &&
        existing.user.id === user.id &&
        existing.content === content
      ) {
        return { reaction: existing, created: false };
      }
    }
    const reaction: FakeReaction = { ...target, id: this.nextId(), user, content, createdAt: this.now() };
    this.reactions.set(reaction.id, reaction);
    return { reaction, created: true };
  }

  /** A new installation access token, valid for an hour like GitHub's. */
  issueToken(installationId: number, repositoryIds: Set<number> | undefined, permissions: Record<string, string>): FakeToken {
    const token: FakeToken = {
      token: `ghs_${randomBytes(18).toString('base64url')}`,
      installationId,
      expiresAt: new Date(this.now().getTime() + 60 * 60 * 1000),
      repositoryIds,
      permissions,
    };
    this.tokens.set(token.token, token);
    return token;
  }

  /** A user access token (`ghu_…`, 8 h like GitHub's) for `user`, as the OAuth web flow gives one to the app. */
  issueUserToken(user: FakeUser): string {
    const token = `ghu_${randomBytes(18).toString('base64url')}`;
    this.userTokens.set(token, { user, expiresAt: new Date(this.now().getTime() + 8 * 60 * 60 * 1000) });
    return token;
  }

  /** The person of an unexpired user access token, or undefined. */
  liveUserToken(value: string): FakeUser | undefined {
    const token = this.userTokens.get(value);
    return token && token.expiresAt > this.now() ? token.user : undefined;
  }

  /** The unexpired token `value`, or undefined. */
  liveToken(value: string): FakeToken | undefined {
    const token = this.tokens.get(value);
    return token && token.expiresAt > this.now() ? token : undefined;
  }

  /** Whether `token` may see `repo`: the repository is in its installation and in its restriction, if any. */
  tokenCovers(token: FakeToken, repo: FakeRepo): boolean {
    const installation = this.installations.get(token.installationId);
    if (!installation?.repositoryIds.has(repo.id)) return false;
    return !token.repositoryIds || token.repositoryIds.has(repo.id);
  }
}
