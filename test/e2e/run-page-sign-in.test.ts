// Actions on the run page of `skiff serve`, in Chromium: sign-in with GitHub (the App's user
// authorization through the fake GitHub's OAuth web flow), the person's permission on the run's
// repository read from the collaborator permission endpoint, a run started by a push and run on
// the real local runtime. A writer retries a failed run to success; a reader sees no buttons and
// a forged POST gets 403.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import type { Browser, BrowserContext } from 'playwright-core';
import type { CliIO } from '../../src/cli/cli-io.js';
import { localRunPageSource } from '../../src/cli/local-run-page-source.js';
import { openLocalTarget } from '../../src/cli/local-target.js';
import { runPageAction } from '../../src/cli/run-page-actions.js';
import { readRun } from '../../src/cli/read-run.js';
import { runPageMount, type RunPageMount } from '../../src/server/run-page/run-page-mount.js';
import { githubSignIn } from '../../src/server/sign-in/github-sign-in.js';
import { GitHubUserAuthorization } from '../../src/server/sign-in/github-user-authorization.js';
import { LocalObjectStore } from '../../src/state/local-object-store.js';
import { StateLayout } from '../../src/state/state-layout.js';
import { freePort } from '../env/tools/free-port.js';
import { GitHubAppHarness } from '../helpers/github-app-harness.js';
import { launchChromium, SCREENSHOT_DIR } from './run-page-browser.js';

const CONFIG = 'paths: [workflows]\nnamespace: ci\non:\n  push: {branches: [main]}\n';
// Fails while the ConfigMap `mode` says so: once the test changes it, a retry succeeds.
const FLAKY = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: flaky-}
spec:
  entrypoint: main
  templates:
  - name: main
    container:
      image: alpine
      command: [sh, -c, '[ "$MODE" = pass ] || { echo "failing ($MODE)"; exit 3; }; echo fixed']
      env: [{name: MODE, valueFrom: {configMapKeyRef: {name: mode, key: mode}}}]
`;
const mode = (value: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'mode', namespace: 'ci' }, data: { mode: value } }) as never;

let h: GitHubAppHarness;
let page: RunPageMount;
let browser: Browser;
let details: string;
let runKey: string;

before(async () => {
  h = await GitHubAppHarness.start();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const target = openLocalTarget({ cwd: h.stateDir, env: {} } as unknown as CliIO, { stateDir: h.stateDir });
  const io = { stdout: { write: () => true }, stderr: { write: () => true }, cwd: h.stateDir, env: process.env };
  const authorization = new GitHubUserAuthorization({
    clientId: h.github.app.clientId,
    clientSecret: h.github.app.clientSecret,
    webUrl: h.github.baseUrl,
    apiUrl: h.github.baseUrl,
  });
  page = await runPageMount(localRunPageSource(target, process.env), h.stateDir, {
    act: (key, action) => runPageAction(target, ['--state-dir', h.stateDir], io, key, action),
    access: (secret) => githubSignIn({ authorization, publicUrl: base, secret }),
  });
  await h.server.close();
  await h.startServer({
    port,
    mounts: [
      { prefix: '/runs/', handler: page.handler },
      { prefix: '/_skiff/', handler: page.handler },
    ],
    runPageUrl: (key) => page.link(base, key),
  });
  await new LocalObjectStore(new StateLayout(h.stateDir).objects).apply(mode('fail'));
  const repo = await h.github.createRepo('acme/flows', { '.skiff.yml': CONFIG, 'workflows/flaky.yaml': FLAKY });
  h.github.setCollaborator('acme/flows', 'wendy', 'write');
  h.github.setCollaborator('acme/flows', 'rita', 'read');
  assert.equal((await h.github.webhooks.push('acme/flows', { ref: 'refs/heads/main', before: '0'.repeat(40), after: repo.commit })).status, 202);
  await h.server.runsSettled();
  const check = h.checkRuns('skiff / flaky').find((r) => r.headSha === repo.commit)!;
  assert.equal(check.conclusion, 'failure', check.output.summary ?? '');
  details = check.detailsUrl ?? '';
  runKey = decodeURIComponent(new URL(details).pathname.replace(/^\/runs\//, ''));
  browser = await launchChromium();
});

afterEach(() => h.github.assertNoViolations());

after(async () => {
  await browser?.close();
  page?.handler.close();
  await h?.close();
});

/** A browser of its own (its own cookies), signed in to the fake GitHub as `login`, signed in to Skiff through it. */
async function signedIn(login: string): Promise<BrowserContext> {
  const context = await browser.newContext();
  const tab = await context.newPage();
  await tab.goto(details);
  assert.equal(await tab.locator('.actions button').count(), 0, 'nobody signed in: no buttons');
  h.github.oauth.signedIn = login;
  await tab.locator('a', { hasText: 'Sign in with GitHub' }).click();
  await tab.locator('.viewer strong', { hasText: login }).waitFor();
  assert.equal(tab.url(), details, 'back on the run page after signing in');
  return context;
}

test('a reader signed in with GitHub sees no buttons, and a forged POST gets 403', async () => {
  const context = await signedIn('rita');
  const tab = context.pages()[0]!;
  assert.equal(await tab.locator('.actions button').count(), 0);
  assert.match((await tab.locator('.viewer').textContent()) ?? '', /write access to acme\/flows \(you have read\)/);
  const action = `${new URL(details).pathname}/action${new URL(details).search}`;
  const forged = await tab.evaluate(
    async (url) => (await fetch(url, { method: 'POST', body: new URLSearchParams({ op: 'retry-failed', token: 'forged' }) })).status,
    action,
  );
  assert.equal(forged, 403);
  // Nor does a reader's POST pass with no token at all, or from a browser not signed in.
  assert.equal(await tab.evaluate(async (url) => (await fetch(url, { method: 'POST', body: new URLSearchParams({ op: 'stop' }) })).status, action), 403);
  const anonymous = await fetch(new URL(action, details), { method: 'POST', body: new URLSearchParams({ op: 'stop', token: 'x' }) });
  assert.equal(anonymous.status, 403);
  assert.equal((await readRun(new StateLayout(h.stateDir), runKey))!.status.phase, 'Failed', 'nothing was done to the run');
  await context.close();
});

test('someone signed in with read access opens the run without its link; nobody else does', async () => {
  const bare = new URL(details);
  bare.search = '';
  const anonymous = await browser.newPage();
  assert.equal((await anonymous.goto(bare.toString()))?.status(), 403);
  await anonymous.locator('a', { hasText: 'sign in with GitHub' }).waitFor();
  await anonymous.close();
  const reader = await signedIn('rita');
  const tab = reader.pages()[0]!;
  assert.equal((await tab.goto(bare.toString()))?.status(), 200);
  await tab.locator('.graph .box', { hasText: 'flaky' }).first().waitFor();
  await tab.locator('.graph .box').first().click();
  await tab.locator('#panel pre.log', { hasText: 'failing (fail)' }).waitFor();
  await reader.close();
  // (Someone without read access, on a private repository, is refused in test/server/sign-in.)
});

test('a writer signed in with GitHub retries the failed run from the page, and it succeeds', async () => {
  const context = await signedIn('wendy');
  const tab = context.pages()[0]!;
  assert.equal(await tab.locator('.actions button').count(), 4);
  // The step fails no more once its ConfigMap says so.
  await new LocalObjectStore(new StateLayout(h.stateDir).objects).apply(mode('pass'));
  await tab.locator('button[data-op="retry-failed"]').click();
  await tab.locator('.notice', { hasText: 'Retried' }).waitFor();
  await tab.locator('#run-phase .phase', { hasText: 'Succeeded' }).waitFor({ timeout: 60_000 });
  await tab.screenshot({ path: join(SCREENSHOT_DIR, 'signed-in-writer.png') });
  assert.equal((await readRun(new StateLayout(h.stateDir), runKey))!.status.phase, 'Succeeded');
  await context.close();
});
