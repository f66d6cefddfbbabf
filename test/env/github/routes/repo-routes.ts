import { GitHubApiError } from '../github-api-error.js';
import type { FakeStatus } from '../github-state.js';
import { changedFiles, readPath, resolveCommit } from '../repo-git.js';
import { runGit } from '../../git/run-git.js';
import { intParam, paginate, param, queryString, repoOf, type RouteTable } from './api-route.js';

/** Repositories, their files, pull requests, collaborators and commit statuses. */
export const repoRoutes: RouteTable = {
  'repos/get': (ctx) => ({ status: 200, body: ctx.repr.repo(repoOf(ctx), 'full') }),

  'repos/get-content': async (ctx) => {
    const repo = repoOf(ctx);
    const ref = queryString(ctx, 'ref') ?? repo.defaultBranch;
    const commit = await resolveCommit(repo.gitdir, ref);
    if (!commit) throw new GitHubApiError(404, `No commit found for the ref ${ref}`);
    const content = await readPath(repo.gitdir, commit, param(ctx, 'path'));
    if (!content) throw GitHubApiError.notFound();
    return { status: 200, body: ctx.repr.content(content, repo, ref) };
  },

  'pulls/get': async (ctx) => {
    const repo = repoOf(ctx);
    const pull = ctx.state.pull(repo, intParam(ctx, 'pull_number'));
    const files = await changedFiles(repo.gitdir, pull.base.sha, pull.head.sha);
    const commits = Number(await runGit(['rev-list', '--count', `${pull.base.sha}..${pull.head.sha}`], { cwd: repo.gitdir }));
    return { status: 200, body: ctx.repr.pull(pull, repo, files, commits) };
  },

  'pulls/list': (ctx) => {
    const repo = repoOf(ctx);
    const state = queryString(ctx, 'state') ?? 'open';
    const head = queryString(ctx, 'head');
    const base = queryString(ctx, 'base');
    const pulls = [...ctx.state.pulls.values()]
      .filter((p) => p.repoId === repo.id && (state === 'all' || p.state === state))
      .filter((p) => !head || head === `${repo.owner.login}:${p.head.ref}`)
      .filter((p) => !base || base === p.base.ref)
      .sort((a, b) => b.number - a.number);
    const { page, headers } = paginate(ctx, pulls);
    // pull-request-simple is pull-request without the counts and merge fields.
    const body = page.map((p) => {
      const full = ctx.repr.pull(p, repo, [], 0);
      for (const key of [
        'merged',
        'mergeable',
        'rebaseable',
        'mergeable_state',
        'merged_by',
        'comments',
        'review_comments',
        'maintainer_can_modify',
        'commits',
        'additions',
        'deletions',
        'changed_files',
      ]) {
        delete full[key];
      }
      return full;
    });
    return { status: 200, body, headers };
  },

  'pulls/list-files': async (ctx) => {
    const repo = repoOf(ctx);
    const pull = ctx.state.pull(repo, intParam(ctx, 'pull_number'));
    const files = await changedFiles(repo.gitdir, pull.base.sha, pull.head.sha);
    // GitHub lists at most 3000 files of a pull request.
    const { page, headers } = paginate(ctx, files.slice(0, 3000));
    return { status: 200, body: page.map((f) => ctx.repr.diffEntry(f, repo, pull.head.sha)), headers };
  },

  'repos/get-collaborator-permission-level': (ctx) => {
    const repo = repoOf(ctx);
    const user = ctx.state.users.get(param(ctx, 'username').toLowerCase());
    if (!user) throw GitHubApiError.notFound();
    return { status: 200, body: ctx.repr.collaboratorPermission(repo, user) };
  },

  'repos/create-commit-status': async (ctx) => {
    const repo = repoOf(ctx);
    const commit = await resolveCommit(repo.gitdir, param(ctx, 'sha'));
    if (!commit) throw GitHubApiError.validationFailed('Status', 'sha', `No commit found for SHA: ${param(ctx, 'sha')}`);
    const now = ctx.state.now();
    const status: FakeStatus = {
      id: ctx.state.nextId(),
      repoId: repo.id,
      sha: commit,
      state: ctx.body.state as FakeStatus['state'],
      targetUrl: (ctx.body.target_url as string | null | undefined) ?? null,
      description: (ctx.body.description as string | null | undefined) ?? null,
      context: (ctx.body.context as string | undefined) ?? 'default',
      creator: ctx.bot,
      createdAt: now,
      updatedAt: now,
    };
    ctx.state.statuses.push(status);
    return { status: 201, body: ctx.repr.status(status, repo) };
  },

  'repos/list-commit-statuses-for-ref': async (ctx) => {
    const repo = repoOf(ctx);
    const sha = await resolveCommit(repo.gitdir, param(ctx, 'ref'));
    const statuses = ctx.state.statuses.filter((s) => s.repoId === repo.id && s.sha === sha).reverse();
    const { page, headers } = paginate(ctx, statuses);
    return { status: 200, body: page.map((s) => ctx.repr.status(s, repo)), headers };
  },

  'repos/get-combined-status-for-ref': async (ctx) => {
    const repo = repoOf(ctx);
    const sha = await resolveCommit(repo.gitdir, param(ctx, 'ref'));
    if (!sha) throw GitHubApiError.notFound();
    // The newest status of each context counts.
    const latest = new Map<string, FakeStatus>();
    for (const s of ctx.state.statuses) if (s.repoId === repo.id && s.sha === sha) latest.set(s.context, s);
    const states = [...latest.values()].map((s) => s.state);
    const state = states.some((s) => s === 'error' || s === 'failure')
      ? 'failure'
      : states.length && states.every((s) => s === 'success')
        ? 'success'
        : 'pending';
    return {
      status: 200,
      body: {
        state,
        statuses: [...latest.values()].map((s) => ctx.repr.status(s, repo)),
        sha,
        total_count: latest.size,
        repository: { ...ctx.repr.repo(repo) },
        commit_url: `${new URL(ctx.requestUrl).origin}/repos/${repo.fullName}/commits/${sha}`,
        url: `${new URL(ctx.requestUrl).origin}/repos/${repo.fullName}/commits/${sha}/status`,
      },
    };
  },
};
