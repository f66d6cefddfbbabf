import { createRequire } from 'node:module';
import type { ApiRepresentations } from './api-representations.js';
import { iso } from './api-representations.js';
import type { FakeCheckRun, FakeComment, FakeCommitComment, FakePullRequest, FakeRepo, FakeUser, GitHubState } from './github-state.js';
import type { ChangedFile } from './repo-git.js';

type Json = Record<string, unknown>;

interface WebhookDefinition {
  name: string;
  examples: Json[];
}

let definitions: WebhookDefinition[] | undefined;

/**
 * A deep copy of a community example payload from `@octokit/webhooks-examples` for `event`/`action`
 * (the first one, or the first `pick` accepts).
 */
export function webhookExample(event: string, action?: string, pick: (example: Json) => boolean = () => true): Json {
  definitions ??= createRequire(import.meta.url)('@octokit/webhooks-examples') as WebhookDefinition[];
  const definition = definitions.find((d) => d.name === event);
  const example = definition?.examples.find((e) => (action === undefined || e.action === action) && pick(e));
  if (!example) throw new Error(`@octokit/webhooks-examples has no ${event}${action ? `.${action}` : ''} example`);
  return structuredClone(example);
}

/**
 * Builds webhook payloads the way GitHub would send them about the fake's state: each starts from an
 * example payload and has its repository, installation, sender and subject replaced by the fake's, so
 * ids, shas and numbers are ones the fake API answers to.
 */
export class WebhookPayloads {
  constructor(
    private readonly state: GitHubState,
    private readonly repr: ApiRepresentations,
  ) {}

  pullRequest(action: string, repo: FakeRepo, pull: FakePullRequest, files: ChangedFile[], commits: number, sender: FakeUser = pull.user): Json {
    const payload = webhookExample('pull_request', action);
    return Object.assign(payload, this.common(repo, sender), {
      action,
      number: pull.number,
      pull_request: { ...(payload.pull_request as Json), ...this.repr.pull(pull, repo, files, commits) },
    });
  }

  issueComment(action: 'created' | 'edited' | 'deleted', repo: FakeRepo, comment: FakeComment): Json {
    const payload = webhookExample('issue_comment', action);
    const pull = this.state.pull(repo, comment.issueNumber);
    const issue = payload.issue as Json;
    const web = this.repr.repo(repo).html_url as string;
    const api = this.repr.repo(repo).url as string;
    Object.assign(issue, {
      id: pull.id,
      number: pull.number,
      title: pull.title,
      body: pull.body,
      state: pull.state,
      user: this.repr.user(pull.user),
      url: `${api}/issues/${pull.number}`,
      html_url: `${web}/pull/${pull.number}`,
      comments_url: `${api}/issues/${pull.number}/comments`,
      repository_url: api,
      created_at: iso(pull.createdAt),
      updated_at: iso(pull.updatedAt),
      // Present only on pull requests: how handlers tell a PR comment from an issue comment.
      pull_request: {
        url: `${api}/pulls/${pull.number}`,
        html_url: `${web}/pull/${pull.number}`,
        diff_url: `${web}/pull/${pull.number}.diff`,
        patch_url: `${web}/pull/${pull.number}.patch`,
        merged_at: null,
      },
    });
    return Object.assign(payload, this.common(repo, comment.user), {
      action,
      comment: { ...(payload.comment as Json), ...this.repr.comment(comment, repo) },
    });
  }

  /** `commit_comment` (GitHub sends only `created`): a comment on a commit, by its author. */
  commitComment(repo: FakeRepo, comment: FakeCommitComment): Json {
    const payload = webhookExample('commit_comment', 'created');
    delete payload.organization;
    return Object.assign(payload, this.common(repo, comment.user), {
      action: 'created',
      comment: { ...(payload.comment as Json), ...this.repr.commitComment(comment, repo), reactions: reactionsOf(this.state, repo, comment.id, this.repr) },
    });
  }

  checkRun(
    action: 'created' | 'completed' | 'rerequested' | 'requested_action',
    repo: FakeRepo,
    run: FakeCheckRun,
    sender: FakeUser,
    identifier?: string,
  ): Json {
    const payload = webhookExample('check_run', action);
    const json = this.repr.checkRun(run, repo);
    const suite = (payload.check_run as Json).check_suite as Json;
    const pull = [...this.state.pulls.values()].find((p) => p.repoId === repo.id && p.head.sha === run.headSha);
    Object.assign(suite, {
      id: run.checkSuiteId,
      head_branch: pull?.head.ref ?? null,
      head_sha: run.headSha,
      status: run.status,
      conclusion: run.conclusion,
      url: `${json.url as string}`.replace(/check-runs\/\d+$/, `check-suites/${run.checkSuiteId}`),
      before: pull?.base.sha ?? null,
      after: run.headSha,
      pull_requests: json.pull_requests,
      app: json.app,
    });
    delete payload.organization;
    Object.assign(payload, this.common(repo, sender), {
      action,
      check_run: { ...(payload.check_run as Json), ...json, check_suite: suite },
    });
    if (action === 'requested_action') payload.requested_action = { identifier };
    else delete payload.requested_action;
    return payload;
  }

  push(
    repo: FakeRepo,
    ref: string,
    before: string,
    after: string,
    commits: Array<{ id: string; message: string; added?: string[]; removed?: string[]; modified?: string[] }>,
    pusher: FakeUser,
  ): Json {
    const payload = webhookExample('push');
    const repository = this.repr.repo(repo);
    // Push payloads name the owner twice and give times as Unix seconds.
    (repository.owner as Json).name = repo.owner.login;
    repository.created_at = Math.floor(repo.createdAt.getTime() / 1000);
    repository.pushed_at = Math.floor(this.state.now().getTime() / 1000);
    const toCommit = (c: { id: string; message: string; added?: string[]; removed?: string[]; modified?: string[] }): Json => ({
      id: c.id,
      tree_id: c.id,
      distinct: true,
      message: c.message,
      timestamp: iso(this.state.now()),
      url: `${repository.html_url as string}/commit/${c.id}`,
      author: { name: pusher.login, email: `${pusher.login}@users.noreply.invalid`, username: pusher.login },
      committer: { name: pusher.login, email: `${pusher.login}@users.noreply.invalid`, username: pusher.login },
      added: c.added ?? [],
      removed: c.removed ?? [],
      modified: c.modified ?? [],
    });
    delete payload.organization;
    return Object.assign(payload, this.common(repo, pusher), {
      ref,
      before,
      after,
      created: /^0+$/.test(before),
      deleted: /^0+$/.test(after),
      forced: false,
      base_ref: null,
      compare: `${repository.html_url as string}/compare/${before.slice(0, 12)}...${after.slice(0, 12)}`,
      commits: commits.map(toCommit),
      head_commit: commits.length ? toCommit(commits[commits.length - 1]!) : null,
      repository,
      pusher: { name: pusher.login, email: `${pusher.login}@users.noreply.invalid` },
    });
  }

  private common(repo: FakeRepo, sender: FakeUser): Json {
    return {
      repository: this.repr.repo(repo),
      sender: this.repr.user(sender),
      ...(repo.installationId !== undefined
        ? { installation: { id: repo.installationId, node_id: `MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u${repo.installationId}` } }
        : {}),
    };
  }
}

/** The reaction rollup webhook comments carry. */
function reactionsOf(state: GitHubState, repo: FakeRepo, commentId: number, repr: ApiRepresentations): Json {
  const mine = [...state.reactions.values()].filter((r) => r.commentId === commentId);
  const count = (content: string): number => mine.filter((r) => r.content === content).length;
  return {
    url: `${repr.baseUrl}/repos/${repo.fullName}/comments/${commentId}/reactions`,
    total_count: mine.length,
    '+1': count('+1'),
    '-1': count('-1'),
    laugh: count('laugh'),
    confused: count('confused'),
    heart: count('heart'),
    hooray: count('hooray'),
    eyes: count('eyes'),
    rocket: count('rocket'),
  };
}
