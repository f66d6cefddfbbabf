import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { StateLayout } from '../../src/state/state-layout.js';
import { HELLO, skiff, TWO_STEPS, workspace } from './run-cli.js';

const HANG = { SKIFF_INSTANT_SCRIPT: '{"say": {"hang": true}}' };
const FAIL_SECOND = { SKIFF_INSTANT_SCRIPT: '{"flaky": {"exitCode": 1}}' };

async function phaseOf(dir: string, name: string): Promise<string> {
  return (JSON.parse((await skiff(dir, ['get', name, '-o', 'json'])).stdout) as { status: { phase: string } }).status.phase;
}

describe('several runs at once, as argo does', () => {
  it('stops and terminates several named runs, or those -l selects', async () => {
    const dir = workspace({ 'two.yaml': TWO_STEPS });
    for (const [name, team] of [
      ['a', 'x'],
      ['b', 'x'],
      ['c', 'y'],
      ['d', 'y'],
    ]) {
      assert.equal((await skiff(dir, ['submit', 'two.yaml', '--name', name!, '-l', `team=${team}`], { env: HANG })).status, 0);
    }
    const stopped = await skiff(dir, ['stop', 'a', 'b'], { env: HANG });
    assert.equal(stopped.status, 0, stopped.stderr);
    assert.equal(stopped.stdout, 'a stopped\nb stopped\n');
    const waited = await skiff(dir, ['wait', 'a', 'b', '-o', 'name'], { env: HANG });
    assert.equal(waited.stdout, 'a\nb\n');
    assert.equal(waited.status, 1, 'stopped runs did not succeed');
    const terminated = await skiff(dir, ['terminate', '-l', 'team=y'], { env: HANG });
    assert.equal(terminated.status, 0, terminated.stderr);
    assert.equal(terminated.stdout, 'd terminated\nc terminated\n');
    const selected = await skiff(dir, ['wait', '-l', 'team=y'], { env: HANG });
    assert.equal(selected.status, 0, 'nothing of team y is still running: nothing to wait for');
    assert.equal(await phaseOf(dir, 'c'), 'Failed');
    const again = await skiff(dir, ['stop', 'a', 'c'], { env: HANG });
    assert.equal(again.status, 1);
    assert.match(again.stderr, /run "a" in namespace "default" has already finished/);
    assert.equal((await skiff(dir, ['stop'])).status, 2);
  });

  it('deletes by --all, --completed, --older, --prefix and -l, and --dry-run deletes nothing', async () => {
    const dir = workspace({ 'hello.yaml': HELLO, 'two.yaml': TWO_STEPS });
    for (const name of ['keep-1', 'keep-2', 'tmp-1', 'tmp-2'])
      assert.equal((await skiff(dir, ['submit', 'hello.yaml', '--name', name, '-l', `kind=${name.slice(0, -2)}`, '-w'])).status, 0);
    assert.equal((await skiff(dir, ['submit', 'hello.yaml', '--name', 'other-ns', '-n', 'ci', '-w'])).status, 0);
    const names = async (): Promise<string> => (await skiff(dir, ['list', '-A', '-o', 'name'])).stdout.split('\n').filter(Boolean).sort().join(' ');
    const dry = await skiff(dir, ['delete', '--prefix', 'tmp-', '--dry-run']);
    assert.equal(dry.stdout, 'workflow tmp-2 deleted (dry run)\nworkflow tmp-1 deleted (dry run)\n');
    assert.equal(await names(), 'keep-1 keep-2 other-ns tmp-1 tmp-2');
    assert.equal((await skiff(dir, ['delete', '--prefix', 'tmp-'])).stdout, 'workflow tmp-2 deleted\nworkflow tmp-1 deleted\n');
    assert.equal((await skiff(dir, ['delete', '--older', '1h'])).stdout, '', 'none finished an hour ago');
    assert.equal((await skiff(dir, ['delete', '-l', 'kind=keep', '--older', '0s', '--dry-run'])).stdout.split('\n').filter(Boolean).length, 2);
    assert.equal((await skiff(dir, ['delete', '--completed', '-l', 'kind=keep'])).status, 0);
    assert.equal(await names(), 'other-ns');
    assert.equal((await skiff(dir, ['delete', '--all'])).stdout, '', 'the default namespace is empty');
    assert.equal((await skiff(dir, ['delete', '--all', '-A'])).stdout, 'workflow other-ns deleted (namespace ci)\n');
    assert.equal(await names(), '');
  });
});

describe('skiff watch, version, retry as argo', () => {
  it('watches a run to its end, and says so when it ended already', async () => {
    const dir = workspace({ 'hello.yaml': HELLO });
    assert.equal((await skiff(dir, ['submit', 'hello.yaml', '--name', 'slow'], { env: { SKIFF_INSTANT_SCRIPT: '{"main": {"delayMs": 400}}' } })).status, 0);
    const watched = await skiff(dir, ['watch', 'slow']);
    assert.equal(watched.status, 0, watched.stderr);
    assert.match(watched.stdout, /^slow\s+Running$/m, 'a line per change while it ran');
    assert.match(watched.stdout, /^Status:\s+Succeeded$/m);
    const latest = await skiff(dir, ['watch', '@latest']);
    assert.match(latest.stdout, /^Name:\s+slow$/m);
    assert.equal((await skiff(dir, ['watch'])).status, 2);
  });

  it('prints its version, and only the version line with --short', async () => {
    const dir = workspace({});
    const full = await skiff(dir, ['version']);
    assert.match(full.stdout, /^skiff: v\d+\.\d+\.\d+\S*\n {2}NodeVersion: v\d+\.\d+\.\d+\n {2}Platform: \w+\/\w+\n$/);
    assert.match((await skiff(dir, ['version', '--short'])).stdout, /^skiff: v\d+\.\d+\.\d+\S*\n$/);
  });

  it('retries the steps --node-field-selector picks, with -p, and follows with --watch', async () => {
    const dir = workspace({ 'two.yaml': TWO_STEPS });
    assert.equal((await skiff(dir, ['submit', 'two.yaml', '--name', 'again', '-w'])).status, 0);
    const none = await skiff(dir, ['retry', 'again', '--node-field-selector', 'templateName=nope', '--restart-successful']);
    assert.equal(none.status, 1);
    assert.match(none.stderr, /no step of run "again" in namespace "default" matches/);
    const before = JSON.parse((await skiff(dir, ['get', 'again', '-o', 'json'])).stdout) as {
      status: { nodes: Record<string, { displayName: string; startedAt: string }> };
    };
    const retried = await skiff(dir, ['retry', 'again', '--node-field-selector', 'templateName=flaky', '--restart-successful', '-p', 'extra=1', '--watch']);
    assert.equal(retried.status, 0, retried.stderr);
    assert.match(retried.stdout, /^NODE\s+PHASE/m, '--watch shows the changes');
    assert.match(retried.stdout, /^Status:\s+Succeeded$/m);
    const after = JSON.parse((await skiff(dir, ['get', 'again', '-o', 'json'])).stdout) as {
      spec: { arguments?: { parameters?: Array<{ name: string; value: string }> } };
      status: { nodes: Record<string, { displayName: string; startedAt: string }> };
    };
    const started = (s: typeof before, name: string): string | undefined => Object.values(s.status.nodes).find((n) => n.displayName === name)?.startedAt;
    assert.equal(started(after, 'first'), started(before, 'first'), 'first did not run again');
    assert.deepEqual(after.spec.arguments?.parameters, [{ name: 'extra', value: '1' }]);
    assert.equal((await skiff(dir, ['retry', 'again', '-p', 'novalue'])).status, 2);
  });

  it("retry --log prints the steps' logs as they run again", async () => {
    const dir = workspace({ 'two.yaml': TWO_STEPS });
    assert.equal((await skiff(dir, ['submit', 'two.yaml', '--name', 'relog', '-w'], { env: FAIL_SECOND })).status, 1);
    const pod = /second\s+flaky\s+(relog-flaky-\d+)/.exec((await skiff(dir, ['get', 'relog'])).stdout)![1]!;
    // The instant runtime writes no logs: the step's log is put where its pod writes it.
    const path = new StateLayout(join(dir, 'state')).containerLog('relog', pod, 'main');
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, 'second time lucky\n');
    const retried = await skiff(dir, ['retry', 'relog', '--log'], { env: { SKIFF_INSTANT_SCRIPT: '{"flaky": {"delayMs": 200}}' } });
    assert.equal(retried.status, 0, retried.stderr);
    assert.equal(retried.stdout, `${pod}: second time lucky\n`);
  });
});

describe('skiff delete --completed', () => {
  it('--completed takes failed runs too', async () => {
    const dir = workspace({ 'two.yaml': TWO_STEPS });
    assert.equal((await skiff(dir, ['submit', 'two.yaml', '--name', 'broken', '-w'], { env: FAIL_SECOND })).status, 1);
    assert.equal((await skiff(dir, ['delete', '--completed'])).stdout, 'workflow broken deleted\n');
  });
});
