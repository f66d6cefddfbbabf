// /skiff run and /skiff cancel, and cancelling superseded runs, against skiff serve, the fake
// GitHub and the real local runtime: a writer runs a named workflow with parameters (passed as
// data, never run), nothing outside the config's paths can be named, a reader's cancel is refused
// with nothing cancelled, a writer's terminates the head's runs, and a new push terminates the
// runs of the head it replaces, each check run completed as cancelled.
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import type { CliIO } from '../../src/cli/cli-io.js';
import { LocalRunLauncher } from '../../src/cli/local-run-launcher.js';
import { openLocalTarget } from '../../src/cli/local-target.js';
import type { StoredRun } from '../../src/ports/run-store.js';
import { LocalRunStore } from '../../src/state/local-run-store.js';
import { GitHubAppHarness } from '../helpers/github-app-harness.js';

const QUICK = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: quick-}
spec:
  entrypoint: main
  templates:
  - name: main
    container: {image: alpine, command: [sh, -c, "echo quick"]}
`;
const ECHO = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: echo-param-}
spec:
  entrypoint: main
  arguments: {parameters: [{name: msg, value: default}]}
  templates:
  - name: main
    container:
      image: alpine
      command: [sh, -c, 'printf "%s\\n" "$MSG"']
      env: [{name: MSG, value: "{{workflow.parameters.msg}}"}]
`;
const SLOW = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: slow-}
spec:
  entrypoint: main
  templates:
  - name: main
    container: {image: alpine, command: [sh, -c, "sleep 120"]}
`;
const EVIL = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: evil-}
spec:
  entrypoint: main
  templates:
  - name: main
    container: {image: alpine, command: [sh, -c, "echo evil"]}
`;

let h: GitHubAppHarness;

before(async () => {
  h = await GitHubAppHarness.start();
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
const workflowOf = (run: StoredRun) => run.workflow.metadata?.annotations?.['skiff.dev/workflow'];

/** Posts a comment and waits until its delivery is handled (not for the runs it starts to end). */
async function comment(fullName: string, number: number, login: string, body: string): Promise<string> {
  const made = h.github.addComment(fullName, number, login, body);
  assert.equal((await h.github.webhooks.issueComment('created', fullName, made.id)).status, 202);
  await h.server.idle();
  const reply = [...h.github.state.comments.values()].filter(
    (c) => c.repoId === made.repoId && c.issueNumber === number && c.user.login === h.github.app.botLogin && c.id > made.id && !c.body.startsWith('<!--'),
  );
  assert.equal(reply.length, 1, `one reply to ${body.slice(0, 60)}`);
  assert.ok(
    [...h.github.state.reactions.values()].some((r) => r.commentId === made.id && r.content === 'eyes'),
    'acknowledged with a reaction',
  );
  return reply[0]!.body;
}

test('/skiff run: a writer runs a named workflow with parameters passed as data; nothing outside the config paths can be named', async () => {
  await h.github.createRepo('acme/runs', {
    '.skiff.yml': 'paths: [workflows]\nnamespace: ci\non:\n  pull_request: {workflows: [quick]}\n',
    'workflows/quick.yaml': QUICK,
    'workflows/echo.yaml': ECHO,
    'elsewhere/evil.yaml': EVIL,
  });
  h.github.setCollaborator('acme/runs', 'bob', 'write');
  const headSha = await h.github.pushCommit('acme/runs', 'feature', { 'notes.txt': 'x\n' });
  const pull = await h.github.openPullRequest('acme/runs', { head: 'feature', user: 'alice' });
  await h.github.webhooks.pullRequest('opened', 'acme/runs', pull.number);
  await h.server.runsSettled();
  assert.deepEqual((await runsOf(headSha)).map(workflowOf), ['quick']);

  const hostile = `$(echo INJECTED) \`echo INJECTED\`; echo INJECTED && touch /tmp/skiff-pwned "'`;
  const reply = await comment('acme/runs', pull.number, 'bob', `/skiff run echo-param -p 'msg=${hostile.replace(/'/g, '')}'`);
  assert.match(reply, /@bob: started echo-param for commit [0-9a-f]{7} with 1 parameter; its check run is skiff \/ echo-param\./);
  await h.server.runsSettled();
  const check = h.checkRuns('skiff / echo-param').find((r) => r.headSha === headSha);
  assert.equal(check?.conclusion, 'success', check?.output.summary ?? h.logs.join('\n'));
  const run = (await runsOf(headSha)).find((r) => workflowOf(r) === 'echo-param')!;
  assert.equal(run.workflow.metadata?.labels?.['skiff.dev/pull-request'], String(pull.number));
  const launcher = new LocalRunLauncher(openLocalTarget({ cwd: h.stateDir, env: {} } as unknown as CliIO, { stateDir: h.stateDir }), {});
  const node = Object.values(run.status.nodes).find((n) => n.type === 'Pod')!;
  assert.equal(await launcher.logTail(run, node, 10), hostile.replace(/'/g, ''), 'the value arrived as it was written: nothing in it ran');

  // A Workflow outside the config's paths, or a path, cannot be named; nor an undeclared parameter.
  const before = (await runsOf(headSha)).length;
  assert.match(
    await comment('acme/runs', pull.number, 'bob', '/skiff run evil'),
    /no Workflow named evil under the paths of \.skiff\.yml at commit [0-9a-f]{7}\. Workflows: echo-param, quick\./,
  );
  assert.match(await comment('acme/runs', pull.number, 'bob', '/skiff run ../elsewhere/evil.yaml'), /is not a workflow name/);
  assert.match(
    await comment('acme/runs', pull.number, 'bob', '/skiff run echo-param -p image=evil'),
    /echo-param declares no parameter image \(it has: msg\); nothing was run\./,
  );
  // A reader's run is refused like any command.
  assert.match(await comment('acme/runs', pull.number, 'alice', '/skiff run quick'), /only people with write access/);
  await h.server.runsSettled();
  assert.equal((await runsOf(headSha)).length, before, 'nothing else ran');
});

test('a new push cancels the runs of the head it replaces; /skiff cancel from a reader is refused, from a writer terminates', async () => {
  await h.github.createRepo('acme/slow', {
    '.skiff.yml': 'paths: [workflows]\nnamespace: ci\nconcurrency: {cancelInProgress: true}\non:\n  pull_request: {workflows: [slow]}\n',
    'workflows/slow.yaml': SLOW,
  });
  h.github.setCollaborator('acme/slow', 'bob', 'write');
  const first = await h.github.pushCommit('acme/slow', 'feature', { 'notes.txt': '1\n' });
  const pull = await h.github.openPullRequest('acme/slow', { head: 'feature', user: 'alice' });
  await h.github.webhooks.pullRequest('opened', 'acme/slow', pull.number);
  await h.server.idle();
  const [firstRun] = await runsOf(first);
  assert.ok(firstRun, h.logs.join('\n'));

  const second = await h.github.pushCommit('acme/slow', 'feature', { 'notes.txt': '2\n' });
  await h.github.webhooks.pullRequest('synchronize', 'acme/slow', pull.number);
  await h.server.idle();
  const checkOf = (sha: string) => h.checkRuns('skiff / slow').find((r) => r.headSha === sha)!;
  const settleCheck = async (sha: string) => {
    for (let i = 0; i < 200 && checkOf(sha).status !== 'completed'; i++) await new Promise((r) => setTimeout(r, 100));
    return checkOf(sha);
  };
  const superseded = await settleCheck(first);
  assert.equal(superseded.conclusion, 'cancelled', superseded.output.summary ?? '');
  assert.match(superseded.output.summary ?? '', /superseded by commit/);
  const [secondRun] = await runsOf(second);
  assert.ok(secondRun);
  assert.equal(checkOf(second).status === 'completed', false, 'the new head runs on');

  assert.match(await comment('acme/slow', pull.number, 'alice', '/skiff cancel'), /only people with write access/);
  await new Promise((r) => setTimeout(r, 500));
  const [still] = await runsOf(second);
  assert.ok(still!.status.phase === 'Running' || still!.status.phase === 'Pending', `nothing cancelled: ${still!.status.phase}`);
  assert.notEqual(checkOf(second).status, 'completed');

  const reply = await comment('acme/slow', pull.number, 'bob', '/skiff cancel slow');
  assert.match(reply, new RegExp(`@bob: cancel for commit ${second.slice(0, 7)}\\n\\n- slow \\(ci/slow-[a-z0-9]+\\): cancelled`));
  const cancelled = await settleCheck(second);
  assert.equal(cancelled.conclusion, 'cancelled');
  assert.match(cancelled.output.summary ?? '', /cancelled by bob/);
  assert.match(await comment('acme/slow', pull.number, 'bob', '/skiff cancel'), /no run is going for commit [0-9a-f]{7}: nothing to cancel\./);
  await h.server.runsSettled();
});

test('a push to a branch cancels the runs of its earlier head when the config asks', async () => {
  const config = 'paths: [workflows]\nnamespace: ci\nconcurrency: {cancelInProgress: true}\non:\n  push: {branches: [main]}\n';
  const repo = await h.github.createRepo('acme/branch', { '.skiff.yml': config, 'workflows/slow.yaml': SLOW });
  await h.github.webhooks.push('acme/branch', { ref: 'refs/heads/main', before: '0'.repeat(40), after: repo.commit });
  await h.server.idle();
  assert.equal((await runsOf(repo.commit)).length, 1);
  const next = await h.github.pushCommit('acme/branch', 'main', { 'notes.txt': 'next\n' });
  await h.github.webhooks.push('acme/branch', { ref: 'refs/heads/main', before: repo.commit, after: next });
  await h.server.idle();
  const checkOf = (sha: string) => h.checkRuns('skiff / slow').find((r) => r.headSha === sha)!;
  for (let i = 0; i < 200 && checkOf(repo.commit).status !== 'completed'; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(checkOf(repo.commit).conclusion, 'cancelled', JSON.stringify(checkOf(repo.commit).output));
  assert.notEqual(checkOf(next).status, 'completed', 'the new head runs on');
  // Another branch's push leaves main's run alone.
  const topic = await h.github.pushCommit('acme/branch', 'topic', { 'notes.txt': 'topic\n' });
  await h.github.webhooks.push('acme/branch', { ref: 'refs/heads/topic', before: '0'.repeat(40), after: topic });
  await h.server.idle();
  assert.notEqual(checkOf(next).status, 'completed');
  const launcher = new LocalRunLauncher(openLocalTarget({ cwd: h.stateDir, env: {} } as unknown as CliIO, { stateDir: h.stateDir }), {});
  for (const run of await runsOf(next)) await launcher.terminate(run.key, 'cancelled: the test is over');
  await h.server.runsSettled();
  assert.equal(checkOf(next).conclusion, 'cancelled');
});
