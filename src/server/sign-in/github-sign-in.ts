import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { REPOSITORY_ANNOTATION } from '../../github/start-workflow-runs.js';
import type { StoredRun } from '../../ports/run-store.js';
import { SECURITY_HEADERS, send } from '../run-page/http-answers.js';
import type { PageAccess, PageViewer } from '../run-page/page-access.js';
import { renderMessagePage } from '../run-page/run-page-html.js';
import { type GitHubUserAuthorization, mayAct, type RepositoryPermission } from './github-user-authorization.js';

export interface GitHubSignInOptions {
  authorization: GitHubUserAuthorization;
  /** Where people reach this server (`https://skiff.example.com`): GitHub sends them back to its callback. */
  publicUrl: string;
  /** Signs the action forms' tokens; any 32 bytes or more known only to this server. */
  secret: Buffer;
  /** How long a sign-in lasts (default 8 h, a GitHub user token's life). */
  sessionMs?: number;
  /** How long a permission read from GitHub is trusted (default 60 s): a person whose access was taken away loses it this soon. */
  permissionMs?: number;
  now?: () => number;
}

const SESSION_COOKIE = 'skiff_session';
const FLOW_COOKIE = 'skiff_sign_in';
const PATHS = { signIn: '/_skiff/auth/sign-in', callback: '/_skiff/auth/callback', signOut: '/_skiff/auth/sign-out' };
const FLOW_MS = 10 * 60 * 1000;

interface Session {
  login: string;
  token: string;
  expiresAt: number;
}

/**
 * Sign-in with GitHub for `skiff serve`'s run page: the App's user authorization (OAuth web flow),
 * then, for each run, the person's permission on the run's repository (the `skiff.dev/repository`
 * annotation of runs Skiff started for a push or pull request), read from GitHub and kept a minute.
 * Write, maintain and admin may retry, stop and terminate, as with the comment commands; readers
 * see no buttons. Anyone with read access opens a run's page without its link. Every action is checked again here: the session, a form token bound to the
 * session and the run, and the permission. Sessions live in this process (a restart signs
 * everyone out); the browser holds only a random id, in an HttpOnly, SameSite=Lax cookie.
 */
export function githubSignIn(options: GitHubSignInOptions): PageAccess {
  const now = options.now ?? Date.now;
  const sessionMs = options.sessionMs ?? 8 * 3_600_000;
  const permissionMs = options.permissionMs ?? 60_000;
  const base = options.publicUrl.replace(/\/+$/, '');
  const secure = base.startsWith('https:');
  const callbackUrl = `${base}${PATHS.callback}`;
  const sessions = new Map<string, Session>();
  const flows = new Map<string, { returnTo: string; expiresAt: number }>();
  const permissions = new Map<string, { permission: RepositoryPermission; at: number }>();

  const cookie = (name: string, value: string, maxAgeSeconds: number): string =>
    `${name}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
  const sessionOf = (req: IncomingMessage): { id: string; session: Session } | undefined => {
    const id = readCookie(req, SESSION_COOKIE);
    const session = id === undefined ? undefined : sessions.get(id);
    if (!id || !session) return undefined;
    if (session.expiresAt <= now()) {
      sessions.delete(id);
      return undefined;
    }
    return { id, session };
  };
  const formToken = (sessionId: string, run: StoredRun): string =>
    createHmac('sha256', options.secret).update(['action', sessionId, run.key].join('\0')).digest('base64url');
  const permissionOn = async (sessionId: string, session: Session, repository: string): Promise<RepositoryPermission> => {
    const key = `${sessionId}\0${repository}`;
    const known = permissions.get(key);
    if (known && now() - known.at < permissionMs) return known.permission;
    const permission = await options.authorization.permission(session.token, repository, session.login);
    permissions.set(key, { permission, at: now() });
    return permission;
  };
  const sweep = (): void => {
    const at = now();
    for (const [id, session] of sessions) if (session.expiresAt <= at) sessions.delete(id);
    for (const [state, flow] of flows) if (flow.expiresAt <= at) flows.delete(state);
    for (const [key, known] of permissions) if (at - known.at >= permissionMs) permissions.delete(key);
  };

  return {
    async handle(req, res, url) {
      if (url.pathname === PATHS.signIn && req.method === 'GET') {
        sweep();
        const returnTo = safeReturn(url.searchParams.get('return'));
        const state = randomBytes(24).toString('base64url');
        flows.set(state, { returnTo, expiresAt: now() + FLOW_MS });
        // The flow is bound to this browser: the callback must come with the cookie that names its state.
        res.writeHead(302, {
          ...SECURITY_HEADERS,
          location: options.authorization.authorizeUrl(callbackUrl, state),
          'set-cookie': cookie(FLOW_COOKIE, state, FLOW_MS / 1000),
        });
        res.end();
        return true;
      }
      if (url.pathname === PATHS.callback && req.method === 'GET') {
        const state = url.searchParams.get('state') ?? '';
        const flow = flows.get(state);
        const code = url.searchParams.get('code');
        if (!flow || flow.expiresAt <= now() || readCookie(req, FLOW_COOKIE) !== state || !code) {
          send(
            res,
            403,
            'text/html; charset=utf-8',
            renderMessagePage(
              'Sign-in refused',
              "This sign-in was not started in this browser, or it took too long. Open the run's link and sign in again.",
              false,
            ),
          );
          return true;
        }
        flows.delete(state);
        try {
          const token = await options.authorization.exchangeCode(code, callbackUrl);
          const login = await options.authorization.login(token);
          const id = randomBytes(32).toString('base64url');
          sessions.set(id, { login, token, expiresAt: now() + sessionMs });
          res.writeHead(303, {
            ...SECURITY_HEADERS,
            location: flow.returnTo,
            'set-cookie': [cookie(SESSION_COOKIE, id, sessionMs / 1000), cookie(FLOW_COOKIE, '', 0)],
          });
          res.end();
        } catch (error) {
          send(res, 502, 'text/html; charset=utf-8', renderMessagePage('Sign-in failed', (error as Error).message, false));
        }
        return true;
      }
      if (url.pathname === PATHS.signOut && req.method === 'POST') {
        const found = sessionOf(req);
        if (found) sessions.delete(found.id);
        res.writeHead(303, { ...SECURITY_HEADERS, location: safeReturn(url.searchParams.get('return')), 'set-cookie': cookie(SESSION_COOKIE, '', 0) });
        res.end();
        return true;
      }
      return false;
    },

    async viewer(req, run, returnTo): Promise<PageViewer> {
      const found = sessionOf(req);
      if (!found) return { signInUrl: `${PATHS.signIn}?return=${encodeURIComponent(returnTo)}` };
      const signedIn = { login: found.session.login, signOutUrl: `${PATHS.signOut}?return=${encodeURIComponent(returnTo)}` };
      const repository = repositoryOf(run);
      if (repository === undefined) return { ...signedIn, note: 'This run belongs to no GitHub repository: nobody can act on it from here.' };
      const permission = await permissionOn(found.id, found.session, repository).catch(() => 'none' as const);
      if (!mayAct(permission)) return { ...signedIn, note: `Actions need write access to ${repository} (you have ${permission}).` };
      return { ...signedIn, formToken: formToken(found.id, run) };
    },

    async mayRead(req, run) {
      const found = sessionOf(req);
      const repository = repositoryOf(run);
      if (!found || repository === undefined) return false;
      return (await permissionOn(found.id, found.session, repository).catch(() => 'none' as const)) !== 'none';
    },

    signInUrl: (returnTo) => `${PATHS.signIn}?return=${encodeURIComponent(returnTo)}`,

    async refuseAction(req, run, token) {
      const found = sessionOf(req);
      if (!found) return 'sign in with GitHub to act on runs';
      if (typeof token !== 'string' || !equalText(token, formToken(found.id, run))) return 'the form token does not match your sign-in';
      const repository = repositoryOf(run);
      if (repository === undefined) return 'this run belongs to no GitHub repository';
      // Asked of GitHub again (within the cache's minute): a page shown earlier proves nothing now.
      const permission = await permissionOn(found.id, found.session, repository).catch(() => 'none' as const);
      return mayAct(permission) ? undefined : `${found.session.login} has ${permission} access to ${repository}; acting needs write`;
    },
  };
}

/** The repository a run was started for, from its annotation; undefined for a run started otherwise. */
function repositoryOf(run: StoredRun): string | undefined {
  const name = run.workflow.metadata.annotations?.[REPOSITORY_ANNOTATION];
  return typeof name === 'string' && /^[\w.-]+\/[\w.-]+$/.test(name) ? name : undefined;
}

/** Only a run page of this server is a place to return to: never another site (`//evil`, `https:`). */
function safeReturn(value: string | null): string {
  return value !== null && /^\/runs\/[^/]/.test(value) && !value.includes('\\') ? value : '/';
}

function readCookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

function equalText(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
