import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { GitHubUserAuthorization, mayAct, webUrlOf } from '../../src/server/sign-in/github-user-authorization.js';
import { type FakeGitHub, startFakeGitHub } from '../env/github/start-fake-github.js';

describe("the App's user authorization against the fake GitHub's OAuth web flow", () => {
  let github: FakeGitHub;
  let authorization: GitHubUserAuthorization;
  const redirect = 'https://skiff.example/_skiff/auth/callback';

  before(async () => {
    github = await startFakeGitHub();
    await github.createRepo('acme/flows', { 'README.md': 'hi\n' });
    github.setCollaborator('acme/flows', 'wendy', 'write');
    github.setCollaborator('acme/flows', 'mona', 'maintain');
    authorization = new GitHubUserAuthorization({
      clientId: github.app.clientId,
      clientSecret: github.app.clientSecret,
      webUrl: github.baseUrl,
      apiUrl: github.baseUrl,
    });
  });
  afterEach(() => github.assertNoViolations());
  after(() => github?.stop());

  /** What the browser does at GitHub: follow the authorize address; GitHub sends it back with a code. */
  const codeFor = async (login: string, state = 'st4te'): Promise<string> => {
    github.oauth.signedIn = login;
    const answer = await fetch(authorization.authorizeUrl(redirect, state), { redirect: 'manual' });
    assert.equal(answer.status, 302);
    const back = new URL(answer.headers.get('location')!);
    assert.equal(`${back.origin}${back.pathname}`, redirect);
    assert.equal(back.searchParams.get('state'), state);
    return back.searchParams.get('code')!;
  };

  it("trades the code for a user token, and reads the person's login and permissions with it", async () => {
    const token = await authorization.exchangeCode(await codeFor('wendy'), redirect);
    assert.match(token, /^ghu_/);
    assert.equal(await authorization.login(token), 'wendy');
    assert.equal(await authorization.permission(token, 'acme/flows', 'wendy'), 'write');
    assert.equal(await authorization.permission(token, 'acme/flows', 'mona'), 'maintain');
    assert.equal(await authorization.permission(token, 'acme/flows', 'nobody-here'), 'none');
    assert.equal(await authorization.permission(token, 'acme/missing', 'wendy'), 'none');
    assert.deepEqual(
      ['admin', 'maintain', 'write', 'triage', 'read', 'none'].map((p) => mayAct(p as never)),
      [true, true, true, false, false, false],
    );
  });

  it('refuses a code used twice, a made-up one, and another redirect address, saying why', async () => {
    const code = await codeFor('wendy');
    await authorization.exchangeCode(code, redirect);
    await assert.rejects(authorization.exchangeCode(code, redirect), /GitHub refused the sign-in: The code passed is incorrect or expired/);
    await assert.rejects(authorization.exchangeCode('made-up', redirect), /incorrect or expired/);
    await assert.rejects(authorization.exchangeCode(await codeFor('wendy'), 'https://evil.example/cb'), /incorrect or expired/);
    const wrongSecret = new GitHubUserAuthorization({ clientId: github.app.clientId, clientSecret: 'nope', webUrl: github.baseUrl, apiUrl: github.baseUrl });
    await assert.rejects(wrongSecret.exchangeCode(await codeFor('wendy'), redirect), /client_id and\/or client_secret/);
    await assert.rejects(authorization.login('ghu_not-a-token'), /status 401/);
    github.takeViolations(); // the bad token's 401 is recorded as one, on purpose
  });

  it("finds GitHub's web address from its API's", () => {
    assert.equal(webUrlOf('https://api.github.com'), 'https://github.com');
    assert.equal(webUrlOf('https://ghe.example.com/api/v3'), 'https://ghe.example.com');
  });
});
