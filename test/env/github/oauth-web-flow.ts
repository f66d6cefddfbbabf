import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FakeUser, GitHubState } from './github-state.js';

/** The app's OAuth client, as GitHub shows it on the app's settings page. */
export interface OAuthClient {
  clientId: string;
  clientSecret: string;
}

/** Who is signed in to the fake github.com in the browser, which decides who an authorization is for. */
export interface OAuthBrowser {
  signedIn: string | undefined;
}

const CODE_LIFETIME_MS = 10 * 60 * 1000;

/**
 * GitHub's OAuth web flow for a GitHub App's user authorization, on github.com rather than the API
 * (so GitHub's OpenAPI description does not cover it and nothing here is checked against it):
 * GET /login/oauth/authorize sends the browser back to `redirect_uri` with a one-time `code` and
 * the app's `state` (here at once, as for a person who authorized the app before; nobody signed in
 * is a 403 page), and POST /login/oauth/access_token trades the code, with the client's secret,
 * for a user access token, answering in JSON when asked (Accept: application/json) and, as GitHub
 * does, with status 200 and an `error` field when the code is bad. Returns false for other paths.
 */
export function createOAuthWebFlow(state: GitHubState, client: OAuthClient, browser: OAuthBrowser) {
  const codes = new Map<string, { user: FakeUser; redirectUri: string | undefined; expiresAt: number }>();
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    if (url.pathname === '/login/oauth/authorize' && req.method === 'GET') {
      const redirect = url.searchParams.get('redirect_uri');
      if (url.searchParams.get('client_id') !== client.clientId || !redirect) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('unknown client_id or no redirect_uri\n');
        return true;
      }
      if (browser.signedIn === undefined) {
        res.writeHead(403, { 'content-type': 'text/plain' }).end('nobody is signed in to the fake GitHub\n');
        return true;
      }
      const code = randomBytes(10).toString('hex');
      codes.set(code, { user: state.user(browser.signedIn), redirectUri: redirect, expiresAt: state.now().getTime() + CODE_LIFETIME_MS });
      const back = new URL(redirect);
      back.searchParams.set('code', code);
      const appState = url.searchParams.get('state');
      if (appState !== null) back.searchParams.set('state', appState);
      res.writeHead(302, { location: back.toString() }).end();
      return true;
    }
    if (url.pathname === '/login/oauth/access_token' && req.method === 'POST') {
      let raw = '';
      for await (const chunk of req) raw += chunk;
      const form = (req.headers['content-type'] ?? '').includes('json')
        ? new URLSearchParams(Object.entries(JSON.parse(raw || '{}') as Record<string, string>))
        : new URLSearchParams(raw);
      const answer = (body: Record<string, unknown>): true => {
        const json = (req.headers.accept ?? '').includes('application/json');
        res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-www-form-urlencoded' });
        res.end(json ? JSON.stringify(body) : new URLSearchParams(body as Record<string, string>).toString());
        return true;
      };
      if (form.get('client_id') !== client.clientId || form.get('client_secret') !== client.clientSecret)
        return answer({ error: 'incorrect_client_credentials', error_description: 'The client_id and/or client_secret passed are incorrect.' });
      const code = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      const redirect = form.get('redirect_uri');
      if (!code || code.expiresAt < state.now().getTime() || (redirect !== null && redirect !== code.redirectUri))
        return answer({ error: 'bad_verification_code', error_description: 'The code passed is incorrect or expired.' });
      return answer({ access_token: state.issueUserToken(code.user), expires_in: 28800, token_type: 'bearer', scope: '' });
    }
    return false;
  };
}
