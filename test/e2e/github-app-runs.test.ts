import type { CliIO } from '../../src/cli/cli-io.js';
import { openLocalTarget } from '../../src/cli/local-target.js';
import { localRunPageSource } from '../../src/cli/local-run-page-source.js';
import { runPageMount } from '../../src/server/run-page/run-page-mount.js';
// A push to a configured branch against skiff serve, the fake GitHub and the real local runtime
// (bubblewrap sandbox): the sync applies, the workflow runs, and its check run goes queued →
// in_progress → completed with the step table, failed steps' log tails with secrets redacted,
// and the retry buttons.
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { GitHubAppHarness } from '../helpers/github-app-harness.js';
import { LocalObjectStore } from '../../src/state/local-object-store.js';
import { StateLayout } from '../../src/state/state-layout.js';
import { LocalRunStore } from '../../src/state/local-run-store.js';

const SECRET = 'hunter2-s3cr3t-value';
const CONFIG = 'paths: [workflows]\nnamespace: ci\non:\n  push: {branches: [main]}\n';
const PASS = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: greet-}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: hello, template: say}
    - - {name: goodbye, template: say}
  - name: say
    container: {image: alpine, command: [sh, -c, "echo hello from a step"]}
`;
const LEAK = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: leak-}
spec:
  entrypoint: main
  templates:
  - name: main
    container:
      image: alpine
      command: [sh, -c, 'echo "token is $TOKEN"; printf %s "$TOKEN" | base64; echo "<b>bold</b> @acme/admins"; exit 3']
      env: [{name: TOKEN, valueFrom: {secretKeyRef: {name: creds, key: token}}}]
`;
const TEMPLATE = `apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata: {name: shared}
spec:
  templates:
  - name: main
    container: {image: alpine, command: [echo, shared]}
`;

let h: GitHubAppHarness;

before(async () => {
  h = await GitHubAppHarness.start();
  const objects = new LocalObjectStore(new StateLayout(h.stateDir).objects);
  await objects.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds', namespace: 'ci' }, stringData: { token: SECRET } } as never);
});
afterEach(() => h.github.assertNoViolations());
after(async () => h?.close());

test('a push to main applies the repository and runs its workflows, each with a check run', async () => {
  const repo = await h.github.createRepo('acme/flows', {
    '.skiff.yml': CONFIG,
    'workflows/greet.yaml': PASS,
    'workflows/leak.yaml': LEAK,
    'workflows/shared.yaml': TEMPLATE,
  });
  const delivery = await h.github.webhooks.push('acme/flows', { ref: 'refs/heads/main', before: '0'.repeat(40), after: repo.commit });
  assert.equal(delivery.status, 202);
  await h.server.runsSettled();
  assert.deepEqual(h.logs, []);

  const sync = h.checkRuns('skiff / sync');
  assert.equal(sync.length, 1);
  assert.equal(sync[0]!.conclusion, 'success');
  assert.match(sync[0]!.output.summary ?? '', /WorkflowTemplate ci\/shared/);
  const objects = new LocalObjectStore(new StateLayout(h.stateDir).objects);
  assert.ok(await objects.getObject('WorkflowTemplate', 'ci', 'shared'), 'the template was applied to the state directory');

  const greet = h.checkRuns('skiff / greet');
  assert.equal(greet.length, 1);
  const run = greet[0]!;
  assert.equal(run.headSha, repo.commit);
  assert.equal(run.status, 'completed');
  assert.equal(run.conclusion, 'success', run.output.summary ?? '');
  assert.match(run.externalId ?? '', /^ci\/greet-/);
  const summary = run.output.summary ?? '';
  assert.match(summary, /\| Step \| Phase \| Duration \| Message \|/);
  assert.match(summary, /\| hello \| Succeeded \| \d+s \|/);
  assert.match(summary, /\| goodbye \| Succeeded \| \d+s \|/);
  assert.deepEqual(
    run.actions.map((a) => a.identifier),
    ['skiff-retry-all'],
  );
  // queued (created), then in progress, then completed: every update is in the fake's request log.
  const created = h.github.requests.find((r) => r.operationId === 'checks/create' && (r.body as { name?: string }).name === 'skiff / greet');
  assert.equal((created?.body as { status?: string } | undefined)?.status, 'queued');
  const updates = h.github.requests.filter((r) => r.operationId === 'checks/update' && r.path.endsWith(`/check-runs/${run.id}`));
  const statuses = updates.map((r) => (r.body as { status?: string }).status);
  assert.equal(statuses.at(-1), 'completed');
  assert.deepEqual(
    statuses.filter((s, i) => s !== statuses[i - 1]),
    statuses.includes('in_progress') ? ['in_progress', 'completed'] : ['completed'],
    'only forward',
  );
  // The check run is updated when a read-back differs, at most once per interval (200 ms here):
  // however many node events the run makes, no more updates than its duration allows.
  const stored = await new LocalRunStore(h.stateDir).peek(run.externalId!);
  const seconds = (Date.parse(stored!.status.finishedAt!) - Date.parse(stored!.status.startedAt!)) / 1000;
  assert.ok(updates.length <= Math.ceil((seconds + 1) * 5) + 1, `at most one update per 200 ms: ${updates.length} in ${seconds} s`);

  const leak = h.checkRuns('skiff / leak')[0]!;
  assert.equal(leak.conclusion, 'failure');
  assert.deepEqual(
    leak.actions.map((a) => a.identifier),
    ['skiff-retry-failed', 'skiff-retry-all'],
  );
  const shown = JSON.stringify(leak.output);
  assert.match(leak.output.text ?? '', /token is \[redacted\]/, "the failed step's log tail is shown");
  assert.ok(!shown.includes(SECRET), 'the secret never appears');
  assert.ok(!shown.includes(Buffer.from(SECRET).toString('base64').slice(0, 20)), 'nor its base64 form');
  assert.doesNotMatch(leak.output.summary ?? '', /<b>/);
});

test('a push to a branch the config does not name runs nothing', async () => {
  const before = h.github.state.checkRuns.size;
  const sha = await h.github.pushCommit('acme/flows', 'topic', { 'notes.txt': 'x\n' });
  await h.github.webhooks.push('acme/flows', { ref: 'refs/heads/topic', before: '0'.repeat(40), after: sha });
  await h.server.runsSettled();
  assert.equal(h.github.state.checkRuns.size, before);
});

test('a run that ends while Skiff is down gets its check run completed after the restart, once', async () => {
  const slow = PASS.replace('greet-', 'slow-').replace('echo hello from a step', 'sleep 1; echo slow');
  const repo = await h.github.createRepo('acme/slow', { '.skiff.yml': CONFIG, 'workflows/slow.yaml': slow });
  await h.github.webhooks.push('acme/slow', { ref: 'refs/heads/main', before: '0'.repeat(40), after: repo.commit });
  await h.server.idle();
  await h.server.close(); // Skiff goes down; the run goes on in its own process.
  const store = new LocalRunStore(h.stateDir);
  const finished = async () => {
    for (const key of await store.list()) {
      const run = await store.peek(key);
      if (run?.workflow.metadata?.generateName === 'slow-' && (run.status.phase === 'Succeeded' || run.status.phase === 'Failed')) return run;
    }
    return undefined;
  };
  for (let i = 0; i < 300 && !(await finished()); i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal((await finished())?.status.phase, 'Succeeded');
  const [check] = h.checkRuns('skiff / slow');
  assert.ok(check);
  assert.notEqual(check.status, 'completed', 'nobody reported the end yet');

  await h.startServer();
  await h.server.runsSettled();
  assert.equal(check.status, 'completed');
  assert.equal(check.conclusion, 'success');
  assert.match(check.output.summary ?? '', /\| hello \| Succeeded \|/);
  const updates = () => h.github.requests.filter((r) => r.operationId === 'checks/update' && r.path.endsWith(`/check-runs/${check.id}`)).length;
  const reported = updates();
  await h.server.close();
  await h.startServer();
  await h.server.runsSettled();
  assert.equal(updates(), reported, 'a second restart reports nothing again');
});

test('configured workflows that do not run get a neutral check saying why', async () => {
  const config = 'paths: [workflows]\nnamespace: ci\non:\n  push: {branches: [main], workflows: [greet, ghost]}\n';
  const repo = await h.github.createRepo('acme/ghosts', { '.skiff.yml': config, 'workflows/greet.yaml': PASS });
  await h.github.webhooks.push('acme/ghosts', { ref: 'refs/heads/main', before: '0'.repeat(40), after: repo.commit });
  await h.server.runsSettled();
  const ghost = h.checkRuns('skiff / ghost').filter((r) => r.headSha === repo.commit);
  assert.equal(ghost.length, 1);
  assert.equal(ghost[0]!.conclusion, 'neutral');
  assert.match(ghost[0]!.output.summary ?? '', /no Workflow has that name/);
  assert.equal(h.checkRuns('skiff / greet').find((r) => r.headSha === repo.commit)?.conclusion, 'success');

  const broken = await h.github.pushCommit('acme/ghosts', 'main', { 'workflows/greet.yaml': PASS.replace('entrypoint: main', 'entrypoint: main\n  bogus: 1') });
  await h.github.webhooks.push('acme/ghosts', { ref: 'refs/heads/main', before: repo.commit, after: broken });
  await h.server.runsSettled();
  assert.equal(h.checkRuns('skiff / lint').find((r) => r.headSha === broken)?.conclusion, 'failure');
  const notRun = h.checkRuns('skiff / greet').find((r) => r.headSha === broken);
  assert.equal(notRun?.conclusion, 'neutral');
  assert.match(notRun?.output.summary ?? '', /does not lint/);
});

test("a run's check run links to its run page on the same server, signed for that run; a tampered link gets 403", async () => {
  const target = openLocalTarget({ cwd: h.stateDir, env: {} } as unknown as CliIO, { stateDir: h.stateDir });
  const page = await runPageMount(localRunPageSource(target, process.env), target.layout.root);
  let base = '';
  await h.server.close();
  await h.startServer({
    mounts: [
      { prefix: '/runs/', handler: page.handler },
      { prefix: '/_skiff/', handler: page.handler },
    ],
    runPageUrl: (key) => page.link(base, key),
  });
  base = h.server.url;
  try {
    const repo = await h.github.createRepo('acme/linked', { '.skiff.yml': CONFIG, 'workflows/greet.yaml': PASS });
    assert.equal((await h.github.webhooks.push('acme/linked', { ref: 'refs/heads/main', before: '0'.repeat(40), after: repo.commit })).status, 202);
    await h.server.runsSettled();
    const run = h.checkRuns('skiff / greet').find((r) => r.headSha === repo.commit)!;
    assert.equal(run.conclusion, 'success', `${run.output.summary}\n${run.output.text}`);
    const details = run.detailsUrl ?? '';
    assert.match(details, new RegExp(`^${base}/runs/ci/greet-[a-z0-9]+\\?`), details);
    const opened = await fetch(details);
    assert.equal(opened.status, 200);
    assert.match(await opened.text(), new RegExp(run.externalId!.split('/')[1]!));
    const tampered = new URL(details);
    const sig = tampered.searchParams.get('sig')!;
    tampered.searchParams.set('sig', `${sig.slice(0, -1)}${sig.endsWith('0') ? '1' : '0'}`);
    assert.equal((await fetch(tampered)).status, 403);
    const another = new URL(details);
    another.pathname = '/runs/ci/someone-else';
    assert.equal((await fetch(another)).status, 403, 'a link is for one run only');
  } finally {
    page.handler.close();
  }
});
