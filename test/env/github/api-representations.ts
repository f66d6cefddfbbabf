import type { GitHubContract } from './github-contract.js';
import type {
  FakeAnnotation,
  FakeCheckRun,
  FakeComment,
  FakeCommitComment,
  FakeInstallation,
  FakePullRequest,
  FakeReaction,
  FakeRepo,
  FakeStatus,
  FakeToken,
  FakeUser,
  GitHubState,
} from './github-state.js';
import type { ChangedFile, PathContent, TreeEntry } from './repo-git.js';

type Json = Record<string, unknown>;

/** The fake's GitHub App as the API shows it. */
export interface AppIdentity {
  id: number;
  slug: string;
  name: string;
  owner: FakeUser;
}

/**
 * Renders the fake's state as GitHub's JSON. Objects with many fields (repositories, pull requests,
 * check runs) start from the example responses in GitHub's own description, so every field GitHub
 * documents is there with a plausible value, and are then patched with the state; URLs point at the
 * fake. Responses are validated against the description's schemas by the server.
 */
export class ApiRepresentations {
  constructor(
    private readonly contract: GitHubContract,
    private readonly state: GitHubState,
    readonly baseUrl: string,
    private readonly app: AppIdentity,
  ) {}

  user(user: FakeUser): Json {
    // GitHub escapes the brackets of bot logins in URLs (users/app%5Bbot%5D): they are not valid in a URI.
    const login = encodeURIComponent(user.login);
    const api = `${this.baseUrl}/users/${login}`;
    return {
      login: user.login,
      id: user.id,
      node_id: nodeId(user.type === 'Bot' ? 'BOT' : 'U', user.id),
      avatar_url: `${this.baseUrl}/avatars/u/${user.id}`,
      gravatar_id: '',
      url: api,
      html_url: `${this.baseUrl}/${login}`,
      followers_url: `${api}/followers`,
      following_url: `${api}/following{/other_user}`,
      gists_url: `${api}/gists{/gist_id}`,
      starred_url: `${api}/starred{/owner}{/repo}`,
      subscriptions_url: `${api}/subscriptions`,
      organizations_url: `${api}/orgs`,
      repos_url: `${api}/repos`,
      events_url: `${api}/events{/privacy}`,
      received_events_url: `${api}/received_events`,
      type: user.type,
      site_admin: false,
    };
  }

  /** `full-repository` (repos/get) or `repository` (inside pull requests, tokens). */
  repo(repo: FakeRepo, kind: 'full' | 'repository' = 'repository'): Json {
    const base = kind === 'full' ? (this.contract.example('repos/get') as Json) : (((this.contract.example('pulls/get') as Json).base as Json).repo as Json);
    const json = this.rewrite(base, 'octocat/Hello-World', repo.fullName);
    delete json.parent;
    delete json.source;
    delete json.template_repository;
    delete json.organization;
    const time = iso(repo.createdAt);
    Object.assign(json, {
      id: repo.id,
      node_id: nodeId('R', repo.id),
      name: repo.name,
      full_name: repo.fullName,
      owner: this.user(repo.owner),
      private: repo.private,
      visibility: repo.private ? 'private' : 'public',
      fork: false,
      description: null,
      homepage: null,
      mirror_url: null,
      license: null,
      language: null,
      topics: [],
      default_branch: repo.defaultBranch,
      html_url: `${this.baseUrl}/${repo.fullName}`,
      url: `${this.baseUrl}/repos/${repo.fullName}`,
      clone_url: this.cloneUrl(repo),
      git_url: this.cloneUrl(repo),
      svn_url: `${this.baseUrl}/${repo.fullName}`,
      ssh_url: `git@127.0.0.1:${repo.fullName}.git`,
      created_at: time,
      updated_at: time,
      pushed_at: time,
    });
    return json;
  }

  cloneUrl(repo: FakeRepo): string {
    return `${this.baseUrl}/${repo.fullName}.git`;
  }

  integration(): Json {
    const json = this.rewrite(this.contract.example('apps/get-authenticated') as Json, 'octoapp', this.app.slug);
    return Object.assign(json, {
      id: this.app.id,
      slug: this.app.slug,
      node_id: nodeId('A', this.app.id),
      client_id: `Iv1.${this.app.id.toString(16).padStart(16, '0')}`,
      owner: this.user(this.app.owner),
      name: this.app.name,
      html_url: `${this.baseUrl}/apps/${this.app.slug}`,
      permissions: { checks: 'write', contents: 'read', issues: 'write', pull_requests: 'write', metadata: 'read', statuses: 'write' },
      events: ['check_run', 'issue_comment', 'pull_request', 'push'],
    });
  }

  installation(installation: FakeInstallation): Json {
    const json = this.rewrite(this.contract.example('apps/get-installation') as Json);
    const time = iso(installation.createdAt);
    return Object.assign(json, {
      id: installation.id,
      // Installation listings want the account's display name too.
      account: { ...this.user(installation.account), name: installation.account.login, email: null },
      repository_selection: 'selected',
      access_tokens_url: `${this.baseUrl}/app/installations/${installation.id}/access_tokens`,
      repositories_url: `${this.baseUrl}/installation/repositories`,
      html_url: `${this.baseUrl}/settings/installations/${installation.id}`,
      app_id: this.app.id,
      app_slug: this.app.slug,
      target_id: installation.account.id,
      target_type: installation.account.type === 'Organization' ? 'Organization' : 'User',
      permissions: installation.permissions,
      events: installation.events,
      created_at: time,
      updated_at: time,
      single_file_name: null,
      has_multiple_single_files: false,
      single_file_paths: [],
      suspended_by: null,
      suspended_at: null,
    });
  }

  installationToken(token: FakeToken): Json {
    const installation = this.state.installation(token.installationId);
    const ids = token.repositoryIds ?? installation.repositoryIds;
    return {
      token: token.token,
      expires_at: iso(token.expiresAt),
      permissions: token.permissions,
      repository_selection: 'selected',
      repositories: [...ids].map((id) => this.repo(this.state.repoById(id))),
    };
  }

  pull(pull: FakePullRequest, repo: FakeRepo, files: ChangedFile[], commits: number): Json {
    const json = this.rewrite(this.contract.example('pulls/get') as Json, 'octocat/Hello-World', repo.fullName);
    const api = `${this.baseUrl}/repos/${repo.fullName}`;
    const side = (end: FakePullRequest['head']): Json => ({
      label: `${repo.owner.login}:${end.ref}`,
      ref: end.ref,
      sha: end.sha,
      user: this.user(repo.owner),
      repo: this.repo(repo),
    });
    const links = (json._links ?? {}) as Json;
    for (const [key, value] of Object.entries(links)) {
      const href = (value as { href?: string }).href;
      if (href) links[key] = { href: href.replace(/\/1347\b/, `/${pull.number}`) };
    }
    return Object.assign(json, {
      id: pull.id,
      node_id: nodeId('PR', pull.id),
      number: pull.number,
      url: `${api}/pulls/${pull.number}`,
      html_url: `${this.baseUrl}/${repo.fullName}/pull/${pull.number}`,
      diff_url: `${this.baseUrl}/${repo.fullName}/pull/${pull.number}.diff`,
      patch_url: `${this.baseUrl}/${repo.fullName}/pull/${pull.number}.patch`,
      issue_url: `${api}/issues/${pull.number}`,
      commits_url: `${api}/pulls/${pull.number}/commits`,
      review_comments_url: `${api}/pulls/${pull.number}/comments`,
      comments_url: `${api}/issues/${pull.number}/comments`,
      statuses_url: `${api}/statuses/${pull.head.sha}`,
      state: pull.state,
      locked: false,
      active_lock_reason: null,
      title: pull.title,
      body: pull.body,
      user: this.user(pull.user),
      labels: [],
      milestone: null,
      assignee: null,
      assignees: [],
      requested_reviewers: [],
      requested_teams: [],
      created_at: iso(pull.createdAt),
      updated_at: iso(pull.updatedAt),
      closed_at: null,
      merged_at: null,
      merge_commit_sha: null,
      merged_by: null,
      auto_merge: null,
      head: side(pull.head),
      base: side(pull.base),
      _links: links,
      author_association: this.association(repo, pull.user),
      draft: pull.draft,
      merged: pull.merged,
      mergeable: null,
      rebaseable: null,
      mergeable_state: 'unknown',
      comments: [...this.state.comments.values()].filter((c) => c.repoId === repo.id && c.issueNumber === pull.number).length,
      review_comments: 0,
      commits,
      additions: files.reduce((n, f) => n + f.additions, 0),
      deletions: files.reduce((n, f) => n + f.deletions, 0),
      changed_files: files.length,
    });
  }

  diffEntry(file: ChangedFile, repo: FakeRepo, head: string): Json {
    return {
      sha: file.sha,
      filename: file.filename,
      status: file.status,
      additions: file.additions,
      deletions: file.deletions,
      changes: file.additions + file.deletions,
      blob_url: `${this.baseUrl}/${repo.fullName}/blob/${head}/${file.filename}`,
      raw_url: `${this.baseUrl}/${repo.fullName}/raw/${head}/${file.filename}`,
      contents_url: `${this.baseUrl}/repos/${repo.fullName}/contents/${file.filename}?ref=${head}`,
    };
  }

  /** repos/get-content: an array for a directory, an object with base64 `content` for a file. */
  content(content: PathContent, repo: FakeRepo, ref: string): Json | Json[] {
    if (content.type === 'dir') return content.entries.map((entry) => this.contentEntry(entry, repo, ref));
    const base64 = Buffer.from(content.content).toString('base64');
    const entry = this.contentEntry(
      { name: content.path.split('/').pop() ?? '', path: content.path, type: content.type, sha: content.sha, size: content.content.length },
      repo,
      ref,
    );
    if (content.type === 'symlink') return { ...entry, target: Buffer.from(content.content).toString('utf8') };
    // GitHub wraps the base64 at 60 characters, and clients must cope with the newlines.
    return { ...entry, encoding: 'base64', content: `${base64.replace(/.{60}/g, '$&\n')}\n` };
  }

  private contentEntry(entry: TreeEntry, repo: FakeRepo, ref: string): Json {
    const self = `${this.baseUrl}/repos/${repo.fullName}/contents/${entry.path}?ref=${encodeURIComponent(ref)}`;
    const gitUrl = `${this.baseUrl}/repos/${repo.fullName}/git/${entry.type === 'dir' ? 'trees' : 'blobs'}/${entry.sha}`;
    const html = `${this.baseUrl}/${repo.fullName}/${entry.type === 'dir' ? 'tree' : 'blob'}/${ref}/${entry.path}`;
    return {
      type: entry.type,
      size: entry.size,
      name: entry.name,
      path: entry.path,
      sha: entry.sha,
      url: self,
      git_url: gitUrl,
      html_url: html,
      download_url: entry.type === 'dir' ? null : `${this.baseUrl}/${repo.fullName}/raw/${ref}/${entry.path}`,
      _links: { self, git: gitUrl, html },
    };
  }

  checkRun(run: FakeCheckRun, repo: FakeRepo): Json {
    const json = this.rewrite(this.contract.example('checks/get') as Json, 'github/hello-world', repo.fullName);
    const api = `${this.baseUrl}/repos/${repo.fullName}/check-runs/${run.id}`;
    const pulls = [...this.state.pulls.values()].filter((p) => p.repoId === repo.id && p.state === 'open' && p.head.sha === run.headSha);
    return Object.assign(json, {
      id: run.id,
      node_id: nodeId('CR', run.id),
      head_sha: run.headSha,
      external_id: run.externalId,
      url: api,
      html_url: `${this.baseUrl}/${repo.fullName}/runs/${run.id}`,
      details_url: run.detailsUrl,
      status: run.status,
      conclusion: run.conclusion,
      started_at: run.startedAt ? iso(run.startedAt) : null,
      completed_at: run.completedAt ? iso(run.completedAt) : null,
      output: {
        title: run.output.title,
        summary: run.output.summary,
        text: run.output.text,
        annotations_count: run.annotations.length,
        annotations_url: `${api}/annotations`,
      },
      name: run.name,
      check_suite: { id: run.checkSuiteId },
      app: this.integration(),
      pull_requests: pulls.map((p) => ({
        id: p.id,
        number: p.number,
        url: `${this.baseUrl}/repos/${repo.fullName}/pulls/${p.number}`,
        head: { ref: p.head.ref, sha: p.head.sha, repo: { id: repo.id, url: `${this.baseUrl}/repos/${repo.fullName}`, name: repo.name } },
        base: { ref: p.base.ref, sha: p.base.sha, repo: { id: repo.id, url: `${this.baseUrl}/repos/${repo.fullName}`, name: repo.name } },
      })),
    });
  }

  annotation(annotation: FakeAnnotation, repo: FakeRepo, run: FakeCheckRun): Json {
    return {
      path: annotation.path,
      blob_href: `${this.baseUrl}/${repo.fullName}/blob/${run.headSha}/${annotation.path}`,
      start_line: annotation.start_line,
      end_line: annotation.end_line,
      start_column: annotation.start_column ?? null,
      end_column: annotation.end_column ?? null,
      annotation_level: annotation.annotation_level,
      title: annotation.title ?? null,
      message: annotation.message,
      raw_details: annotation.raw_details ?? null,
    };
  }

  comment(comment: FakeComment, repo: FakeRepo): Json {
    const api = `${this.baseUrl}/repos/${repo.fullName}`;
    const mine = [...this.state.reactions.values()].filter((r) => r.commentId === comment.id);
    const count = (content: string): number => mine.filter((r) => r.content === content).length;
    return {
      id: comment.id,
      node_id: nodeId('IC', comment.id),
      url: `${api}/issues/comments/${comment.id}`,
      html_url: `${this.baseUrl}/${repo.fullName}/pull/${comment.issueNumber}#issuecomment-${comment.id}`,
      body: comment.body,
      user: this.user(comment.user),
      created_at: iso(comment.createdAt),
      updated_at: iso(comment.updatedAt),
      issue_url: `${api}/issues/${comment.issueNumber}`,
      author_association: this.association(repo, comment.user),
      reactions: {
        url: `${api}/issues/comments/${comment.id}/reactions`,
        total_count: mine.length,
        '+1': count('+1'),
        '-1': count('-1'),
        laugh: count('laugh'),
        confused: count('confused'),
        heart: count('heart'),
        hooray: count('hooray'),
        eyes: count('eyes'),
        rocket: count('rocket'),
      },
    };
  }

  /** `commit-comment`: a comment on a commit, or on a line of its diff. */
  commitComment(comment: FakeCommitComment, repo: FakeRepo): Json {
    return {
      html_url: `${this.baseUrl}/${repo.fullName}/commit/${comment.commitId}#commitcomment-${comment.id}`,
      url: `${this.baseUrl}/repos/${repo.fullName}/comments/${comment.id}`,
      id: comment.id,
      node_id: nodeId('CC', comment.id),
      body: comment.body,
      path: comment.path,
      position: comment.line,
      line: comment.line,
      commit_id: comment.commitId,
      user: this.user(comment.user),
      created_at: iso(comment.createdAt),
      updated_at: iso(comment.updatedAt),
      author_association: this.association(repo, comment.user),
    };
  }

  reaction(reaction: FakeReaction): Json {
    return {
      id: reaction.id,
      node_id: nodeId('REA', reaction.id),
      user: this.user(reaction.user),
      content: reaction.content,
      created_at: iso(reaction.createdAt),
    };
  }

  status(status: FakeStatus, repo: FakeRepo): Json {
    return {
      url: `${this.baseUrl}/repos/${repo.fullName}/statuses/${status.sha}`,
      avatar_url: `${this.baseUrl}/avatars/u/${status.creator.id}`,
      id: status.id,
      node_id: nodeId('SC', status.id),
      state: status.state,
      description: status.description,
      target_url: status.targetUrl,
      context: status.context,
      created_at: iso(status.createdAt),
      updated_at: iso(status.updatedAt),
      creator: this.user(status.creator),
    };
  }

  collaboratorPermission(repo: FakeRepo, user: FakeUser): Json {
    const role = repo.owner.id === user.id ? 'admin' : (repo.collaborators.get(user.login.toLowerCase()) ?? (repo.private ? 'none' : 'read'));
    // The legacy `permission` field folds maintain into write and triage into read.
    const permission = role === 'maintain' ? 'write' : role === 'triage' ? 'read' : role;
    const level = ['none', 'read', 'triage', 'write', 'maintain', 'admin'].indexOf(role);
    return {
      permission,
      role_name: role,
      user: {
        ...this.user(user),
        permissions: { pull: level >= 1, triage: level >= 2, push: level >= 3, maintain: level >= 4, admin: level >= 5 },
        role_name: role,
      },
    };
  }

  private association(repo: FakeRepo, user: FakeUser): string {
    if (repo.owner.id === user.id) return 'OWNER';
    if (repo.collaborators.has(user.login.toLowerCase())) return 'COLLABORATOR';
    return 'NONE';
  }

  /** Deep copy with the example's github.com URLs (and its sample repository's name) pointing at the fake. */
  private rewrite(value: Json, from?: string, to?: string): Json {
    const text = JSON.stringify(value)
      .replaceAll('https://api.github.com', this.baseUrl)
      .replaceAll('https://github.com', this.baseUrl)
      .replaceAll('https://raw.githubusercontent.com', this.baseUrl);
    return JSON.parse(from && to ? text.replaceAll(from, to) : text) as Json;
  }
}

/** GitHub's timestamps: ISO 8601 in UTC without milliseconds. */
export function iso(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function nodeId(prefix: string, id: number): string {
  return `${prefix}_${Buffer.from(`skiff-fake:${id}`).toString('base64url')}`;
}
