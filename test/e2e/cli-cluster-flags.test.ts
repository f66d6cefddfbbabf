// The Argo CLI's flags against a real kube-apiserver (--kubeconfig): `skiff controller` drives the
// runs with the cluster runtime, whose pods the node agent runs (standing in for a kubelet, serving
// their logs through the API server). list's filters, outputs and --chunk-size (more runs than a
// chunk, counted in the API server's metrics; an expired continue token, made by compacting etcd,
// restarts the list), get @latest and several names, logs --tail/--since/--since-time/--timestamps/--grep from
// the pods' logs, and terminate/delete with -l.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { makeControllerCommand } from '../../src/cli/commands/controller.js';
import type { KubeClient, ListOptions, ObjectList } from '../../src/kube/kube-client.js';
import { KubeConnection } from '../../src/kube/kube-connection.js';
import { KubeGoneError } from '../../src/kube/kube-errors.js';
import { KubeRunStore } from '../../src/kube/kube-run-store.js';
import { serverSideApply } from '../../src/kube/server-side-apply.js';
import { createKubeRuntime } from '../../src/runtime/cluster/kube-runtime.js';
import { localizePod } from '../../src/runtime/local/localize-pod.js';
import type { KubernetesObject } from '../../src/spec/model/kubernetes.js';
import type { Workflow } from '../../src/spec/model/workflow.js';
import { skiff, workspace } from '../cli/run-cli.js';
import { main } from '../../src/cli/main.js';
import { halfwayWorkflow } from '../helpers/halfway-workflow.js';
import { join } from 'node:path';
import { REPO_ROOT, startKubeApiServer, type KubeEnv } from '../env/kube/index.js';
import { startNodeAgent, type NodeAgent } from '../env/node-agent/start-node-agent.js';
import { untilWithin } from '../helpers/until.js';

const NS = 'flags';
const EXECUTOR = 'ghcr.io/skiff/skiff:test';

/** One step that says three things, the last two a while after the first. */
const TALK = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: talk
spec:
  entrypoint: main
  templates:
  - name: main
    container:
      image: busybox
      command: [sh, -c]
      args: ["echo alpha; sleep 2; echo beta; echo gamma"]
`;

const QUICK = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: quick-
spec:
  entrypoint: main
  templates:
  - name: main
    container:
      image: busybox
      command: ["true"]
`;

const HELD = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: held-
spec:
  entrypoint: main
  templates:
  - name: main
    container:
      image: busybox
      command: [sleep, "120"]
`;

const until = untilWithin({ timeoutMs: 60_000, pollMs: 200 });

describe('the Argo CLI flags against a cluster', { timeout: 600_000 }, () => {
  let kube: KubeEnv;
  let client: KubeConnection;
  let agent: NodeAgent;
  let dir: string;
  let stopController: (signal: string) => void;
  let controllerExit: Promise<number>;
  let controllerLog = '';

  before(async () => {
    // Without the watch cache every list is read from etcd, as a server whose cache lags would:
    // then a continue token from before a compaction is answered 410 Gone, as the test below needs.
    kube = await startKubeApiServer({ crdPaths: [join(REPO_ROOT, 'charts', 'skiff', 'crds')], extraApiServerArgs: ['--watch-cache=false'] });
    client = KubeConnection.load({ kubeconfigPath: kube.kubeconfigPath, env: {} });
    await serverSideApply(client, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    agent = await startNodeAgent({
      kubeconfigPath: kube.kubeconfigPath,
      localize: (pod) => localizePod(pod, { projectDir: REPO_ROOT, nodePath: process.execPath, executorImage: EXECUTOR }),
    });
    dir = workspace({ 'talk.yaml': TALK, 'quick.yaml': QUICK, 'held.yaml': HELD, 'halfway.yaml': halfwayWorkflow() });
    const command = makeControllerCommand({
      createRuntime: (connection, options) =>
        createKubeRuntime({ client: connection, executorImage: EXECUTOR, ...(options.warn ? { warn: options.warn } : {}) }),
      stopRequested: () => new Promise((resolve) => (stopController = resolve)),
    });
    controllerExit = command.run(['--kubeconfig', kube.kubeconfigPath], {
      stdout: { write: () => true },
      stderr: { write: (text: string) => (controllerLog += text) },
      cwd: dir,
      env: {},
    });
  });

  after(async () => {
    stopController?.('SIGTERM');
    await controllerExit;
    await agent?.stop();
    await kube?.stop();
  });

  const cluster = (...args: string[]) => skiff(dir, [...args, '--kubeconfig', kube.kubeconfigPath, '-n', NS]);

  test("logs reads the step pods' logs through the API server: --tail, --grep, --timestamps, --since, --since-time", async () => {
    const submitted = await cluster('submit', 'talk.yaml', '--wait', '-o', 'name');
    assert.equal(submitted.status, 0, `${submitted.stdout}${submitted.stderr}\n${controllerLog}`);
    assert.equal(submitted.stdout, 'talk\n');
    const logs = async (...args: string[]): Promise<string> => {
      const result = await cluster('logs', 'talk', ...args);
      assert.equal(result.status, 0, result.stderr);
      return result.stdout;
    };
    assert.equal(await logs(), 'talk: alpha\ntalk: beta\ntalk: gamma\n');
    assert.equal(await logs('--tail', '1'), 'talk: gamma\n');
    assert.equal(await logs('--grep', '^[bg]'), 'talk: beta\ntalk: gamma\n');
    assert.equal(await logs('talk'), 'talk: alpha\ntalk: beta\ntalk: gamma\n', 'the pod named');

    const stamped = (await logs('--timestamps')).split('\n').filter(Boolean);
    const times = stamped.map((line) => {
      const match = /^talk: (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z) (\w+)$/.exec(line);
      assert.ok(match, `a line with its time: ${line}`);
      return Date.parse(match[1]!);
    });
    assert.equal(times.length, 3);
    // (a little less than the 2 s slept: alpha may reach the node a moment after it was printed)
    assert.ok(times[1]! - times[0]! >= 1500, `the step slept 2 s between alpha and beta: ${stamped.join(' | ')}`);
    // Half way through the sleep: only what was written after.
    assert.equal(await logs('--since-time', new Date(times[0]! + 1000).toISOString()), 'talk: beta\ntalk: gamma\n');
    assert.equal(await logs('--since', '1h'), 'talk: alpha\ntalk: beta\ntalk: gamma\n');
    assert.equal(await logs('--since-time', '2999-01-01T00:00:00Z'), '');
    const missing = await cluster('logs', 'talk', 'nope');
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /has no step "nope"/);
  });

  test('list filters (--prefix, -l, --status, --running, --completed), -o name|json, and --chunk-size with more runs than a chunk', async () => {
    const names: string[] = [];
    for (let i = 0; i < 5; i++) {
      const submitted = await cluster('submit', 'quick.yaml', '-l', `batch=b,n=n${i}`, '-o', 'name');
      assert.equal(submitted.status, 0, submitted.stderr);
      names.push(submitted.stdout.trim());
    }
    const waited = await cluster('wait', '-l', 'batch=b', '-o', 'name');
    assert.equal(waited.status, 0, waited.stdout);
    const list = async (...args: string[]): Promise<string[]> => {
      const result = await cluster('list', ...args);
      assert.equal(result.status, 0, result.stderr);
      return result.stdout.split('\n').filter(Boolean);
    };
    const all = await list('-o', 'name');
    assert.deepEqual([...all].sort(), [...names, 'talk'].sort());
    for (const size of ['1', '2', '4']) assert.deepEqual(await list('-o', 'name', '--chunk-size', size), all, `--chunk-size ${size} lists the same runs`);
    assert.deepEqual((await list('-o', 'name', '-l', 'batch=b')).sort(), [...names].sort());
    assert.deepEqual(
      await list('-o', 'name', '-l', 'n in (n1,n3)', '--chunk-size', '2'),
      all.filter((n) => n === names[1] || n === names[3]),
    );
    assert.deepEqual(await list('-o', 'name', '--prefix', 'ta'), ['talk']);
    assert.deepEqual(await list('-o', 'name', '--running'), []);
    assert.deepEqual(await list('-o', 'name', '--completed'), all);
    assert.deepEqual(await list('-o', 'name', '--status', 'Failed'), []);
    const json = JSON.parse((await cluster('list', '-o', 'json', '-l', 'n=n0')).stdout) as Workflow[];
    assert.deepEqual(
      json.map((w) => [w.metadata.name, (w as { status?: { phase?: string } }).status?.phase]),
      [[names[0], 'Succeeded']],
    );
    const table = await list('--chunk-size', '3');
    assert.match(table[0]!, /^NAME\s+STATUS\s+AGE\s+DURATION\s+MESSAGE$/);
    assert.equal(table.length, all.length + 1);
    const bad = await cluster('list', '--chunk-size', 'lots');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--chunk-size lots: expected a whole number/);
  });

  test('--chunk-size asks the API server for the Workflows a chunk at a time', async () => {
    const lists = async (): Promise<number> => {
      // Every LIST of Workflows the server answered, whoever asked (the controller watches, it does not list).
      const text = await kube.metrics();
      let count = 0;
      for (const line of text.split('\n')) {
        if (line.startsWith('apiserver_request_total{') && line.includes('resource="workflows"') && line.includes('verb="LIST"'))
          count += Number(line.split(' ').at(-1));
      }
      return count;
    };
    const total = (await cluster('list', '-o', 'name')).stdout.split('\n').filter(Boolean).length;
    assert.ok(total >= 6, `${total} runs`);
    const before = await lists();
    assert.equal((await cluster('list', '-o', 'name', '--chunk-size', '2')).status, 0);
    const chunked = (await lists()) - before;
    assert.ok(chunked >= Math.ceil(total / 2), `${total} runs, 2 at a time, took ${chunked} LIST requests`);
    const wholeBefore = await lists();
    await cluster('list', '-o', 'name');
    assert.ok((await lists()) - wholeBefore < chunked, 'without --chunk-size, fewer requests');
  });

  test('a list in chunks whose continue token expired (410 Gone) starts again, and gives up saying why', async () => {
    let gone = 0;
    /** The real connection, paging itself, with etcd compacted after the first page of the first `compactions` lists. */
    const compacting = (compactions: number): KubeClient => {
      let lists = 0;
      return Object.assign(Object.create(client) as KubeClient, {
        async list<T extends KubernetesObject>(
          apiVersion: string,
          kind: string,
          namespace: string | undefined,
          options: ListOptions = {},
        ): Promise<ObjectList<T>> {
          if (!options.limit) return client.list<T>(apiVersion, kind, namespace, options);
          const compact = lists++ < compactions;
          const items: T[] = [];
          let page = await client.list<T>(apiVersion, kind, namespace, { ...options, continue: '' });
          items.push(...page.items);
          if (compact) {
            // Something written after the page moves etcd's revision past the token's, which the compaction then drops.
            await client.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'bump-', namespace: NS } } as KubernetesObject);
            await kube.compactStorage();
          }
          while (page.continue) {
            try {
              page = await client.list<T>(apiVersion, kind, namespace, { ...options, continue: page.continue });
            } catch (error) {
              if (error instanceof KubeGoneError) gone++;
              throw error;
            }
            items.push(...page.items);
          }
          return { items, resourceVersion: page.resourceVersion };
        },
      });
    };
    const whole = await new KubeRunStore(client, { namespaces: [NS] }).list();
    assert.ok(whole.length >= 3);
    const restarted = await new KubeRunStore(compacting(1), { namespaces: [NS] }).list({ chunkSize: 2 });
    assert.equal(gone, 1, 'the API server answered the expired token with 410');
    assert.deepEqual(restarted, whole);
    await assert.rejects(
      new KubeRunStore(compacting(10), { namespaces: [NS] }).list({ chunkSize: 2 }),
      /continue token expired 3 times\); list again, with a larger --chunk-size/,
    );
  });

  test('get @latest and several names', async () => {
    const latest = await cluster('get', '@latest', '-o', 'name');
    assert.equal(latest.status, 0, latest.stderr);
    const newest = (await cluster('list', '-o', 'name')).stdout.split('\n')[0];
    assert.equal(latest.stdout, `${newest}\n`);
    const both = await cluster('get', 'talk', newest!, '-o', 'name');
    assert.equal(both.stdout, `talk\n${newest}\n`);
    const tree = await cluster('get', 'talk');
    assert.match(tree.stdout, /^Status:\s+Succeeded$/m);
    const missing = await cluster('get', 'talk', 'nope');
    assert.equal(missing.status, 1);
    assert.match(missing.stdout, /^Name:\s+talk$/m);
    assert.match(missing.stderr, /"nope" in namespace "flags" not found/);
  });

  test('terminate and delete pick runs with -l', async () => {
    const held: string[] = [];
    for (let i = 0; i < 2; i++) held.push((await cluster('submit', 'held.yaml', '-l', 'kind=held', '-o', 'name')).stdout.trim());
    await until('both held runs to run', async () => {
      const running = (await cluster('list', '-o', 'name', '--running', '-l', 'kind=held')).stdout;
      return held.every((name) => running.includes(name)) && running;
    });
    const terminated = await cluster('terminate', '-l', 'kind=held');
    assert.equal(terminated.status, 0, terminated.stderr);
    assert.deepEqual(terminated.stdout.split('\n').filter(Boolean).sort(), held.map((name) => `${name} terminated`).sort());
    for (const name of held) {
      const waited = await cluster('wait', name, '-o', 'json');
      assert.equal((JSON.parse(waited.stdout) as { status: { phase: string } }).status.phase, 'Failed', waited.stdout);
    }
    const deleted = await cluster('delete', '-l', 'kind=held');
    assert.equal(deleted.status, 0, deleted.stderr);
    assert.deepEqual(deleted.stdout.split('\n').filter(Boolean).sort(), held.map((name) => `workflow ${name} deleted (namespace ${NS})`).sort());
    assert.deepEqual((await cluster('list', '-o', 'name', '-l', 'kind=held')).stdout, '');
    assert.match((await cluster('list', '-o', 'name')).stdout, /^talk$/m, 'runs the selector does not pick are left');
  });

  test('logs --follow streams a running step as it writes, and submit --log follows a run to its end', async () => {
    // In a namespace of its own: the other tests count the runs of theirs.
    await serverSideApply(client, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'follow' } });
    const here = (...args: string[]) => skiff(dir, [...args, '--kubeconfig', kube.kubeconfigPath, '-n', 'follow']);
    const submitted = await here('submit', 'talk.yaml', '--name', 'talk-live', '-o', 'name');
    assert.equal(submitted.status, 0, submitted.stderr);
    // Started at once: the follow waits for the pod, prints alpha while the step still sleeps, then the rest, and ends with the run.
    const written: Array<{ at: number; text: string }> = [];
    let stderr = '';
    const status = await main(['logs', 'talk-live', '--follow', '--timestamps', '--kubeconfig', kube.kubeconfigPath, '-n', 'follow'], {
      stdout: { write: (text: string) => written.push({ at: Date.now(), text }) > 0, isTTY: false },
      stderr: { write: (text: string) => (stderr += text) },
      cwd: dir,
      env: {},
    });
    assert.equal(status, 0, stderr);
    const lines = written.flatMap(({ at, text }) =>
      text
        .split('\n')
        .filter(Boolean)
        .map((line) => ({ at, line })),
    );
    assert.deepEqual(
      lines.map(({ line }) => line.replace(/ \S+Z /, ' ')),
      ['talk-live: alpha', 'talk-live: beta', 'talk-live: gamma'],
      `each line once, in order: ${JSON.stringify(written)}`,
    );
    const betaWritten = Date.parse(/ (\S+Z) /.exec(lines[1]!.line)![1]!);
    assert.ok(lines[0]!.at < betaWritten, `alpha was printed (${new Date(lines[0]!.at).toISOString()}) before the step wrote beta (${lines[1]!.line})`);
    const run = await here('get', 'talk-live', '-o', 'json');
    assert.equal(JSON.parse(run.stdout).status.phase, 'Succeeded', 'the follow ended with the run');

    const logged = await here('submit', 'talk.yaml', '--name', 'talk-logged', '--log');
    assert.equal(logged.status, 0, logged.stderr);
    assert.equal(logged.stdout, 'talk-logged: alpha\ntalk-logged: beta\ntalk-logged: gamma\n');
  });

  test('resubmit --memoized creates a Workflow that keeps the steps that succeeded and runs the failed one again', async () => {
    await serverSideApply(client, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'memo' } });
    const here = (...args: string[]) => skiff(dir, [...args, '--kubeconfig', kube.kubeconfigPath, '-n', 'memo']);
    const submitted = await here('submit', 'halfway.yaml', '--wait', '-o', 'name');
    assert.equal(submitted.status, 1, `the run fails at its second step: ${submitted.stderr}`);
    const original = submitted.stdout.trim().split('\n').at(-1)!;

    const resubmitted = await here('resubmit', original, '--memoized', '--wait', '-o', 'name');
    assert.equal(resubmitted.status, 1, `${resubmitted.stdout}${resubmitted.stderr}`);
    const again = resubmitted.stdout.trim().split('\n').at(-1)!;
    assert.match(again, /^halfway-[a-z0-9]{5}$/, `${submitted.stdout}${submitted.stderr}${resubmitted.stdout}${resubmitted.stderr}`);
    assert.notEqual(again, original);
    const got = await here('get', again, '-o', 'json');
    const nodes = Object.values(
      (JSON.parse(got.stdout) as { status: { nodes: Record<string, { displayName: string; type: string; phase: string; message?: string }> } }).status.nodes,
    );
    const first = nodes.find((n) => n.displayName === 'first');
    const second = nodes.find((n) => n.displayName === 'second');
    assert.equal(first?.type, 'Skipped', JSON.stringify(nodes));
    assert.match(first?.message ?? '', /^original pod: /);
    assert.equal(second?.phase, 'Failed');
    const pods = await client.list<KubernetesObject>('v1', 'Pod', 'memo', { labelSelector: `workflows.argoproj.io/workflow=${again}` });
    assert.equal(pods.items.length, 1, `only the failed step ran again: ${pods.items.map((p) => p.metadata.name).join(', ')}`);
  });
});
