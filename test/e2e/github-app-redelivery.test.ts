// A delivery handled, then handled again after a restart (what a kill after part of the work
// leaves: the delivery still in the inbox), against skiff serve, the fake GitHub and the local
// runtime: a pull request's workflows run once each on one check run; a comment command is answered
// once and acts once, also when the kill came after it acted and before it answered; a person
// writing the reply's marker cannot silence a command.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import { replyMarker } from '../../src/github/command-reply.js';
import { DeliveryInbox } from '../../src/github/delivery-inbox.js';
import type { StoredRun } from '../../src/ports/run-store.js';
import { LocalRunStore } from '../../src/state/local-run-store.js';
import { GitHubAppHarness } from '../helpers/github-app-harness.js';

const workflow = (name: string, script: string) => `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: ${name}-}
spec:
  entrypoint: main
  templates:
  - name: main
    container: {image: alpine, command: [sh, -c, "${script}"]}
`;
const CONFIG = 'paths: [workflows]\nnamespace: ci\non:\n  pull_request: {workflows: [build, flaky]}\n';

let h: GitHubAppHarness;
let pull: { number: number };
let headSha: string;

before(async () => {
  h = await GitHubAppHarness.start();
  await h.github.createRepo('acme/flows', {
    '.skiff.yml': CONFIG,
    'workflows/build.yaml': workflow('build', 'echo built'),
    'workflows/flaky.yaml': workflow('flaky', 'echo checking $(od -An -N8 -tx8 /dev/urandom); exit 1'),
    'workflows/extra.yaml': workflow('extra', 'echo extra'),
  });
  h.github.setCollaborator('acme/flows', 'bob', 'write');
  headSha = await h.github.pushCommit('acme/flows', 'feature', { 'notes.txt': 'x\n' });
  pull = await h.github.openPullRequest('acme/flows', { head: 'feature', user: 'alice' });
});
afterEach(() => h.github.assertNoViolations());
after(async () => h?.close());

async function runsOf(name: string): Promise<StoredRun[]> {
  const store = new LocalRunStore(h.stateDir);
  const runs: StoredRun[] = [];
  for (const key of await store.list()) {
    const run = await store.peek(key);
    if (run?.workflow.metadata?.labels?.['skiff.dev/commit'] === headSha && run.workflow.metadata?.annotations?.['skiff.dev/workflow'] === name) runs.push(run);
  }
  return runs;
}
const checksOf = (name: string) => h.checkRuns(`skiff / ${name}`).filter((r) => r.headSha === headSha);
/** Skiff's answers in the pull request's conversation (its one PR comment, which starts with its marker, aside). */
const replies = () =>
  [...h.github.state.comments.values()].filter((c) => c.issueNumber === pull.number && c.user.login === h.github.app.botLogin && !c.body.startsWith('<!--'));

/** Handles `payload` again as a restart does with what a killed process left in the inbox. */
async function handleAgain(name: string, payload: Record<string, unknown>, id: string): Promise<void> {
  await h.server.close();
  await new DeliveryInbox(join(h.stateDir, 'github', 'inbox')).record({ id, name, payload });
  await h.startServer();
  await h.server.runsSettled();
}

/** A comment and its delivery (sent with `id`), handled and its runs ended; returns the payload to handle again. */
async function command(body: string, id: string, login = 'bob'): Promise<{ payload: Record<string, unknown>; commentId: number }> {
  const made = h.github.addComment('acme/flows', pull.number, login, body);
  const payload = h.github.webhooks.payloads.issueComment('created', h.github.state.repo('acme', 'flows'), made) as Record<string, unknown>;
  assert.equal((await h.sendRaw('issue_comment', payload, id)).status, 202);
  await h.server.runsSettled();
  return { payload, commentId: made.id };
}

test('a pull_request delivery handled again runs each workflow once, on one check run', async () => {
  const repo = h.github.state.repo('acme', 'flows');
  const payload = h.github.webhooks.payloads.pullRequest('opened', repo, h.github.state.pull(repo, pull.number), [], 1) as Record<string, unknown>;
  const id = randomUUID();
  assert.equal((await h.sendRaw('pull_request', payload, id)).status, 202);
  await h.server.runsSettled();
  assert.deepEqual([(await runsOf('build')).length, (await runsOf('flaky')).length], [1, 1]);

  await handleAgain('pull_request', payload, id);
  assert.deepEqual([(await runsOf('build')).length, (await runsOf('flaky')).length], [1, 1], 'no workflow started twice');
  for (const [name, conclusion] of [
    ['build', 'success'],
    ['flaky', 'failure'],
    ['lint', 'success'],
    ['plan', 'success'],
  ] as const) {
    assert.deepEqual(
      checksOf(name).map((r) => `${r.status}/${r.conclusion}`),
      [`completed/${conclusion}`],
      `one check run of ${name}`,
    );
  }
});

test('/skiff run handled again is answered once and runs once, also when the kill came between the run and the reply', async () => {
  const id = randomUUID();
  const before = replies().length;
  const { payload } = await command('/skiff run extra', id);
  assert.equal(replies().length, before + 1);
  assert.match(replies().at(-1)!.body, /@bob: started extra for commit/);
  assert.equal((await runsOf('extra')).length, 1);

  // Answered already: nothing more is done.
  await handleAgain('issue_comment', payload, id);
  assert.equal(replies().length, before + 1, 'not answered twice');
  assert.equal((await runsOf('extra')).length, 1, 'not run twice');

  // Killed after the run started, before the reply: the run is found again and the command answered, once.
  h.github.state.comments.delete(replies().at(-1)!.id);
  await handleAgain('issue_comment', payload, id);
  assert.equal(replies().length, before + 1);
  assert.match(replies().at(-1)!.body, /@bob: started extra for commit/);
  assert.equal((await runsOf('extra')).length, 1, 'the run of the first handling was taken over');
  assert.deepEqual(
    checksOf('extra').map((r) => `${r.status}/${r.conclusion}`),
    ['completed/success'],
  );
});

test('/skiff retry handled again after it retried, before it replied, retries once and answers once', async () => {
  const [failed] = await runsOf('flaky');
  assert.equal(failed?.status.phase, 'Failed');
  // A retry runs the failed step again: the run (and that step) finish anew.
  const logsOf = async () => {
    const [run] = await runsOf('flaky');
    return { finishedAt: run!.status.finishedAt, step: Object.values(run!.status.nodes).find((n) => n.type === 'Pod')?.finishedAt };
  };
  const first = await logsOf();
  const id = randomUUID();
  const before = replies().length;
  const { payload } = await command('/skiff retry', id);
  assert.match(replies().at(-1)!.body, /@bob: retry of commit [0-9a-f]{7}\n\n- flaky: retrying the failed steps/);
  const retried = await logsOf();
  assert.notEqual(retried.finishedAt, first.finishedAt, 'the run was retried');

  h.github.state.comments.delete(replies().at(-1)!.id);
  await handleAgain('issue_comment', payload, id);
  assert.deepEqual(await logsOf(), retried, 'not retried a second time');
  assert.equal(replies().length, before + 1, 'answered once');
  assert.match(replies().at(-1)!.body, /- flaky: retrying the failed steps/, 'and said as the first handling would have');
  assert.equal(checksOf('flaky').length, 1, 'on the same check run');
});

test("attacker: a person's comment holding a command's reply marker does not silence the command", async () => {
  const id = randomUUID();
  const made = h.github.addComment('acme/flows', pull.number, 'bob', '/skiff help');
  h.github.addComment('acme/flows', pull.number, 'mallory', `already done ${replyMarker(made.id, id)}`);
  const payload = h.github.webhooks.payloads.issueComment('created', h.github.state.repo('acme', 'flows'), made) as Record<string, unknown>;
  const before = replies().length;
  // Left in the inbox: handled as a delivery an earlier process may have answered, so the marker is looked for.
  await handleAgain('issue_comment', payload, id);
  assert.equal(replies().length, before + 1, 'answered all the same');
  assert.match(replies().at(-1)!.body, /skiff/);
});
