import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { newRunStatus } from '../../src/engine/run-session.js';
import type { Workflow } from '../../src/spec/model/workflow.js';
import { LocalRunStore } from '../../src/state/local-run-store.js';
import { StateLayout } from '../../src/state/state-layout.js';
import { HELLO, runName, skiff, TWO_STEPS, workspace } from './run-cli.js';

const FAIL_SECOND = { SKIFF_INSTANT_SCRIPT: '{"flaky": {"exitCode": 1}}' };
const HANG = { SKIFF_INSTANT_SCRIPT: '{"say": {"hang": true}}' };

interface Status {
  phase: string;
  message?: string;
  nodes: Record<string, { displayName: string; phase: string; startedAt?: string; type: string; message?: string }>;
}

async function statusOf(dir: string, name: string): Promise<Status> {
  const result = await skiff(dir, ['get', name, '-o', 'json']);
  assert.equal(result.status, 0, result.stderr);
  return (JSON.parse(result.stdout) as { status: Status }).status;
}

function nodeNamed(status: Status, displayName: string) {
  return Object.values(status.nodes).find((n) => n.displayName === displayName);
}

describe('skiff list, get, logs', () => {
  it('lists runs with NAME STATUS AGE DURATION MESSAGE and shows one with get', async () => {
    const dir = workspace({ 'hello.yaml': HELLO, 'two.yaml': TWO_STEPS });
    const ok = runName((await skiff(dir, ['submit', 'hello.yaml', '--wait'])).stdout);
    const failed = runName((await skiff(dir, ['submit', 'two.yaml', '--wait'], { env: FAIL_SECOND })).stdout);
    const list = await skiff(dir, ['list']);
    assert.equal(list.status, 0);
    const lines = list.stdout.trim().split('\n');
    assert.match(lines[0]!, /^NAME\s+STATUS\s+AGE\s+DURATION\s+MESSAGE$/);
    assert.ok(
      lines.some((l) => new RegExp(`^${ok}\\s+Succeeded\\s+\\d+s\\s+\\d+s$`).test(l)),
      list.stdout,
    );
    assert.ok(
      lines.some((l) => new RegExp(`^${failed}\\s+Failed\\s+\\d+s\\s+\\d+s`).test(l)),
      list.stdout,
    );

    const get = await skiff(dir, ['get', failed]);
    assert.equal(get.status, 0);
    assert.match(get.stdout, new RegExp(`^Name:\\s+${failed}$`, 'm'));
    assert.match(get.stdout, /^Status:\s+Failed$/m);
    assert.match(get.stdout, /^├───✔ first\s+say/m);
    assert.match(get.stdout, /^└───✖ second\s+flaky\s+\S+\s+\d+s\s+Error \(exit code 1\)$/m);
    assert.equal((await statusOf(dir, failed)).phase, 'Failed');

    const missing = await skiff(dir, ['get', 'no-such-run']);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /^skiff get: run "no-such-run" in namespace "default" not found/);
  });

  it('prints logs from the layout, each line after its pod name as argo logs does', async () => {
    const dir = workspace({ 'two.yaml': TWO_STEPS });
    const name = runName((await skiff(dir, ['submit', 'two.yaml', '--wait', '-o', 'wide'])).stdout);
    const get = (await skiff(dir, ['get', name])).stdout;
    const pod = (step: string): string => new RegExp(`${step}\\s+\\S+\\s+(${name}-\\S+)`).exec(get)![1]!;
    const layout = new StateLayout(join(dir, 'state'));
    const write = (podName: string, text: string): void => {
      const path = layout.containerLog(name, podName, 'main');
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
    };
    write(pod('first'), 'hi\nthere\n');
    write(pod('second'), 'flaky ok');
    const all = await skiff(dir, ['logs', name]);
    assert.equal(all.status, 0, all.stderr);
    assert.equal(all.stdout, `${pod('first')}: hi\n${pod('first')}: there\n${pod('second')}: flaky ok\n`);
    const one = await skiff(dir, ['logs', name, '--node', 'second']);
    assert.equal(one.stdout, `${pod('second')}: flaky ok\n`);
    const positional = await skiff(dir, ['logs', name, pod('second')]);
    assert.equal(positional.stdout, `${pod('second')}: flaky ok\n`);
    const follow = await skiff(dir, ['logs', name, '--follow', '--node', pod('first')]);
    assert.equal(follow.stdout, `${pod('first')}: hi\n${pod('first')}: there\n`);
    const unknown = await skiff(dir, ['logs', name, '--node', 'nope']);
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /has no step "nope"/);
  });

  it("prints each container's log of a containerSet, or the one asked for", async () => {
    const set = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: { generateName: set- }
spec:
  entrypoint: set
  templates:
  - name: set
    containerSet:
      containers:
      - { name: a, image: alpine, command: ["true"] }
      - { name: main, image: alpine, command: ["true"], dependencies: [a] }
`;
    const dir = workspace({ 'set.yaml': set });
    const name = runName((await skiff(dir, ['submit', 'set.yaml', '--wait'])).stdout);
    const layout = new StateLayout(join(dir, 'state'));
    for (const [container, text] of [
      ['a', 'from a\n'],
      ['main', 'from main\n'],
    ] as const) {
      const path = layout.containerLog(name, name, container);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
    }
    const all = await skiff(dir, ['logs', name]);
    assert.equal(all.status, 0, all.stderr);
    assert.equal(all.stdout, `${name}/a: from a\n${name}/main: from main\n`);
    const one = await skiff(dir, ['logs', name, '-c', 'a']);
    assert.equal(one.stdout, `${name}: from a\n`);
  });
});

describe('skiff retry, resubmit, stop, terminate, resume, delete', () => {
  it('retries a failed run: the failed step runs again, the succeeded one keeps its result', async () => {
    const dir = workspace({ 'two.yaml': TWO_STEPS });
    const name = runName((await skiff(dir, ['submit', 'two.yaml', '--wait'], { env: FAIL_SECOND })).stdout);
    const before = await statusOf(dir, name);
    assert.equal(before.phase, 'Failed');
    const retried = await skiff(dir, ['retry', name, '--wait']);
    assert.equal(retried.status, 0, retried.stdout + retried.stderr);
    assert.match(retried.stdout, /^Status:\s+Succeeded$/m);
    const after = await statusOf(dir, name);
    assert.equal(nodeNamed(after, 'second')?.phase, 'Succeeded');
    assert.equal(nodeNamed(after, 'first')?.startedAt, nodeNamed(before, 'first')?.startedAt, 'first did not run again');

    const again = await skiff(dir, ['retry', name]);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /cannot retry .*succeeded; name the nodes/);
    const restarted = await skiff(dir, ['retry', name, '--node', 'first', '--wait']);
    assert.equal(restarted.status, 1);
    assert.match(restarted.stderr, /succeeded; use restartSuccessful/);
    const forced = await skiff(dir, ['retry', name, '--node', 'first', '--restart-successful', '--wait']);
    assert.equal(forced.status, 0, forced.stderr);
  });

  it('resubmits a run as a new run', async () => {
    const dir = workspace({ 'hello.yaml': HELLO });
    const name = runName((await skiff(dir, ['submit', 'hello.yaml', '--wait', '-p', 'message=again'])).stdout);
    const result = await skiff(dir, ['resubmit', name, '--wait', '-o', 'json']);
    assert.equal(result.status, 0, result.stderr);
    const workflow = JSON.parse(result.stdout) as { metadata: { name: string }; spec: { arguments: { parameters: Array<{ value: string }> } }; status: Status };
    assert.notEqual(workflow.metadata.name, name);
    assert.match(workflow.metadata.name, /^hello-[a-z0-9]{5}$/);
    assert.equal(workflow.spec.arguments.parameters[0]?.value, 'again');
    assert.equal(workflow.status.phase, 'Succeeded');
  });

  it('stops a run running in the background: the exit handler still runs', async () => {
    const dir = workspace({ 'two.yaml': TWO_STEPS });
    const name = (await skiff(dir, ['submit', 'two.yaml'], { env: HANG })).stdout.trim();
    const stopped = await skiff(dir, ['stop', name], { env: HANG });
    assert.equal(stopped.status, 0, stopped.stderr);
    assert.equal(stopped.stdout, `${name} stopped\n`);
    const waited = await skiff(dir, ['wait', name, '-o', 'json']);
    assert.equal(waited.status, 1);
    const status = (JSON.parse(waited.stdout) as { status: Status }).status;
    assert.equal(status.phase, 'Failed');
    assert.match(status.message ?? '', /Stop/);
    assert.equal(nodeNamed(status, `${name}.onExit`)?.phase, 'Succeeded');
    const late = await skiff(dir, ['stop', name]);
    assert.equal(late.status, 1);
    assert.match(late.stderr, /has already finished \(Failed\)/);
  });

  it('terminates a run: the exit handler does not run', async () => {
    const dir = workspace({ 'two.yaml': TWO_STEPS });
    const name = (await skiff(dir, ['submit', 'two.yaml'], { env: HANG })).stdout.trim();
    const terminated = await skiff(dir, ['terminate', name, '--message', 'enough'], { env: HANG });
    assert.equal(terminated.status, 0, terminated.stderr);
    const waited = await skiff(dir, ['wait', name, '-o', 'json']);
    assert.equal(waited.status, 1);
    const status = (JSON.parse(waited.stdout) as { status: Status }).status;
    assert.equal(status.phase, 'Failed');
    assert.equal(status.message, 'enough', 'the --message given is the run message');
    assert.equal(nodeNamed(status, `${name}.onExit`), undefined);
  });

  it('continues, with resume, a run whose skiff process died', async () => {
    const dir = workspace({});
    const layout = new StateLayout(join(dir, 'state'));
    const store = new LocalRunStore(layout.root);
    const workflow: Workflow = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Workflow',
      metadata: { name: 'orphan-abcde', namespace: 'default' },
      spec: { entrypoint: 'main', templates: [{ name: 'main', container: { image: 'busybox', command: ['true'] } }] },
    };
    await store.save({ key: 'default/orphan-abcde', workflow, status: { ...newRunStatus(), phase: 'Running' } });
    await store.closeAll();
    // A lease left by a process that is gone (pid 2^22 + 1 is above Linux's pid_max default range).
    writeFileSync(join(layout.runDir('default/orphan-abcde'), 'driver.json'), JSON.stringify({ pid: 4194305 }));
    const list = await skiff(dir, ['list']);
    assert.match(list.stdout, /orphan-abcde\s+Running.*no skiff process is running it; skiff resume orphan-abcde continues it/);
    const resumed = await skiff(dir, ['resume', 'orphan-abcde', '--wait']);
    assert.equal(resumed.status, 0, resumed.stdout + resumed.stderr);
    assert.match(resumed.stdout, /^Status:\s+Succeeded$/m);
  });

  it('removes the claim directories a finished run kept because its skiff died, at the next submit', async () => {
    const dir = workspace({ 'hello.yaml': HELLO });
    const layout = new StateLayout(join(dir, 'state'));
    const store = new LocalRunStore(layout.root);
    const workflow: Workflow = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Workflow',
      metadata: { name: 'ended-abcde', namespace: 'default' },
      spec: { entrypoint: 'main', templates: [{ name: 'main', container: { image: 'busybox', command: ['true'] } }] },
    };
    await store.save({ key: 'default/ended-abcde', workflow, status: { ...newRunStatus(), phase: 'Succeeded' } });
    await store.save({
      key: 'default/running-abcde',
      workflow: { ...workflow, metadata: { ...workflow.metadata, name: 'running-abcde' } },
      status: { ...newRunStatus(), phase: 'Running' },
    });
    await store.closeAll();
    mkdirSync(join(layout.claimsDir('ended-abcde'), 'workdir'), { recursive: true });
    mkdirSync(join(layout.claimsDir('running-abcde'), 'workdir'), { recursive: true });
    // The running run's skiff is alive (this test process), so its claims are in use.
    writeFileSync(join(layout.runDir('default/running-abcde'), 'driver.json'), JSON.stringify({ pid: process.pid }));
    const submitted = await skiff(dir, ['submit', 'hello.yaml', '--wait']);
    assert.equal(submitted.status, 0, submitted.stderr);
    assert.equal(existsSync(layout.claimsDir('ended-abcde')), false);
    assert.equal(existsSync(join(layout.claimsDir('running-abcde'), 'workdir')), true);
  });

  it('resumes a suspended run', async () => {
    const dir = workspace({
      'approve.yaml':
        'apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {generateName: approve-}\nspec:\n  entrypoint: main\n  templates:\n  - name: main\n    steps:\n    - - {name: wait, template: gate}\n    - - {name: ship, template: ship}\n  - name: gate\n    suspend: {}\n  - name: ship\n    container: {image: busybox, command: [echo, shipped]}\n',
    });
    const name = (await skiff(dir, ['submit', 'approve.yaml'])).stdout.trim();
    let status = await statusOf(dir, name);
    for (let i = 0; i < 100 && nodeNamed(status, 'wait')?.phase !== 'Running'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = await statusOf(dir, name);
    }
    assert.match((await skiff(dir, ['get', name])).stdout, /ǁ wait/);
    const resumed = await skiff(dir, ['resume', name]);
    assert.equal(resumed.status, 0, resumed.stderr);
    const waited = await skiff(dir, ['wait', name]);
    assert.equal(waited.status, 0, waited.stdout);
    assert.match(waited.stdout, /✔ ship/);
  });

  it('deletes a run and its logs', async () => {
    const dir = workspace({ 'hello.yaml': HELLO });
    const name = runName((await skiff(dir, ['submit', 'hello.yaml', '--wait'])).stdout);
    const layout = new StateLayout(join(dir, 'state'));
    const log = layout.containerLog(name, name, 'main');
    mkdirSync(dirname(log), { recursive: true });
    writeFileSync(log, 'hello\n');
    const deleted = await skiff(dir, ['delete', name]);
    assert.equal(deleted.status, 0, deleted.stderr);
    assert.equal(deleted.stdout, `workflow ${name} deleted\n`);
    assert.equal(existsSync(join(layout.runs, 'default', name)), false);
    assert.equal(existsSync(layout.podDir(name, name)), false);
    assert.equal((await skiff(dir, ['get', name])).status, 1);
    const again = await skiff(dir, ['delete', name]);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /not found/);
  });

  it('exits 2 on usage errors, and explains every command with --help', async () => {
    const dir = workspace({});
    const wrong = [
      ['get'],
      ['get', 'a', '--status'],
      ['get', 'a', '-o', 'xml'],
      ['list', 'x'],
      ['logs'],
      ['logs', 'a', '--bogus'],
      ['retry'],
      ['resubmit'],
      ['stop'],
      ['terminate'],
      ['resume'],
      ['delete'],
      ['wait'],
    ];
    for (const args of wrong) {
      const result = await skiff(dir, args);
      assert.equal(result.status, 2, args.join(' '));
      assert.match(result.stderr, new RegExp(`^skiff ${args[0]}: .+\nRun "skiff ${args[0]} --help" for usage.\n$`), args.join(' '));
    }
    for (const command of [
      'apply',
      'submit',
      'list',
      'get',
      'logs',
      'watch',
      'wait',
      'retry',
      'resubmit',
      'resume',
      'stop',
      'terminate',
      'delete',
      'cp',
      'template',
      'cron',
      'version',
    ]) {
      const help = await skiff(dir, [command, '--help']);
      assert.equal(help.status, 0, command);
      assert.match(help.stdout, new RegExp(`^Usage: skiff ${command}`), command);
      assert.match(help.stdout, /Exit status: 0/, command);
    }
    const top = await skiff(dir, ['--help']);
    assert.doesNotMatch(top.stdout, /__drive/);
    for (const command of ['watch', 'cp', 'template', 'cron', 'version']) assert.match(top.stdout, new RegExp(`^  ${command}\\s+\\S`, 'm'), command);
    // Each command's help lists the flags an Argo user reaches for.
    const flags: Record<string, string[]> = {
      submit: [
        '--watch',
        '--log',
        '--labels',
        '--name',
        '--generate-name',
        '--serviceaccount',
        '--priority',
        '--dry-run',
        '--server-dry-run',
        '--parameter-file',
      ],
      list: ['--status', '--running', '--completed', '--prefix', '--since', '--older', '--selector', '--all-namespaces', '--no-headers', '--chunk-size'],
      get: ['--status', '--node-field-selector', '@latest'],
      logs: ['--since', '--since-time', '--tail', '--grep', '--timestamps', '--no-color', '--previous'],
      retry: ['--node-field-selector', '--parameter', '--watch', '--log'],
      delete: ['--all', '--completed', '--older', '--prefix', '--selector'],
      cron: ['suspend', 'resume', 'backfill', 'schedule'],
    };
    for (const [command, wanted] of Object.entries(flags)) {
      const help = (await skiff(dir, [command, '--help'])).stdout;
      for (const flag of wanted) assert.ok(help.includes(flag), `${command} --help lists ${flag}`);
    }
  });
});
