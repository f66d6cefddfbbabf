// Comment commands and check-run buttons against skiff serve, the fake GitHub and the real local
// runtime: /skiff retry from a writer re-runs only the failed step on the same check run, from a
// reader it is refused; the Retry failed button; a fork's PR runs nothing until /skiff ok-to-test,
// pinned to its head commit; hostile comments stay inert.
import { openLocalTarget } from '../../src/cli/local-target.js';
import type { CliIO } from '../../src/cli/cli-io.js';
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { GitHubAppHarness } from '../helpers/github-app-harness.js';
import { LocalRunStore } from '../../src/state/local-run-store.js';
import { LocalRunLauncher } from '../../src/cli/local-run-launcher.js';
import type { StoredRun } from '../../src/ports/run-store.js';

const CONFIG = 'paths: [workflows]\nnamespace: ci\non:\n  pull_request: {workflows: [flaky]}\n';
const FLAKY = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: flaky-}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: prepare, template: ok}
    - - {name: check, template: fail}
  - name: ok
    container: {image: alpine, command: [sh, -c, "echo prepared $(od -An -N8 -tx8 /dev/urandom)"]}
  - name: fail
    container: {image: alpine, command: [sh, -c, "echo checking $(od -An -N8 -tx8 /dev/urandom); exit 1"]}
`;

let h: GitHubAppHarness;
let pr: { number: number; headSha: string };

before(async () => {
  h = await GitHubAppHarness.start();
  await h.github.createRepo('acme/flows', { '.skiff.yml': CONFIG, 'workflows/flaky.yaml': FLAKY });
  h.github.setCollaborator('acme/flows', 'bob', 'write');
  const headSha = await h.github.pushCommit('acme/flows', 'feature', { 'README.md': 'change\n' });
  const pull = await h.github.openPullRequest('acme/flows', { head: 'feature', user: 'alice' });
  pr = { number: pull.number, headSha };
});
afterEach(() => h.github.assertNoViolations());
after(async () => h?.close());

async function runsOf(sha: string): Promise<StoredRun[]> {
  const store = new LocalRunStore(h.stateDir);
  const runs: StoredRun[] = [];
  for (const key of await store.list()) {
    const run = await store.peek(key);
    if (run?.workflow.metadata?.labels?.['skiff.dev/commit'] === sha) runs.push(run);
  }
  return runs;
}
const step = (run: StoredRun, name: string) => Object.values(run.status.nodes).find((n) => n.displayName === name)!;
/** What a step logged: each run of a step logs a fresh random number, so a step that ran again logged one more line. */
async function logOf(run: StoredRun, name: string): Promise<string> {
  const launcher = new LocalRunLauncher(openLocalTarget({ cwd: h.stateDir, env: {} } as unknown as CliIO, { stateDir: h.stateDir }), {});
  const text = await launcher.logTail(run, step(run, name), 50);
  // A step run again appends to its log; a step left alone leaves it as it was.
  assert.match(text ?? '', /^((prepared|checking) +[0-9a-f]{16}\n?)+$/, `${name} logged ${text}`);
  return text!;
}

async function comment(login: string, body: string): Promise<void> {
  const made = h.github.addComment('acme/flows', pr.number, login, body);
  assert.equal((await h.github.webhooks.issueComment('created', 'acme/flows', made.id)).status, 202);
  await h.server.runsSettled();
}

test('a PR runs its pull_request workflow; /skiff retry from a reader is refused, from a writer re-runs only the failed step', async () => {
  await h.github.webhooks.pullRequest('opened', 'acme/flows', pr.number);
  await h.server.runsSettled();
  const [check] = h.checkRuns('skiff / flaky');
  assert.ok(check, h.logs.join('\n'));
  assert.equal(check.conclusion, 'failure');
  const [first] = await runsOf(pr.headSha);
  assert.ok(first);
  const prepared = step(first, 'prepare');
  const failed = step(first, 'check');
  assert.equal(prepared.phase, 'Succeeded');
  assert.equal(failed.phase, 'Failed');
  const preparedLog = await logOf(first, 'prepare');
  const failedLog = await logOf(first, 'check');

  await comment('alice', '/skiff retry');
  const refusal = [...h.github.state.comments.values()].at(-1)!;
  assert.equal(refusal.user.login, h.github.app.botLogin);
  assert.match(refusal.body, /only people with write access/);
  const [unchanged] = await runsOf(pr.headSha);
  assert.equal(await logOf(unchanged!, 'check'), failedLog, 'nothing ran');

  const updatesBefore = h.github.requests.filter((r) => r.operationId === 'checks/update' && r.path.endsWith(`/${check.id}`)).length;
  await comment('bob', 'The check step is flaky.\n/skiff retry');
  const reply = [...h.github.state.comments.values()].at(-1)!;
  assert.match(reply.body, /@bob: retry of commit .*\n\n- flaky: retrying the failed steps/);
  const [retried] = await runsOf(pr.headSha);
  assert.equal(retried!.key, first.key, 'retried in place');
  assert.equal(await logOf(retried!, 'prepare'), preparedLog, 'the succeeded step did not run again');
  assert.equal(step(retried!, 'prepare').finishedAt, prepared.finishedAt);
  const retriedLog = await logOf(retried!, 'check');
  assert.notEqual(retriedLog, failedLog, 'the failed step ran again');
  assert.equal(step(retried!, 'check').phase, 'Failed');
  assert.equal(h.checkRuns('skiff / flaky').length, 1, 'the same check run, no new one');
  const updatesAfter = h.github.requests.filter((r) => r.operationId === 'checks/update' && r.path.endsWith(`/${check.id}`)).length;
  assert.ok(updatesAfter > updatesBefore, 'the check run was updated by the retry');
  assert.equal(check.conclusion, 'failure', 'still failing: the step fails every time');

  // The "Retry failed" button does the same.
  const pressed = await h.github.webhooks.checkRun('requested_action', 'acme/flows', check.id, { identifier: 'skiff-retry-failed', sender: 'bob' });
  assert.equal(pressed.status, 202);
  await h.server.runsSettled();
  const [again] = await runsOf(pr.headSha);
  assert.equal(await logOf(again!, 'prepare'), preparedLog);
  const againLog = await logOf(again!, 'check');
  assert.notEqual(againLog, retriedLog);
  // A reader pressing it (were GitHub to show it) changes nothing.
  await h.github.webhooks.checkRun('requested_action', 'acme/flows', check.id, { identifier: 'skiff-retry-failed', sender: 'alice' });
  await h.server.runsSettled();
  const [still] = await runsOf(pr.headSha);
  assert.equal(await logOf(still!, 'check'), againLog);
  assert.ok(h.logs.some((l) => /alice has no write access/.test(l)));

  // "Retry all" runs every step again, the succeeded one too.
  await h.github.webhooks.checkRun('requested_action', 'acme/flows', check.id, { identifier: 'skiff-retry-all', sender: 'bob' });
  await h.server.runsSettled();
  const [all] = await runsOf(pr.headSha);
  assert.notEqual(await logOf(all!, 'prepare'), preparedLog, 'the succeeded step ran again');
  assert.equal(step(all!, 'prepare').phase, 'Succeeded');
  assert.equal(h.checkRuns('skiff / flaky').length, 1);
});

test("a fork's PR runs nothing until a writer's /skiff ok-to-test, and a new push needs a new approval", async () => {
  const headSha = await h.github.pushCommit('acme/flows', 'from-fork', { 'notes.txt': 'fork\n' });
  const pull = await h.github.openPullRequest('acme/flows', { head: 'from-fork', user: 'mallory' });
  const sendAsFork = async (action: string) => {
    const repo = h.github.state.repo('acme', 'flows');
    const payload = h.github.webhooks.payloads.pullRequest(action, repo, h.github.state.pull(repo, pull.number), [], 1);
    const head = (payload.pull_request as { head: { repo: Record<string, unknown> } }).head;
    head.repo = { ...head.repo, full_name: 'mallory/flows', fork: true };
    assert.equal((await h.github.webhooks.send('pull_request', payload)).status, 202);
    await h.server.runsSettled();
  };
  await sendAsFork('opened');
  assert.deepEqual(await runsOf(headSha), [], 'nothing ran');
  const waiting = h.checkRuns('skiff / flaky').filter((r) => r.headSha === headSha);
  assert.equal(waiting.length, 1);
  assert.equal(waiting[0]!.conclusion, 'neutral');
  assert.match(waiting[0]!.output.summary ?? '', /ok-to-test/);

  pr = { number: pull.number, headSha };
  await comment('mallory', '/skiff ok-to-test');
  assert.deepEqual(await runsOf(headSha), [], 'the fork author cannot approve their own PR');
  await comment('bob', '/skiff ok-to-test');
  assert.equal((await runsOf(headSha)).length, 1, 'approved: it ran');

  const newHead = await h.github.pushCommit('acme/flows', 'from-fork', { 'notes.txt': 'sneaky change\n' });
  await sendAsFork('synchronize');
  assert.deepEqual(await runsOf(newHead), [], 'the new commit needs its own approval');
  const pending = h.checkRuns('skiff / flaky').filter((r) => r.headSha === newHead);
  assert.equal(pending[0]?.conclusion, 'neutral');
});

test('attacker: comments cannot inject Markdown into replies; commands in code or quotes are ignored', async () => {
  const before = h.github.state.comments.size;
  await comment('alice', '```\n/skiff retry\n```\n> /skiff ok-to-test\n    /skiff retry');
  assert.equal(h.github.state.comments.size, before + 1, 'only the comment itself: no reply, nothing run');
  await comment('alice', '/skiff <img src=x onerror=alert(1)>[x](https://evil.example)');
  const reply = [...h.github.state.comments.values()].at(-1)!;
  assert.equal(reply.user.login, h.github.app.botLogin);
  assert.doesNotMatch(reply.body, /<img/);
  assert.doesNotMatch(reply.body, /\]\(https/);
  assert.match(reply.body, /is not a command/);
  await comment('alice', `/skiff retry ${'x'.repeat(65_000)}`);
  assert.match([...h.github.state.comments.values()].at(-1)!.body, /only people with write access/);
});
