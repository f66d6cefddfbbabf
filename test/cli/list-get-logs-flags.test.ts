import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { load } from 'js-yaml';
import { formatRfc3339Nano, TimedLogWriter } from '../../src/state/log-times.js';
import { StateLayout } from '../../src/state/state-layout.js';
import { HELLO, skiff, TWO_STEPS, workspace } from './run-cli.js';

const FAIL_SECOND = { SKIFF_INSTANT_SCRIPT: '{"flaky": {"exitCode": 1}}' };

const PARALLEL = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: fan}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: one, template: say}
    - - {name: left, template: say}
      - {name: right, template: say}
  - name: say
    container: {image: busybox, command: [echo, hi], resources: {requests: {cpu: 500m, memory: 200Mi}}}
`;

/** Three runs: ok (Succeeded, team=a), bad (Failed, team=b), other namespace (Succeeded). */
async function threeRuns(): Promise<string> {
  const dir = workspace({ 'hello.yaml': HELLO, 'two.yaml': TWO_STEPS });
  assert.equal((await skiff(dir, ['submit', 'hello.yaml', '--name', 'ok-run', '-l', 'team=a', '-w'])).status, 0);
  assert.equal((await skiff(dir, ['submit', 'two.yaml', '--name', 'bad-run', '-l', 'team=b', '-w'], { env: FAIL_SECOND })).status, 1);
  assert.equal((await skiff(dir, ['submit', 'hello.yaml', '--name', 'elsewhere', '-n', 'ci', '-w'])).status, 0);
  return dir;
}

describe('skiff list, as argo list', () => {
  it('filters by --status, --running, --completed, --prefix, -l, --since, --older', async () => {
    const dir = await threeRuns();
    const names = async (...args: string[]): Promise<string> => {
      const result = await skiff(dir, ['list', '-o', 'name', ...args]);
      assert.equal(result.status, 0, result.stderr);
      return result.stdout;
    };
    assert.equal(await names(), 'bad-run\nok-run\n', 'the default namespace only, newest first');
    assert.equal(await names('--status', 'Failed'), 'bad-run\n');
    assert.equal(await names('--status', 'succeeded,error'), 'ok-run\n');
    assert.equal(await names('--running'), '');
    assert.equal(await names('--completed'), 'bad-run\nok-run\n');
    assert.equal(await names('--prefix', 'ok-'), 'ok-run\n');
    assert.equal(await names('-l', 'team=b'), 'bad-run\n');
    assert.equal(await names('-l', 'team in (a,c)'), 'ok-run\n');
    assert.equal(await names('-l', 'team,team!=a'), 'bad-run\n');
    assert.equal(await names('--since', '1h'), 'bad-run\nok-run\n');
    assert.equal(await names('--older', '1h'), '', 'nothing finished an hour ago');
    assert.equal(await names('--older', '0s'), 'bad-run\nok-run\n');
    assert.equal(await names('-n', 'ci'), 'elsewhere\n');
    const bad = await skiff(dir, ['list', '--since', 'soon']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--since soon: expected a duration/);
  });

  it('shows every namespace with -A, leaves out the header with --no-headers, and prints json, yaml and wide', async () => {
    const dir = await threeRuns();
    const all = await skiff(dir, ['list', '-A']);
    assert.match(all.stdout, /^NAMESPACE\s+NAME\s+STATUS\s+AGE\s+DURATION\s+MESSAGE$/m);
    assert.match(all.stdout, /^ci\s+elsewhere\s+Succeeded/m);
    assert.match(all.stdout, /^default\s+ok-run\s+Succeeded/m);
    const bare = await skiff(dir, ['list', '--no-headers', '--chunk-size', '1']);
    assert.doesNotMatch(bare.stdout, /NAME/);
    assert.match(bare.stdout, /^bad-run\s+Failed/m);
    const json = JSON.parse((await skiff(dir, ['list', '-o', 'json'])).stdout) as Array<{
      kind: string;
      metadata: { name: string };
      status: { phase: string };
    }>;
    assert.deepEqual(
      json.map((w) => [w.kind, w.metadata.name, w.status.phase]),
      [
        ['Workflow', 'bad-run', 'Failed'],
        ['Workflow', 'ok-run', 'Succeeded'],
      ],
    );
    const yaml = load((await skiff(dir, ['list', '-o', 'yaml', '--status', 'Failed'])).stdout) as Array<{ metadata: { name: string } }>;
    assert.equal(yaml[0]?.metadata.name, 'bad-run');
    const wide = await skiff(dir, ['list', '-o', 'wide']);
    assert.match(wide.stdout, /^NAME\s+STATUS\s+AGE\s+DURATION\s+PRIORITY\s+MESSAGE\s+P\/R\/C\s+PARAMETERS$/m);
    assert.match(wide.stdout, /^ok-run\s+Succeeded\s+\d+s\s+\d+s\s+0\s+0\/0\/1\s+message=hello$/m);
    assert.equal((await skiff(dir, ['list', '--chunk-size', 'x'])).status, 2);
  });
});

describe('skiff get, as argo get', () => {
  it('draws steps that ran side by side on one branch, and -o wide shows resources used', async () => {
    const dir = workspace({ 'fan.yaml': PARALLEL });
    assert.equal((await skiff(dir, ['submit', 'fan.yaml', '-w'])).status, 0);
    const get = await skiff(dir, ['get', 'fan']);
    const tree = get.stdout
      .split('\n')
      .filter((l) => /[✔✖]/.test(l))
      .map((l) => l.split(/(?<=\S)\s{2,}/)[0]);
    assert.deepEqual(tree, ['✔ fan', '├───✔ one', '└─┬─✔ left', '  └─✔ right']);
    assert.match(get.stdout, /^ResourcesDuration:\s+\d+s\*\(1 cpu\),\d+s\*\(100Mi memory\)$/m);
    const wide = await skiff(dir, ['get', 'fan', '-o', 'wide']);
    assert.match(wide.stdout, /^STEP\s+PHASE\s+TEMPLATE\s+PODNAME\s+STARTED\s+DURATION\s+OUTPUTS\s+ARTIFACTS\s+MESSAGE\s+RESOURCESDURATION$/m);
    assert.match(wide.stdout, /^├───✔ one\s+Succeeded\s+say\s+fan-say-\d+\s+\S+\s+\d+s\s+exitCode=0\s+\d+s\*\(1 cpu\),\d+s\*\(100Mi memory\)$/m);
  });

  it('takes several names and @latest, filters steps with --status and --node-field-selector, and prints names with -o name', async () => {
    const dir = await threeRuns();
    const both = await skiff(dir, ['get', 'ok-run', 'bad-run', '-o', 'name']);
    assert.equal(both.stdout, 'ok-run\nbad-run\n');
    const latest = await skiff(dir, ['get', '@latest', '-o', 'name']);
    assert.equal(latest.stdout, 'elsewhere\n');
    const failed = await skiff(dir, ['get', 'bad-run', '--status', 'Failed']);
    assert.match(failed.stdout, /✖ second/);
    assert.doesNotMatch(failed.stdout, /✔ first/);
    const selected = await skiff(dir, ['get', 'bad-run', '--node-field-selector', 'templateName=say']);
    assert.match(selected.stdout, /✔ first/);
    assert.doesNotMatch(selected.stdout, /second/);
    const negated = await skiff(dir, ['get', 'bad-run', '--node-field-selector', 'displayName!=first,type=Pod']);
    assert.match(negated.stdout, /✖ second/);
    assert.doesNotMatch(negated.stdout, /first/);
    const unknown = await skiff(dir, ['get', 'bad-run', '--node-field-selector', 'colour=red']);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown field "colour"/);
    const missing = await skiff(dir, ['get', 'ok-run', 'nope']);
    assert.equal(missing.status, 1);
    assert.match(missing.stdout, /^Name:\s+ok-run$/m);
    assert.match(missing.stderr, /run "nope" in namespace "default" not found/);
  });
});

describe('skiff logs, as argo logs', () => {
  it('--tail, --grep, --timestamps, --since, --since-time, @latest; colours only on a terminal without --no-color', async () => {
    const dir = workspace({ 'hello.yaml': HELLO });
    assert.equal((await skiff(dir, ['submit', 'hello.yaml', '--name', 'talk', '-w'])).status, 0);
    const path = new StateLayout(join(dir, 'state')).containerLog('talk', 'talk', 'main');
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, 'one\ntwo\nthree\n');
    const logs = async (...args: string[]): Promise<string> => (await skiff(dir, ['logs', 'talk', ...args])).stdout;
    assert.equal(await logs('--tail', '2'), 'talk: two\ntalk: three\n');
    assert.equal(await logs('--grep', 't[wh]'), 'talk: two\ntalk: three\n');
    // A log without times (of an older Skiff): its lines get the time the file was last written.
    assert.match(await logs('--timestamps', '--tail', '1'), /^talk: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z three\n$/);
    assert.equal(await logs('--since', '1h'), 'talk: one\ntalk: two\ntalk: three\n');
    assert.equal(await logs('--since-time', '2999-01-01T00:00:00Z'), '', 'nothing written since then');
    assert.equal((await skiff(dir, ['logs', '@latest', '--tail', '1'])).stdout, 'talk: three\n');
    const colored = await skiff(dir, ['logs', 'talk', '--tail', '1'], { tty: true });
    assert.equal(colored.stdout, '\u001b[32mtalk\u001b[0m: three\n');
    const plain = await skiff(dir, ['logs', 'talk', '--tail', '1', '--no-color'], { tty: true });
    assert.equal(plain.stdout, 'talk: three\n');
    assert.equal((await skiff(dir, ['logs', 'talk', '--tail', 'x'])).status, 2);
  });

  it('--timestamps, --since and --since-time go by the time each line was written', async () => {
    const dir = workspace({ 'hello.yaml': HELLO });
    assert.equal((await skiff(dir, ['submit', 'hello.yaml', '--name', 'timed', '-w'])).status, 0);
    const path = new StateLayout(join(dir, 'state')).containerLog('timed', 'timed', 'main');
    const at = (iso: string): number => Date.parse(iso) * 1000;
    const recent = Date.now() * 1000 - 10 * 60 * 1_000_000; // ten minutes ago
    const times = [at('2026-01-01T00:00:01Z') + 500_123, at('2026-01-01T00:00:03Z'), recent];
    mkdirSync(dirname(path), { recursive: true });
    const writer = new TimedLogWriter(path, () => times.shift()!);
    for (const chunk of ['one\n', 'two\nthr', 'ee\n']) {
      writer.note(chunk);
      appendFileSync(path, chunk);
    }
    writer.close();
    const logs = async (...args: string[]): Promise<string> => (await skiff(dir, ['logs', 'timed', ...args])).stdout;
    const recentText = formatRfc3339Nano(recent);
    assert.equal(await logs('--timestamps'), `timed: 2026-01-01T00:00:01.500123Z one\ntimed: 2026-01-01T00:00:03Z two\ntimed: ${recentText} three\n`);
    assert.equal(await logs('--since-time', '2026-01-01T00:00:02Z'), 'timed: two\ntimed: three\n');
    assert.equal(await logs('--since-time', '2026-01-01T00:00:03Z'), 'timed: two\ntimed: three\n', 'at the time is since it');
    assert.equal(await logs('--since-time', '2026-01-01T00:00:03.001Z'), 'timed: three\n');
    assert.equal(await logs('--since', '1h'), 'timed: three\n');
    assert.equal(await logs('--since', '5m'), '');
    assert.equal(
      await logs('--tail', '2', '--since-time', '2026-01-01T00:00:03Z', '--timestamps'),
      `timed: 2026-01-01T00:00:03Z two\ntimed: ${recentText} three\n`,
    );
  });

  it('marks each attempt of a retried step, and -p prints only the earlier ones', async () => {
    const retried = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: flaky}
spec:
  entrypoint: main
  templates:
  - name: main
    retryStrategy: {limit: 1}
    container: {image: busybox, command: [sh, -c, "exit 1"]}
`;
    const dir = workspace({ 'flaky.yaml': retried });
    assert.equal((await skiff(dir, ['submit', 'flaky.yaml', '-w'], { env: { SKIFF_INSTANT_SCRIPT: '{"main": {"exitCode": 1}}' } })).status, 1);
    const get = (await skiff(dir, ['get', 'flaky'])).stdout;
    const pods = [...get.matchAll(/(flaky-main-\d+)/g)].map((m) => m[1]!);
    assert.equal(pods.length, 2, get);
    const layout = new StateLayout(join(dir, 'state'));
    pods.forEach((pod, i) => {
      const path = layout.containerLog('flaky', pod, 'main');
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, `try ${i + 1}\n`);
    });
    const all = await skiff(dir, ['logs', 'flaky']);
    assert.equal(all.stdout, `${pods[0]} (attempt 1): try 1\n${pods[1]} (attempt 2): try 2\n`);
    const previous = await skiff(dir, ['logs', 'flaky', '-p']);
    assert.equal(previous.stdout, `${pods[0]} (attempt 1): try 1\n`);
  });
});
