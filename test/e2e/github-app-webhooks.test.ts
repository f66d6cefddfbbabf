// skiff serve's webhook endpoint against the fake GitHub: signatures, replays (also across a
// restart), health endpoints, and the refusal to start without credentials.
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { DeliveryInbox, INBOX_JOURNAL } from '../../src/github/delivery-inbox.js';
import { DeliveryLedger } from '../../src/github/delivery-ledger.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitHubAppHarness } from '../helpers/github-app-harness.js';
import { main } from '../../src/cli/main.js';
import { signWebhookBody } from '../env/github/webhook-sender.js';
import { reply } from '../../src/server/http-server.js';

const VALID =
  'apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata:\n  generateName: hello-\nspec:\n  entrypoint: main\n  templates:\n  - name: main\n    container: {image: alpine, command: [echo, hi]}\n';
const CONFIG = 'paths: [workflows]\nnamespace: ci\n';

let h: GitHubAppHarness;
let pr: { number: number };

before(async () => {
  h = await GitHubAppHarness.start();
  await h.github.createRepo('acme/flows', { '.skiff.yml': CONFIG, 'workflows/hello.yaml': VALID });
  await h.github.pushCommit('acme/flows', 'feature', { 'workflows/second.yaml': VALID.replace('hello-', 'second-') });
  pr = await h.github.openPullRequest('acme/flows', { head: 'feature', user: 'alice' });
});
afterEach(() => h.github.assertNoViolations());
after(async () => h?.close());

test('/healthz and /readyz answer; other paths are 404; the webhook path takes only POST', async () => {
  assert.equal((await fetch(`${h.server.url}/healthz`)).status, 200);
  assert.equal((await fetch(`${h.server.url}/readyz`)).status, 200);
  assert.equal((await fetch(`${h.server.url}/nothing-here`)).status, 404);
  assert.equal((await fetch(`${h.server.url}/api/github/webhooks`)).status, 405);
});

test('a forged signature gets 400 and makes no API call', async () => {
  const before = h.github.requests.length;
  const forged = await h.github.webhooks.pullRequest('opened', 'acme/flows', pr.number, { secret: 'not-the-secret' });
  assert.equal(forged.status, 400);
  const unsigned = await h.github.webhooks.pullRequest('opened', 'acme/flows', pr.number, { unsigned: true });
  assert.equal(unsigned.status, 400);
  await h.server.idle();
  assert.equal(h.github.requests.length, before, 'no API request was made');
  assert.equal(h.checkRuns().length, 0);
});

test('a delivery sent twice is handled once, also after a restart', async () => {
  const payload = h.github.webhooks.payloads.pullRequest(
    'opened',
    h.github.state.repo('acme', 'flows'),
    h.github.state.pull(h.github.state.repo('acme', 'flows'), pr.number),
    [],
    1,
  );
  const id = randomUUID();
  assert.equal((await h.sendRaw('pull_request', payload, id)).status, 202);
  await h.server.idle();
  const lintRuns = () => h.checkRuns('skiff / lint').length;
  assert.equal(lintRuns(), 1);
  const replay = await h.sendRaw('pull_request', payload, id);
  assert.equal(replay.status, 200);
  assert.match(await replay.text(), /seen before/);
  await h.server.idle();
  assert.equal(lintRuns(), 1, 'the replay did nothing');

  await h.server.close();
  await h.startServer();
  assert.equal((await h.sendRaw('pull_request', payload, id)).status, 200, 'the restarted server still knows the id');
  await h.server.idle();
  assert.equal(lintRuns(), 1);
  assert.equal((await h.sendRaw('pull_request', payload, randomUUID())).status, 202, 'a new delivery is handled');
  await h.server.idle();
  assert.equal(lintRuns(), 2);
});

test('a delivery accepted but not handled before a crash is handled at the next start, once', async () => {
  const repo = h.github.state.repo('acme', 'flows');
  const payload = h.github.webhooks.payloads.pullRequest('reopened', repo, h.github.state.pull(repo, pr.number), [], 1);
  const inboxDir = join(h.stateDir, 'github', 'inbox');
  assert.deepEqual(await readdir(inboxDir), [INBOX_JOURNAL]);
  assert.equal(await readFile(join(inboxDir, INBOX_JOURNAL), 'utf8'), '', 'handled deliveries leave nothing behind');
  await h.server.close();
  // What a process killed right after its 202 leaves: the delivery in the inbox, its id in the ledger.
  const id = randomUUID();
  await new DeliveryInbox(inboxDir).record({ id, name: 'pull_request', payload });
  await (await DeliveryLedger.open(join(h.stateDir, 'github', 'deliveries'))).accept(id);
  const before = h.checkRuns('skiff / lint').length;
  await h.startServer();
  await h.server.idle();
  assert.equal(h.checkRuns('skiff / lint').length, before + 1);
  assert.equal(await readFile(join(inboxDir, INBOX_JOURNAL), 'utf8'), '', 'handled: the journal drained');
  assert.equal((await h.sendRaw('pull_request', payload, id)).status, 200, 'GitHub redelivering it changes nothing');
  await h.server.idle();
  assert.equal(h.checkRuns('skiff / lint').length, before + 1);
});

test('a delivery handled again after a kill takes over the check runs it made, completed or not', async () => {
  const repo = h.github.state.repo('acme', 'flows');
  const pull = h.github.state.pull(repo, pr.number);
  const sha = pull.head.sha;
  const payload = h.github.webhooks.payloads.pullRequest('synchronize', repo, pull, [], 1);
  const id = randomUUID();
  await h.server.close();
  // What a process killed after it completed skiff / lint, with skiff / plan still in progress, leaves.
  const token = h.github.createInstallationToken(repo.installationId!);
  const create = async (body: Record<string, unknown>) => {
    const response = await fetch(`${h.github.baseUrl}/repos/acme/flows/check-runs`, {
      method: 'POST',
      headers: { authorization: `token ${token}`, accept: 'application/vnd.github+json', 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.equal(response.status, 201, await response.text());
  };
  await create({
    name: 'skiff / lint',
    head_sha: sha,
    external_id: `lint:${sha}:${id}`,
    status: 'completed',
    conclusion: 'success',
    output: { title: 'Lint passed', summary: 'no problems' },
  });
  await create({ name: 'skiff / plan', head_sha: sha, external_id: `plan:${sha}:${id}`, status: 'in_progress' });
  await new DeliveryInbox(join(h.stateDir, 'github', 'inbox')).record({ id, name: 'pull_request', payload });
  const runsOf = (name: string) => h.checkRuns(name).filter((r) => r.headSha === sha);
  const before = { lint: runsOf('skiff / lint').length, plan: runsOf('skiff / plan').length };

  await h.startServer();
  await h.server.idle();
  assert.deepEqual({ lint: runsOf('skiff / lint').length, plan: runsOf('skiff / plan').length }, before, 'none made twice');
  assert.deepEqual(
    runsOf('skiff / plan')
      .filter((r) => r.externalId === `plan:${sha}:${id}`)
      .map((r) => r.status),
    ['completed'],
    'the plan left in progress is completed',
  );
  assert.equal((await h.sendRaw('pull_request', payload, id)).status, 200, 'the id went into the ledger from the inbox');
  assert.equal((await h.sendRaw('pull_request', payload, randomUUID())).status, 202);
  await h.server.idle();
  assert.equal(runsOf('skiff / lint').length, before.lint + 1, 'a new delivery about the same commit makes its own');
});

test('a payload over 25 MB, a body that is not JSON, and a bad delivery id are refused without a crash', async () => {
  const big = await fetch(h.github.webhooks.url!, {
    method: 'POST',
    headers: { 'x-github-event': 'push', 'x-github-delivery': randomUUID(), 'content-type': 'application/json' },
    body: Buffer.alloc(25 * 1024 * 1024 + 1, 0x20),
  });
  assert.equal(big.status, 413);
  const text = 'not { json';
  const notJson = await fetch(h.github.webhooks.url!, {
    method: 'POST',
    headers: { 'x-github-event': 'push', 'x-github-delivery': randomUUID(), 'x-hub-signature-256': signWebhookBody(h.github.app.webhookSecret, text) },
    body: text,
  });
  assert.equal(notJson.status, 400);
  assert.equal((await h.sendRaw('push', { a: 1 }, '../../etc/passwd')).status, 400);
  await h.server.idle();
  assert.equal((await fetch(`${h.server.url}/healthz`)).status, 200);
});

test('skiff serve without credentials names every one missing and does not start', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'skiff-serve-'));
  try {
    const run = async (env: Record<string, string>) => {
      let stderr = '';
      const status = await main(['serve', '--port', '0', '--state-dir', join(dir, 'state')], {
        stdout: { write: () => true },
        stderr: { write: (t: string) => (stderr += t) },
        cwd: dir,
        env,
      });
      return { status, stderr };
    };
    const none = await run({});
    assert.equal(none.status, 1);
    assert.match(none.stderr, /APP_ID is not set/);
    assert.match(none.stderr, /PRIVATE_KEY or PRIVATE_KEY_PATH is not set/);
    assert.match(none.stderr, /WEBHOOK_SECRET is not set/);
    await writeFile(join(dir, 'key.pem'), 'not a key');
    const bad = await run({ APP_ID: 'abc', PRIVATE_KEY_PATH: 'key.pem', WEBHOOK_SECRET: 'development' });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /APP_ID="abc" is not an app id/);
    assert.match(bad.stderr, /not PEM/);
    assert.match(bad.stderr, /well-known default/);
    const missingFile = await run({ APP_ID: '1', PRIVATE_KEY_PATH: 'nope.pem', WEBHOOK_SECRET: 's3cret' });
    assert.match(missingFile.stderr, /nope\.pem cannot be read: ENOENT/);
    assert.doesNotMatch(none.stderr + bad.stderr, /\n\s+at /, 'no stack trace');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('/metrics counts deliveries by event and outcome, and shows the queue depth', async () => {
  const repo = h.github.state.repo('acme', 'flows');
  const payload = h.github.webhooks.payloads.pullRequest('reopened', repo, h.github.state.pull(repo, pr.number), [], 1);
  const id = randomUUID();
  await h.sendRaw('pull_request', payload, id);
  await h.sendRaw('pull_request', payload, id);
  await h.sendRaw('pull_request', payload, randomUUID(), 'forged');
  await h.server.idle();
  const response = await fetch(`${h.server.url}/metrics`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0.0.4/);
  const text = await response.text();
  const value = (series: string) => Number(new RegExp(`^${series.replace(/[{}"]/g, '\\$&')} (\\d+)$`, 'm').exec(text)?.[1]);
  assert.ok(value('skiff_github_deliveries_total{event="pull_request",outcome="accepted"}') >= 1, text);
  assert.ok(value('skiff_github_deliveries_total{event="pull_request",outcome="handled"}') >= 1, text);
  assert.ok(value('skiff_github_deliveries_total{event="unknown",outcome="duplicate"}') >= 1, text);
  assert.ok(value('skiff_github_deliveries_total{event="unknown",outcome="refused"}') >= 1, text);
  assert.equal(value('skiff_github_queue_depth'), 0);
  assert.match(text, /# TYPE skiff_github_deliveries_total counter/);
});

test('other handlers (the run page) mount beside the webhooks, on the same server', async () => {
  await h.server.close();
  await h.startServer({ mounts: [{ prefix: '/runs/', handler: (req, res) => reply(res, 200, `run page for ${req.url}`) }] });
  const response = await fetch(`${h.server.url}/runs/ci/build-x7k2p`);
  assert.equal(response.status, 200);
  assert.equal(await response.text(), 'run page for /runs/ci/build-x7k2p');
  h.server.http.mount('/later', (_req, res) => reply(res, 204, ''));
  assert.equal((await fetch(`${h.server.url}/later`)).status, 204, 'also after it listens');
  assert.equal((await fetch(`${h.server.url}/healthz`)).status, 200);
});
