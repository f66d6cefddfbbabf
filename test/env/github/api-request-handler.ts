import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KeyObject } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import type { ApiRepresentations } from './api-representations.js';
import { verifyAppJwt } from './app-jwt.js';
import { checkDocumentedLimits } from './documented-limits.js';
import { GitHubApiError } from './github-api-error.js';
import type { GitHubContract } from './github-contract.js';
import type { FakeCheckRun, FakeRepo, FakeUser, GitHubState } from './github-state.js';
import { appRoutes, APP_JWT_OPERATIONS } from './routes/app-routes.js';
import type { Caller, RouteContext, RouteTable } from './routes/api-route.js';
import { checkRunRoutes } from './routes/check-run-routes.js';
import { commentRoutes } from './routes/comment-routes.js';
import { repoRoutes } from './routes/repo-routes.js';
import { teamRoutes } from './routes/team-routes.js';
import { USER_TOKEN_OPERATIONS, userRoutes } from './routes/user-routes.js';

const ROUTES: RouteTable = { ...appRoutes, ...repoRoutes, ...checkRunRoutes, ...commentRoutes, ...teamRoutes, ...userRoutes };

export type ViolationKind = 'unknown-endpoint' | 'invalid-request' | 'auth' | 'forbidden' | 'not-implemented' | 'response';

/** A request that GitHub would have refused (or, kind 'response', an answer GitHub would not give). */
export interface ContractViolation {
  kind: ViolationKind;
  method: string;
  path: string;
  operationId?: string;
  status: number;
  message: string;
}

export interface ApiRequestRecord {
  method: string;
  path: string;
  operationId?: string;
  status: number;
  body?: unknown;
}

export interface ApiHandlerDeps {
  contract: GitHubContract;
  state: GitHubState;
  repr: ApiRepresentations;
  app: { id: number; publicKey: KeyObject };
  bot: FakeUser;
  validateResponses: boolean;
  /** Appended to: what GitHub would have refused. */
  violations: ContractViolation[];
  /** Appended to: every API request. */
  requests: ApiRequestRecord[];
  onCheckRunRerequested(run: FakeCheckRun, repo: FakeRepo): void;
}

/**
 * The fake's API, one request at a time, in GitHub's order: route (404 for an endpoint GitHub lacks),
 * authenticate (401), validate against the operation's schemas and documented limits (422), run the
 * handler, then check the answer against the response schema. Refusals are recorded as violations.
 */
export function createApiRequestHandler(deps: ApiHandlerDeps): (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> {
  const { contract, state, repr, bot, validateResponses, violations, requests, onCheckRunRerequested } = deps;
  return async function handleApiRequest(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    // GitHub Enterprise Server serves the same API under /api/v3 (Probot's GHE_HOST).
    const path = url.pathname.replace(/^\/api\/v3(?=\/)/, '');
    const raw = await readBody(req);
    const record: ApiRequestRecord = { method, path, status: 0 };
    requests.push(record);
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      record.status = status;
      res.writeHead(status, {
        ...(body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }),
        'x-github-request-id': randomUUID(),
        'x-github-api-version-selected': '2022-11-28',
        'x-ratelimit-limit': '5000',
        'x-ratelimit-remaining': '4999',
        'x-ratelimit-used': '1',
        'x-ratelimit-resource': 'core',
        'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
        ...headers,
      });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    const violate = (error: GitHubApiError, kind: ViolationKind, operationId?: string, details: readonly string[] = []): void => {
      violations.push({ kind, method, path, operationId, status: error.status, message: [error.message, ...details].join('\n') });
      reply(error.status, error.body);
    };

    // GitHub refuses requests without a User-Agent before looking at anything else.
    if (!req.headers['user-agent']) {
      return violate(
        new GitHubApiError(403, 'Request forbidden by administrative rules. Please make sure your request has a User-Agent header'),
        'invalid-request',
      );
    }
    const op = contract.match(method, path);
    if (!op) {
      const why = contract.hasPath(path) ? `GitHub has no ${method} ${path}` : `GitHub has no endpoint ${path}`;
      return violate(GitHubApiError.notFound(), 'unknown-endpoint', undefined, [why]);
    }
    record.operationId = op.operationId;

    let body: unknown;
    if (raw.length) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return violate(new GitHubApiError(400, 'Problems parsing JSON'), 'invalid-request', op.operationId);
      }
    }
    record.body = body;

    const caller = authenticate(deps, req.headers.authorization, op.operationId);
    if (typeof caller === 'string') return violate(GitHubApiError.badCredentials(), 'auth', op.operationId, [caller]);

    const query: Record<string, string | string[]> = {};
    for (const key of new Set(url.searchParams.keys())) {
      const values = url.searchParams.getAll(key);
      query[key] = values.length === 1 ? values[0]! : values;
    }
    const problems = [...contract.validateRequest(op, { method, path, query, headers: req.headers, body }), ...checkDocumentedLimits(op.operationId, body)];
    if (problems.length) return violate(GitHubApiError.invalidRequest(problems), 'invalid-request', op.operationId, problems);

    const handler = ROUTES[op.operationId];
    if (!handler) {
      return violate(new GitHubApiError(501, `the fake GitHub does not implement ${op.operationId}`), 'not-implemented', op.operationId);
    }
    const ctx: RouteContext = {
      op,
      requestUrl: `${repr.baseUrl}${url.pathname}${url.search}`,
      query,
      body: (body ?? {}) as Record<string, unknown>,
      caller,
      state,
      repr,
      bot,
      onCheckRunRerequested,
    };
    let result: Awaited<ReturnType<typeof handler>>;
    try {
      result = await handler(ctx);
    } catch (err) {
      if (!(err instanceof GitHubApiError)) throw err;
      // A missing resource is an answer, not a broken contract (apps probe for files, comments...).
      if (err.status === 404) return reply(404, err.body);
      return violate(err, err.status === 403 ? 'forbidden' : 'invalid-request', op.operationId);
    }
    if (validateResponses && result.status < 300 && result.body !== undefined) {
      const errors = contract.validateResponse(op.operationId, result.status, result.body);
      if (errors.length) {
        violations.push({
          kind: 'response',
          method,
          path,
          operationId: op.operationId,
          status: result.status,
          message: `the fake's ${result.status} answer does not match GitHub's response schema:\n${errors.slice(0, 10).join('\n')}`,
        });
      }
    }
    reply(result.status, result.body, result.headers);
  };
}

/** The caller, or why GitHub would answer 401. */
function authenticate({ state, app }: ApiHandlerDeps, header: string | undefined, operationId: string): Caller | string {
  const m = /^(?:token|bearer)\s+(\S+)$/i.exec(header ?? '');
  if (!m) return 'no credentials (Authorization: Bearer <jwt> or token <installation token>)';
  const credential = m[1]!;
  if (APP_JWT_OPERATIONS.has(operationId)) {
    const problem = verifyAppJwt(credential, app.publicKey, app.id, Math.floor(state.now().getTime() / 1000));
    return problem ? `${operationId} needs the app's JWT: ${problem}` : { kind: 'app' };
  }
  const person = USER_TOKEN_OPERATIONS.has(operationId) ? state.liveUserToken(credential) : undefined;
  if (person) return { kind: 'user', user: person };
  const token = state.liveToken(credential);
  if (!token) return `${operationId} needs a live installation token (unknown or expired token)`;
  return { kind: 'installation', token };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}
