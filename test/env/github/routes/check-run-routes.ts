import { GitHubApiError } from '../github-api-error.js';
import type { FakeAnnotation, FakeCheckRun, FakeCheckRunAction } from '../github-state.js';
import { resolveCommit } from '../repo-git.js';
import { intParam, paginate, param, queryString, repoOf, type RouteContext, type RouteTable } from './api-route.js';

/** Check runs: create, update (annotations append), get, list for a ref, annotations, re-request. */
export const checkRunRoutes: RouteTable = {
  'checks/create': async (ctx) => {
    const repo = repoOf(ctx);
    const headSha = String(ctx.body.head_sha);
    // GitHub wants the full sha of a commit it has.
    const commit = await resolveCommit(repo.gitdir, headSha);
    if (!commit || commit !== headSha.toLowerCase()) {
      throw GitHubApiError.validationFailed('CheckRun', 'head_sha', `No commit found for SHA: ${headSha}`);
    }
    const run: FakeCheckRun = {
      id: ctx.state.nextId(),
      repoId: repo.id,
      checkSuiteId: checkSuiteId(ctx, repo.id, commit),
      name: String(ctx.body.name),
      headSha: commit,
      status: 'queued',
      conclusion: null,
      detailsUrl: null,
      externalId: null,
      startedAt: ctx.state.now(),
      completedAt: null,
      output: { title: null, summary: null, text: null },
      annotations: [],
      actions: [],
      rerequests: 0,
    };
    applyChanges(ctx, run);
    ctx.state.checkRuns.set(run.id, run);
    return { status: 201, body: ctx.repr.checkRun(run, repo) };
  },

  'checks/update': (ctx) => {
    const repo = repoOf(ctx);
    const run = ctx.state.checkRun(repo, intParam(ctx, 'check_run_id'));
    applyChanges(ctx, run);
    return { status: 200, body: ctx.repr.checkRun(run, repo) };
  },

  'checks/get': (ctx) => {
    const repo = repoOf(ctx);
    return { status: 200, body: ctx.repr.checkRun(ctx.state.checkRun(repo, intParam(ctx, 'check_run_id')), repo) };
  },

  'checks/list-for-ref': async (ctx) => {
    const repo = repoOf(ctx);
    const sha = await resolveCommit(repo.gitdir, param(ctx, 'ref'));
    if (!sha) throw GitHubApiError.validationFailed('CheckRun', 'ref', `No commit found for SHA: ${param(ctx, 'ref')}`);
    const name = queryString(ctx, 'check_name');
    const status = queryString(ctx, 'status');
    let runs = [...ctx.state.checkRuns.values()].filter(
      (r) => r.repoId === repo.id && r.headSha === sha && (!name || r.name === name) && (!status || r.status === status),
    );
    // filter=latest (the default) keeps the newest run of each name.
    if ((queryString(ctx, 'filter') ?? 'latest') === 'latest') {
      const newest = new Map<string, FakeCheckRun>();
      for (const run of runs) newest.set(run.name, run);
      runs = [...newest.values()];
    }
    runs.sort((a, b) => b.id - a.id);
    const { page, headers } = paginate(ctx, runs);
    return { status: 200, body: { total_count: runs.length, check_runs: page.map((r) => ctx.repr.checkRun(r, repo)) }, headers };
  },

  'checks/list-annotations': (ctx) => {
    const repo = repoOf(ctx);
    const run = ctx.state.checkRun(repo, intParam(ctx, 'check_run_id'));
    const { page, headers } = paginate(ctx, run.annotations);
    return { status: 200, body: page.map((a) => ctx.repr.annotation(a, repo, run)), headers };
  },

  'checks/rerequest-run': (ctx) => {
    const repo = repoOf(ctx);
    const run = ctx.state.checkRun(repo, intParam(ctx, 'check_run_id'));
    run.rerequests++;
    ctx.onCheckRunRerequested(run, repo);
    return { status: 201, body: {} };
  },
};

/** One check suite per repository and head commit, as GitHub groups an app's runs. */
function checkSuiteId(ctx: RouteContext, repoId: number, sha: string): number {
  for (const run of ctx.state.checkRuns.values()) if (run.repoId === repoId && run.headSha === sha) return run.checkSuiteId;
  return ctx.state.nextId();
}

/** The fields of checks/create and checks/update, with GitHub's rules for status and conclusion. */
function applyChanges(ctx: RouteContext, run: FakeCheckRun): void {
  const body = ctx.body;
  if (typeof body.name === 'string') run.name = body.name;
  if (body.details_url !== undefined) run.detailsUrl = body.details_url as string;
  if (body.external_id !== undefined) run.externalId = body.external_id as string;
  if (typeof body.started_at === 'string') run.startedAt = new Date(body.started_at);
  if (typeof body.status === 'string') run.status = body.status as FakeCheckRun['status'];
  // A conclusion completes the run (GitHub sets status completed when one is given).
  if (typeof body.conclusion === 'string') {
    run.conclusion = body.conclusion;
    run.status = 'completed';
  }
  if (typeof body.completed_at === 'string') run.completedAt = new Date(body.completed_at);
  if (run.status === 'completed' && !run.completedAt) run.completedAt = ctx.state.now();
  if (run.status !== 'completed') {
    run.conclusion = null;
    run.completedAt = null;
  }
  const output = body.output as { title?: string; summary?: string; text?: string; annotations?: FakeAnnotation[] } | undefined;
  if (output) {
    if (output.title !== undefined) run.output.title = output.title;
    if (output.summary !== undefined) run.output.summary = output.summary;
    if (output.text !== undefined) run.output.text = output.text;
    run.annotations.push(...(output.annotations ?? []).map((a) => ({ ...a })));
  }
  if (Array.isArray(body.actions)) run.actions = (body.actions as FakeCheckRunAction[]).map((a) => ({ ...a }));
}
