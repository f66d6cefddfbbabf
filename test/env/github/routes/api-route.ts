import type { ApiRepresentations } from '../api-representations.js';
import type { MatchedOperation } from '../github-contract.js';
import { GitHubApiError } from '../github-api-error.js';
import type { FakeCheckRun, FakeRepo, FakeToken, FakeUser, GitHubState } from '../github-state.js';

/**
 * Who is calling: the app itself (a verified JWT), an installation (a live access token), or a
 * person through the app (a user access token from the OAuth web flow).
 */
export type Caller = { kind: 'app' } | { kind: 'installation'; token: FakeToken } | { kind: 'user'; user: FakeUser };

/** What a route handler gets: the matched, already schema-checked request, and the fake's state. */
export interface RouteContext {
  op: MatchedOperation;
  /** The request's full URL on the fake (pagination links are built from it). */
  requestUrl: string;
  query: Record<string, string | string[]>;
  body: Record<string, unknown>;
  caller: Caller;
  state: GitHubState;
  repr: ApiRepresentations;
  /** The app's bot user, author of what an installation token creates. */
  bot: FakeUser;
  /** Called when someone re-requests a check run through the API (GitHub then sends a webhook). */
  onCheckRunRerequested(run: FakeCheckRun, repo: FakeRepo): void;
}

export interface RouteResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type RouteHandler = (ctx: RouteContext) => RouteResult | Promise<RouteResult>;

/** Handlers by GitHub operation id, e.g. `checks/create`. */
export type RouteTable = Record<string, RouteHandler>;

/** The repository the path names, if the caller's token covers it (GitHub answers 404 otherwise). */
export function repoOf(ctx: RouteContext): FakeRepo {
  const repo = ctx.state.repo(param(ctx, 'owner'), param(ctx, 'repo'));
  if (ctx.caller.kind === 'installation' && !ctx.state.tokenCovers(ctx.caller.token, repo)) throw GitHubApiError.notFound();
  // A person sees a private repository only as its owner or a collaborator (and only where the app is installed).
  if (ctx.caller.kind === 'user') {
    const login = ctx.caller.user.login.toLowerCase();
    const sees = !repo.private || repo.owner.id === ctx.caller.user.id || (repo.collaborators.get(login) ?? 'none') !== 'none';
    if (!sees || repo.installationId === undefined) throw GitHubApiError.notFound();
  }
  return repo;
}

export function param(ctx: RouteContext, name: string): string {
  const value = ctx.op.params[name];
  if (value === undefined) throw new Error(`operation ${ctx.op.operationId} has no path parameter ${name}`);
  return value;
}

export function intParam(ctx: RouteContext, name: string): number {
  return Number.parseInt(param(ctx, name), 10);
}

export function queryString(ctx: RouteContext, name: string): string | undefined {
  const value = ctx.query[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * One page of `items` the way GitHub pages lists: `per_page` (default 30, at most 100) and `page`
 * (from 1), with a Link header naming the next, last, first and prev pages, which Octokit's paginate
 * follows.
 */
export function paginate<T>(ctx: RouteContext, items: readonly T[]): { page: T[]; headers: Record<string, string> } {
  const perPage = Math.min(Math.max(Number(queryString(ctx, 'per_page') ?? 30) || 30, 1), 100);
  const page = Math.max(Number(queryString(ctx, 'page') ?? 1) || 1, 1);
  const last = Math.max(Math.ceil(items.length / perPage), 1);
  const link = (n: number, rel: string): string => {
    const target = new URL(ctx.requestUrl);
    target.searchParams.set('per_page', String(perPage));
    target.searchParams.set('page', String(n));
    return `<${target.toString()}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page > 1) links.push(link(page - 1, 'prev'), link(1, 'first'));
  if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
  return {
    page: items.slice((page - 1) * perPage, page * perPage),
    headers: links.length ? { link: links.join(', ') } : {},
  };
}
