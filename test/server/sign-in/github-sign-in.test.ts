import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { StoredRun } from '../../../src/ports/run-store.js';
import type { PageAccess } from '../../../src/server/run-page/page-access.js';
import { githubSignIn } from '../../../src/server/sign-in/github-sign-in.js';
import type { GitHubUserAuthorization, RepositoryPermission } from '../../../src/server/sign-in/github-user-authorization.js';

/** GitHub as the sign-in sees it: codes that name a login, and permissions the test sets. */
const permissions = new Map<string, RepositoryPermission>();
const authorization = {
  authorizeUrl: (redirectUri: string, state: string) =>
    `https://github.example/login/oauth/authorize?redirect_uri=${encodeURIComponent(redirectUri)}&state=${state}`,
  exchangeCode: async (code: string) => `token-of-${code}`,
  login: async (token: string) => token.replace('token-of-', ''),
  permission: async (_token: string, fullName: string, login: string) => permissions.get(`${fullName}:${login}`) ?? 'none',
} as unknown as GitHubUserAuthorization;

const runOf = (name: string, repository?: string): StoredRun =>
  ({
    key: `ci/${name}`,
    workflow: { metadata: { name, namespace: 'ci', ...(repository ? { annotations: { 'skiff.dev/repository': repository } } : {}) } },
  }) as unknown as StoredRun;

describe('sign-in with GitHub for the run page', () => {
  let clock = 1_000_000;
  let access: PageAccess;
  let server: Server;
  let base: string;
  /** A request carrying a cookie, as `viewer` and `refuseAction` read one. */
  const requestWith = (cookie: string): IncomingMessage => ({ headers: { cookie } }) as IncomingMessage;

  before(async () => {
    access = githubSignIn({ authorization, publicUrl: 'https://skiff.example', secret: Buffer.alloc(32, 7), now: () => clock, permissionMs: 60_000 });
    server = createServer((req, res) => {
      void access.handle(req, res, new URL(req.url ?? '/', 'http://x')).then((done) => {
        if (!done) res.writeHead(404).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise((resolve) => server.close(resolve)));

  /** Runs the flow as a browser would: sign-in, GitHub's redirect back with a code for `login`; the session cookie. */
  const signIn = async (login: string, returnTo = '/runs/ci/a?exp=1&sig=x'): Promise<{ cookie: string; location: string }> => {
    const start = await fetch(`${base}/_skiff/auth/sign-in?return=${encodeURIComponent(returnTo)}`, { redirect: 'manual' });
    assert.equal(start.status, 302);
    const flowCookie = start.headers.get('set-cookie')!.split(';')[0]!;
    assert.match(start.headers.get('set-cookie')!, /HttpOnly; SameSite=Lax; Max-Age=600; Secure/);
    const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
    assert.equal(new URL(start.headers.get('location')!).searchParams.get('redirect_uri'), 'https://skiff.example/_skiff/auth/callback');
    const back = await fetch(`${base}/_skiff/auth/callback?code=${login}&state=${state}`, { redirect: 'manual', headers: { cookie: flowCookie } });
    assert.equal(back.status, 303);
    const session = back.headers.getSetCookie().find((c) => c.startsWith('skiff_session='))!;
    return { cookie: session.split(';')[0]!, location: back.headers.get('location')! };
  };

  it('signs a person in and sends them back to the run page they came from, never to another site', async () => {
    const { location } = await signIn('wendy');
    assert.equal(location, '/runs/ci/a?exp=1&sig=x');
    for (const hostile of ['//evil.example/runs/x', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)'])
      assert.equal((await signIn('wendy', hostile)).location, '/');
  });

  it('refuses a callback not started in this browser (no flow cookie, or another state): no session is made', async () => {
    const start = await fetch(`${base}/_skiff/auth/sign-in?return=/runs/ci/a`, { redirect: 'manual' });
    const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
    const noCookie = await fetch(`${base}/_skiff/auth/callback?code=mallory&state=${state}`, { redirect: 'manual' });
    assert.equal(noCookie.status, 403);
    assert.equal(noCookie.headers.get('set-cookie'), null);
    const otherState = await fetch(`${base}/_skiff/auth/callback?code=mallory&state=made-up`, {
      redirect: 'manual',
      headers: { cookie: 'skiff_sign_in=made-up' },
    });
    assert.equal(otherState.status, 403);
  });

  it('gives a writer a form token for one run only, none to a reader, and checks the permission again on each action', async () => {
    permissions.set('acme/flows:wendy', 'write');
    permissions.set('acme/flows:rita', 'read');
    const writer = requestWith((await signIn('wendy')).cookie);
    const reader = requestWith((await signIn('rita')).cookie);
    const run = runOf('a', 'acme/flows');
    const token = (await access.viewer(writer, run, '/runs/ci/a')).formToken!;
    assert.ok(token);
    assert.equal(await access.refuseAction(writer, run, token), undefined);
    assert.match((await access.refuseAction(writer, runOf('b', 'acme/flows'), token))!, /form token/);
    const shown = await access.viewer(reader, run, '/runs/ci/a');
    assert.equal(shown.formToken, undefined);
    assert.match(shown.note!, /you have read/);
    assert.match((await access.refuseAction(reader, run, token))!, /form token/, "a writer's token is no reader's");
    assert.match((await access.refuseAction(requestWith(''), run, token))!, /sign in/);
    assert.match((await access.viewer(writer, runOf('c'), '/runs/ci/c')).note!, /no GitHub repository/);
    // Write access taken away: refused once the minute the permission is trusted has passed.
    permissions.set('acme/flows:wendy', 'read');
    assert.equal(await access.refuseAction(writer, run, token), undefined);
    clock += 61_000;
    assert.match((await access.refuseAction(writer, run, token))!, /has read access/);
  });

  it('lets someone with read access, and nobody else, open a run without its link', async () => {
    permissions.set('acme/private:rita', 'read');
    const reader = requestWith((await signIn('rita')).cookie);
    const outsider = requestWith((await signIn('mallory')).cookie);
    assert.equal(await access.mayRead(reader, runOf('a', 'acme/private')), true);
    assert.equal(await access.mayRead(outsider, runOf('a', 'acme/private')), false);
    assert.equal(await access.mayRead(requestWith(''), runOf('a', 'acme/private')), false);
    assert.equal(await access.mayRead(reader, runOf('a')), false, 'a run of no repository needs its link');
  });

  it('ends a session after its lifetime and on sign-out', async () => {
    const { cookie } = await signIn('wendy');
    assert.equal((await access.viewer(requestWith(cookie), runOf('a', 'acme/flows'), '/runs/ci/a')).login, 'wendy');
    const out = await fetch(`${base}/_skiff/auth/sign-out?return=/runs/ci/a`, { method: 'POST', redirect: 'manual', headers: { cookie } });
    assert.equal(out.status, 303);
    assert.equal((await access.viewer(requestWith(cookie), runOf('a', 'acme/flows'), '/runs/ci/a')).login, undefined);
    const again = await signIn('wendy');
    clock += 8 * 3_600_000 + 1;
    assert.equal((await access.viewer(requestWith(again.cookie), runOf('a', 'acme/flows'), '/runs/ci/a')).login, undefined);
  });
});
