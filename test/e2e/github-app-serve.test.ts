// `skiff serve` as a process, the way it is deployed: credentials from the environment, webhooks
// from the fake GitHub, a pull request checked, and a clean stop on SIGTERM.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeGitHub, type FakeGitHub } from '../env/github/start-fake-github.js';
import { repoRoot } from '../helpers/paths.js';

let github: FakeGitHub;
let dir: string;
let serve: ChildProcess | undefined;

before(async () => {
  github = await startFakeGitHub();
  dir = await mkdtemp(join(tmpdir(), 'skiff-serve-process-'));
});
after(async () => {
  if (serve && serve.exitCode === null) serve.kill('SIGKILL');
  await github?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Starts `skiff serve` over `dir/state`; resolves with its base URL once it listens. */
async function startServe(
  extraArgs: string[] = [],
  extraEnv: Record<string, string> = {},
): Promise<{ process: ChildProcess; url: string; stderr: () => string }> {
  const child = spawn(
    process.execPath,
    [join(repoRoot, 'bin/skiff.js'), 'serve', '--host', '127.0.0.1', '--port', '0', '--state-dir', join(dir, 'state'), ...extraArgs],
    {
      env: {
        ...process.env,
        APP_ID: String(github.app.id),
        PRIVATE_KEY_PATH: join(dir, 'app.pem'),
        WEBHOOK_SECRET: github.app.webhookSecret,
        GITHUB_API_URL: github.baseUrl,
        ...extraEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk;
      const match = /listening on (http:\/\/[^\s]+)/.exec(stdout);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`skiff serve exited with ${code}: ${stderr}`)));
  });
  return { process: child, url, stderr: () => stderr };
}

test('skiff serve starts from the environment, checks a pull request, and stops on SIGTERM', async () => {
  await writeFile(join(dir, 'app.pem'), github.app.privateKey);
  await github.createRepo('acme/flows', { '.skiff.yml': 'paths: [workflows]\nnamespace: ci\n' });
  await github.pushCommit('acme/flows', 'feature', {
    'workflows/bad.yaml': 'apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {generateName: x-}\nspec: {entrypoint: nope}\n',
  });
  const pull = await github.openPullRequest('acme/flows', { head: 'feature' });

  const started = await startServe();
  serve = started.process;
  const { url } = started;
  const stderr = (): string => started.stderr();
  assert.equal((await fetch(`${url}/healthz`)).status, 200);
  github.webhooks.url = `${url}/api/github/webhooks`;
  assert.equal((await github.webhooks.pullRequest('opened', 'acme/flows', pull.number)).status, 202);
  const lint = async () => [...github.state.checkRuns.values()].find((r) => r.name === 'skiff / lint' && r.status === 'completed');
  for (let i = 0; i < 300 && !(await lint()); i++) await new Promise((r) => setTimeout(r, 100));
  const done = await lint();
  assert.ok(done, `no completed lint check: ${stderr()}`);
  assert.equal(done.conclusion, 'failure');
  github.assertNoViolations();

  const exited = new Promise<number | null>((resolve) => started.process.once('exit', (code) => resolve(code)));
  started.process.kill('SIGTERM');
  assert.equal(await exited, 0, stderr());
  assert.match(stderr(), /SIGTERM: finishing accepted deliveries/);
});

test('deliveries accepted by a skiff serve that is killed are all handled once by the next one', async () => {
  const prs: Array<{ number: number; sha: string }> = [];
  for (let i = 0; i < 6; i++) {
    const sha = await github.pushCommit('acme/flows', `kill-${i}`, {
      [`workflows/k${i}.yaml`]: `apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {generateName: k${i}-}\nspec:\n  entrypoint: main\n  templates:\n  - name: main\n    container: {image: alpine, command: [echo, '${i}']}\n`,
    });
    prs.push({ number: (await github.openPullRequest('acme/flows', { head: `kill-${i}` })).number, sha });
  }
  const first = await startServe();
  serve = first.process;
  github.webhooks.url = `${first.url}/api/github/webhooks`;
  for (const pr of prs) assert.equal((await github.webhooks.pullRequest('opened', 'acme/flows', pr.number)).status, 202);
  const killed = new Promise((resolve) => first.process.once('exit', resolve));
  first.process.kill('SIGKILL');
  await killed;
  const lintOf = (sha: string) => [...github.state.checkRuns.values()].filter((r) => r.name === 'skiff / lint' && r.headSha === sha);
  assert.ok(
    prs.some((pr) => !lintOf(pr.sha).some((r) => r.status === 'completed')),
    'the kill came before every delivery was handled (else this test proves nothing)',
  );

  const second = await startServe();
  serve = second.process;
  for (let i = 0; i < 600 && !prs.every((pr) => lintOf(pr.sha).some((r) => r.status === 'completed')); i++) await new Promise((r) => setTimeout(r, 100));
  for (const pr of prs) {
    assert.deepEqual(
      lintOf(pr.sha).map((r) => [r.status, r.conclusion]),
      [['completed', 'success']],
      `PR #${pr.number}: ${second.stderr()}`,
    );
  }
  assert.match(second.stderr(), /handling \d+ delivery\(ies\) accepted before the restart/);
  github.assertNoViolations();
  const exited = new Promise((resolve) => second.process.once('exit', resolve));
  second.process.kill('SIGTERM');
  await exited;
});

test("skiff serve signs people in with GitHub on the run page when given the App's OAuth client and its public address", async () => {
  await writeFile(join(dir, 'app.pem'), github.app.privateKey);
  const started = await startServe(['--public-url', 'https://skiff.example'], {
    GITHUB_CLIENT_ID: github.app.clientId,
    GITHUB_CLIENT_SECRET: github.app.clientSecret,
    GITHUB_WEB_URL: github.baseUrl,
  });
  serve = started.process;
  try {
    const signIn = await fetch(`${started.url}/_skiff/auth/sign-in?return=${encodeURIComponent('/runs/ci/x')}`, { redirect: 'manual' });
    assert.equal(signIn.status, 302);
    const to = new URL(signIn.headers.get('location')!);
    assert.equal(`${to.origin}${to.pathname}`, `${github.baseUrl}/login/oauth/authorize`);
    assert.equal(to.searchParams.get('client_id'), github.app.clientId);
    assert.equal(to.searchParams.get('redirect_uri'), 'https://skiff.example/_skiff/auth/callback');
    assert.match(signIn.headers.get('set-cookie') ?? '', /HttpOnly; SameSite=Lax; Max-Age=600; Secure/);
    // A page without a link, for someone not signed in: 403, with the way to sign in.
    const page = await fetch(`${started.url}/runs/ci/x`);
    assert.equal(page.status, 403);
    assert.match(await page.text(), /sign in with GitHub/);
  } finally {
    const exited = new Promise((resolve) => started.process.once('exit', resolve));
    started.process.kill('SIGTERM');
    await exited;
  }
});
