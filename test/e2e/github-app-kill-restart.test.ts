// 100 webhook deliveries against `skiff serve` as a process that is SIGKILLed twice mid-burst and
// started again over the same state directory, with GitHub redelivering every delivery that got
// no 2xx: each delivery's work is done exactly once, none lost, none twice. The deliveries come
// from 25 organisations (installations, each with its own queue). Writes are not spaced a second
// apart (SKIFF_GITHUB_THROTTLE=off: the fake has no secondary rate limit), or 100 deliveries of
// five writes each would take minutes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INBOX_JOURNAL } from '../../src/github/delivery-inbox.js';
import { startFakeGitHub, type FakeGitHub } from '../env/github/start-fake-github.js';
import { repoRoot } from '../helpers/paths.js';

const ORGANISATIONS = 25;
const PULL_REQUESTS_EACH = 2;
const CONFIG = 'paths: [workflows]\nnamespace: ci\n';
const workflow = (i: number) =>
  `apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {generateName: w${i}-}\nspec:\n  entrypoint: main\n  templates:\n  - name: main\n    container: {image: alpine, command: [echo, '${i}']}\n`;

let github: FakeGitHub;
let dir: string;
const children: ChildProcess[] = [];

before(async () => {
  github = await startFakeGitHub();
  dir = await mkdtemp(join(tmpdir(), 'skiff-serve-kill-'));
  await writeFile(join(dir, 'app.pem'), github.app.privateKey);
});
after(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await github?.stop();
  await rm(dir, { recursive: true, force: true });
});

interface Serve {
  process: ChildProcess;
  url: string;
  stderr: () => string;
  exited: Promise<unknown>;
}

/** Starts `skiff serve` (JSON logs) over `dir/state`; resolves once it listens. */
async function startServe(): Promise<Serve> {
  const child = spawn(
    process.execPath,
    [join(repoRoot, 'bin/skiff.js'), 'serve', '--host', '127.0.0.1', '--port', '0', '--state-dir', join(dir, 'state'), '--log-format', 'json'],
    {
      env: {
        ...process.env,
        APP_ID: String(github.app.id),
        PRIVATE_KEY_PATH: join(dir, 'app.pem'),
        WEBHOOK_SECRET: github.app.webhookSecret,
        GITHUB_API_URL: github.baseUrl,
        SKIFF_GITHUB_THROTTLE: 'off',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  const exited = new Promise((resolve) => child.once('exit', resolve));
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
  return { process: child, url, stderr: () => stderr, exited };
}

test('100 deliveries while skiff serve is killed and restarted are all handled once', { timeout: 600_000 }, async () => {
  const pulls: Array<{ owner: string; number: number; sha: string }> = [];
  for (let o = 0; o < ORGANISATIONS; o++) {
    // Each organisation's own config (a comment naming it), so no two repositories share a commit.
    await github.createRepo(`org${o}/flows`, { '.skiff.yml': `# org${o}\n${CONFIG}` });
    for (let i = 0; i < PULL_REQUESTS_EACH; i++) {
      const sha = await github.pushCommit(`org${o}/flows`, `b${i}`, { [`workflows/w${i}.yaml`]: workflow(i) });
      pulls.push({ owner: `org${o}`, number: (await github.openPullRequest(`org${o}/flows`, { head: `b${i}` })).number, sha });
    }
  }
  // Two deliveries per pull request (opened, then reopened): each must leave one lint and one plan check run on its head.
  const payloads = ['opened', 'reopened'].flatMap((action) =>
    pulls.map((pr) => {
      const repo = github.state.repo(pr.owner, 'flows');
      return github.webhooks.payloads.pullRequest(action, repo, github.state.pull(repo, pr.number), [], 1);
    }),
  );

  let serve = await startServe();
  const logs: string[] = [];
  github.webhooks.url = `${serve.url}/api/github/webhooks`;
  const ids: string[] = [];
  let acknowledged = 0;
  const killAt = [25, 60];
  let restarting: Promise<void> | undefined;
  let next = 0;
  const killAndRestart = async () => {
    const killed = serve;
    killed.process.kill('SIGKILL');
    await killed.exited;
    logs.push(killed.stderr());
    // GitHub's deliveries fail while Skiff is down (nothing listens at the old address): the next
    // three are sent now, whatever was in flight when the kill came.
    for (let i = 0; i < 3 && next < payloads.length; i++) {
      const delivery = await github.webhooks.send('pull_request', payloads[next++]!);
      ids.push(delivery.id);
      assert.ok(delivery.status < 200 || delivery.status >= 300, `a delivery while Skiff is down fails (got ${delivery.status})`);
    }
    serve = await startServe();
    github.webhooks.url = `${serve.url}/api/github/webhooks`;
  };
  // The burst: eight at a time, as GitHub's sender does in parallel; Skiff is killed when 25 and
  // then 60 have been acknowledged, while the rest are on their way.
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < payloads.length) {
        const payload = payloads[next++]!;
        const delivery = await github.webhooks.send('pull_request', payload);
        ids.push(delivery.id);
        if (delivery.status >= 200 && delivery.status < 300) acknowledged++;
        if (killAt.length > 0 && acknowledged >= killAt[0]!) {
          killAt.shift();
          restarting = killAndRestart();
        }
        await restarting; // a restart under way: the next delivery goes to the new process
      }
    }),
  );
  await restarting;
  assert.equal(ids.length, 100);
  const failedAtFirst = ids.filter((id) => !github.webhooks.deliveries.some((d) => d.id === id && d.status >= 200 && d.status < 300));
  assert.ok(failedAtFirst.length > 0, 'some deliveries failed while Skiff was down (else this test proves nothing)');

  // GitHub redelivers every delivery that got no 2xx, until each has one.
  for (let round = 0; round < 20; round++) {
    const unanswered = ids.filter((id) => !github.webhooks.deliveries.some((d) => d.id === id && d.status >= 200 && d.status < 300));
    if (unanswered.length === 0) break;
    for (const id of unanswered) await github.webhooks.redeliver(id);
  }

  const checksOf = (sha: string, name: string) => [...github.state.checkRuns.values()].filter((r) => r.headSha === sha && r.name === name);
  assert.equal(new Set(pulls.map((pr) => pr.sha)).size, pulls.length, 'every pull request has a head of its own');
  const finished = () =>
    pulls.every((pr) => ['skiff / lint', 'skiff / plan'].every((name) => checksOf(pr.sha, name).filter((r) => r.status === 'completed').length >= 2));
  for (let i = 0; i < 1200 && !finished(); i++) await new Promise((resolve) => setTimeout(resolve, 100));
  // The inbox empty: nothing is left to handle, and nothing more will be made.
  // (The inbox's journal is emptied once nothing in it is pending.)
  const journal = () => readFile(join(dir, 'state', 'github', 'inbox', INBOX_JOURNAL), 'utf8');
  for (let i = 0; i < 300 && (await journal()) !== ''; i++) await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(await journal(), '', `every accepted delivery was handled:\n${serve.stderr().slice(-4000)}`);

  const wrong: string[] = [];
  for (const pr of pulls) {
    for (const name of ['skiff / lint', 'skiff / plan']) {
      const runs = checksOf(pr.sha, name);
      const shown = runs.map((r) => `${r.status}/${r.conclusion}/${r.externalId}`);
      if (runs.length !== 2 || runs.some((r) => r.status !== 'completed' || r.conclusion !== 'success'))
        wrong.push(`${pr.owner}#${pr.number} ${name}: ${shown.join(', ')}`);
    }
  }
  assert.deepEqual(wrong, [], `each delivery made its two check runs once:\n${serve.stderr()}`);
  const handledLeftovers = [...logs, serve.stderr()].join('').match(/handling \d+ delivery\(ies\) accepted before the restart/g) ?? [];
  assert.ok(handledLeftovers.length >= 1, 'a restart handled deliveries the killed process had accepted');
  github.assertNoViolations();

  // Every line logged was JSON, and the work for each delivery says which delivery it was.
  const lines = [...logs, serve.stderr()].join('').split('\n').filter(Boolean);
  for (const line of lines) assert.doesNotThrow(() => JSON.parse(line), `not JSON: ${line}`);
  const handled = lines.map((line) => JSON.parse(line) as { msg?: string; delivery?: string }).filter((line) => line.msg === 'delivery handled');
  assert.deepEqual(new Set(handled.map((line) => line.delivery)), new Set(ids), 'each delivery was handled, and logged with its id');

  serve.process.kill('SIGTERM');
  await serve.exited;
});
