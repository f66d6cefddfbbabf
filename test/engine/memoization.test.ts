import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { advanceRun } from './advance-run.js';
import { newRunStatus, type RunDefinition } from '../../src/engine/run-session.js';
import type { CacheConfigMap } from '../../src/engine/memoization-caches.js';
import { parseMaxAge } from '../../src/engine/memoization-caches.js';
import { cloneStatus } from '../../src/engine/workflow-status.js';
import type { Template, Workflow } from '../../src/spec/model/workflow.js';
import { parseSourceFile } from '../../src/spec/source/parse-source-file.js';
import { argoCorpusDir } from '../helpers/paths.js';
import { simulate, START, workflowOf, type Script } from './simulate-run.js';

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Argo's examples/memoize-simple.yaml: a container whose output parameter is cached under a fixed key. */
function memoizeSimple(maxAge: string | undefined = '10s', key = 'cache-key'): Workflow {
  const template: Template = {
    name: 'world-to-file',
    memoize: { key, ...(maxAge !== undefined ? { maxAge } : {}), cache: { configMap: { name: 'cache-config' } } },
    container: { image: 'busybox', command: ['sh', '-c'], args: ['echo world > /tmp/hello_world.txt'] },
    outputs: { parameters: [{ name: 'hello', valueFrom: { path: '/tmp/hello_world.txt' } }] },
  };
  return workflowOf({ entrypoint: 'world-to-file', templates: [template] }, 'memoized-abcde');
}

function entry(outputs: unknown, createdAt: number, nodeID = 'memoized-hdckj'): string {
  return JSON.stringify({ nodeID, outputs, creationTimestamp: iso(createdAt), lastHitTimestamp: iso(createdAt) });
}

const cacheWith = (data: Record<string, string>, name = 'cache-config'): CacheConfigMap => ({ name, type: 'Cache', data });
const worldOutputs = { parameters: [{ name: 'hello', value: 'different world', valueFrom: { path: '/tmp/hello_world.txt' } }], exitCode: '0' };
const writesWorld: Script = () => ({ outputs: { parameters: [{ name: 'hello', value: 'world' }] } });

test('a cache hit finishes the node with the recorded outputs and runs no pod', () => {
  const caches = [cacheWith({ 'cache-key': entry(worldOutputs, START - 5_000) })];
  const r = simulate(memoizeSimple(), { definition: { caches }, script: writesWorld });
  assert.equal(r.status.phase, 'Succeeded', r.status.message);
  assert.equal(r.pods.length, 0);
  const node = r.byName('memoized-abcde')!;
  assert.equal(node.type, 'Pod');
  assert.equal(node.phase, 'Succeeded');
  assert.deepEqual(node.memoizationStatus, { hit: true, key: 'cache-key', cacheName: 'cache-config' });
  assert.deepEqual(node.outputs, worldOutputs);
  assert.deepEqual(r.saves, []);
});

test("a miss runs the pod and, once it succeeds, saves its outputs in Argo's entry format", () => {
  const r = simulate(memoizeSimple(), { definition: { caches: [] }, script: (pod) => ({ durationMs: 3_000, ...writesWorld(pod, newRunStatus()) }) });
  assert.equal(r.status.phase, 'Succeeded', r.status.message);
  assert.equal(r.pods.length, 1);
  const node = r.byName('memoized-abcde')!;
  assert.deepEqual(node.memoizationStatus, { hit: false, key: 'cache-key', cacheName: 'cache-config' });
  assert.deepEqual(r.saves, [
    {
      type: 'save-cache',
      namespace: 'default',
      cache: 'cache-config',
      key: 'cache-key',
      entry: { nodeID: node.id, outputs: node.outputs, creationTimestamp: iso(START + 3_000), lastHitTimestamp: iso(START + 3_000) },
    },
  ]);
  assert.deepEqual(node.outputs?.parameters, [{ name: 'hello', value: 'world' }]);
});

test('an entry older than maxAge is a miss; without maxAge any age hits', () => {
  const old = [cacheWith({ 'cache-key': entry(worldOutputs, START - 11_000) })];
  const expired = simulate(memoizeSimple('10s'), { definition: { caches: old }, script: writesWorld });
  assert.equal(expired.pods.length, 1);
  assert.equal(expired.byName('memoized-abcde')!.memoizationStatus?.hit, false);
  assert.equal(expired.saves.length, 1);

  const young = [cacheWith({ 'cache-key': entry(worldOutputs, START - 9_000) })];
  assert.equal(simulate(memoizeSimple('10s'), { definition: { caches: young }, script: writesWorld }).pods.length, 0);
  assert.equal(simulate(memoizeSimple(''), { definition: { caches: old }, script: writesWorld }).pods.length, 0);
  // maxAge "0s" ignores every entry made before now.
  assert.equal(simulate(memoizeSimple('0s'), { definition: { caches: young }, script: writesWorld }).pods.length, 1);
});

/** A steps template calling a memoized `square` twice with the same input, then once with another. */
function squares(): Workflow {
  return workflowOf({
    entrypoint: 'main',
    templates: [
      {
        name: 'main',
        steps: [
          [{ name: 'a', template: 'square', arguments: { parameters: [{ name: 'n', value: '3' }] } }],
          [{ name: 'b', template: 'square', arguments: { parameters: [{ name: 'n', value: '3' }] } }],
          [{ name: 'c', template: 'square', arguments: { parameters: [{ name: 'n', value: '4' }] } }],
          [{ name: 'show', template: 'show', arguments: { parameters: [{ name: 'v', value: '{{steps.b.outputs.result}}' }] } }],
        ],
      },
      {
        name: 'square',
        inputs: { parameters: [{ name: 'n' }] },
        memoize: { key: 'square-{{inputs.parameters.n}}', cache: { configMap: { name: 'squares' } } },
        script: { image: 'python:alpine', command: ['python'], source: 'print({{inputs.parameters.n}} ** 2)' },
      },
      { name: 'show', inputs: { parameters: [{ name: 'v' }] }, container: { image: 'busybox', command: ['echo', '{{inputs.parameters.v}}'] } },
    ],
  });
}

const squareScript: Script = (pod) => {
  const n = Number(pod.template.script?.source.match(/print\((\d+)/)?.[1]);
  return Number.isFinite(n) ? { outputs: { result: String(n * n) } } : {};
};

test('the key is substituted with the inputs, and an entry saved earlier in the run is a hit later in it', () => {
  const r = simulate(squares(), { definition: { caches: [] }, script: squareScript });
  assert.equal(r.status.phase, 'Succeeded', r.status.message);
  assert.deepEqual(
    r.pods.map((p) => p.template.script?.source ?? p.template.container?.command?.join(' ')),
    ['print(3 ** 2)', 'print(4 ** 2)', 'echo 9'],
  );
  assert.deepEqual(r.byDisplay('a')!.memoizationStatus, { hit: false, key: 'square-3', cacheName: 'squares' });
  assert.deepEqual(r.byDisplay('b')!.memoizationStatus, { hit: true, key: 'square-3', cacheName: 'squares' });
  assert.equal(r.byDisplay('b')!.outputs?.result, '9');
  assert.deepEqual(
    r.saves.map((s) => s.key),
    ['square-3', 'square-4'],
  );
});

test('a node that fails is not stored, and a later call with the same key runs again', () => {
  let calls = 0;
  const r = simulate(squares(), {
    definition: { caches: [] },
    script: (pod, status) => (pod.template.script && calls++ === 0 ? { exitCode: 1 } : squareScript(pod, status)),
  });
  assert.equal(r.status.phase, 'Failed');
  assert.equal(r.byDisplay('a')!.phase, 'Failed');
  assert.deepEqual(r.byDisplay('a')!.memoizationStatus, { hit: false, key: 'square-3', cacheName: 'squares' });
  assert.deepEqual(r.saves, []);

  // With continueOn the run goes on: the second call with key square-3 finds nothing and runs.
  const wf = squares();
  (wf.spec.templates![0]!.steps![0]![0] as { continueOn?: unknown }).continueOn = { failed: true };
  calls = 0;
  const again = simulate(wf, {
    definition: { caches: [] },
    script: (pod, status) => (pod.template.script && calls++ === 0 ? { exitCode: 1 } : squareScript(pod, status)),
  });
  assert.equal(again.status.phase, 'Succeeded', again.status.message);
  assert.equal(again.byDisplay('b')!.memoizationStatus?.hit, false);
  assert.deepEqual(
    again.saves.map((s) => s.key),
    ['square-3', 'square-4'],
  );
});

test('a restarted run decides as the first one would have: saved entries come back from its status', () => {
  const run: RunDefinition = { workflow: squares(), caches: [] };
  const status = newRunStatus();
  let now = START;
  const first = advanceRun(run, status, { type: 'start' }, now);
  const podA = first.actions.find((a) => a.type === 'run-pod');
  assert.ok(podA && podA.type === 'run-pod');
  advanceRun(run, status, { type: 'pod-started', nodeId: podA.pod.nodeId }, now);
  now += 1_000;
  const finished = advanceRun(run, status, { type: 'pod-finished', nodeId: podA.pod.nodeId, exitCode: 0, outputs: { result: '9' } }, now);
  assert.deepEqual(
    finished.actions.filter((a) => a.type === 'save-cache').map((a) => a.type === 'save-cache' && a.key),
    ['square-3'],
  );

  // A restart: a copy of the status is a run the engine has not seen, and the snapshot has no entry for square-3.
  const restarted = cloneStatus(status);
  const b = restarted.nodes[Object.keys(restarted.nodes).find((id) => restarted.nodes[id]!.displayName === 'b')!];
  assert.deepEqual(b?.memoizationStatus, { hit: true, key: 'square-3', cacheName: 'squares' });
  const resumed = advanceRun(run, restarted, { type: 'start' }, now + 60_000);
  // The pod of c (key square-4) is asked for again; a and b are not, nor is anything saved twice.
  const pods = resumed.actions.filter((a) => a.type === 'run-pod').map((a) => (a.type === 'run-pod' ? a.pod.template.script?.source : ''));
  assert.deepEqual(pods, ['print(4 ** 2)']);
  assert.deepEqual(
    resumed.actions.filter((a) => a.type === 'save-cache'),
    [],
  );
});

test('a node that missed and was still running at a restart saves its outputs when it finishes', () => {
  const run: RunDefinition = { workflow: memoizeSimple(), caches: [] };
  const status = newRunStatus();
  const podA = advanceRun(run, status, { type: 'start' }, START).actions.find((a) => a.type === 'run-pod');
  assert.ok(podA && podA.type === 'run-pod');
  const restarted = cloneStatus(status);
  // The snapshot now has a fresh entry: the node decided before the restart, and keeps its decision.
  const later: RunDefinition = { workflow: run.workflow, caches: [cacheWith({ 'cache-key': entry(worldOutputs, START) })] };
  const resumed = advanceRun(later, restarted, { type: 'start' }, START + 1_000);
  assert.equal(resumed.actions.filter((a) => a.type === 'run-pod').length, 1);
  const done = advanceRun(
    later,
    restarted,
    { type: 'pod-finished', nodeId: podA.pod.nodeId, exitCode: 0, outputs: { parameters: [{ name: 'hello', value: 'world' }] } },
    START + 2_000,
  );
  assert.equal(restarted.phase, 'Succeeded');
  const saves = done.actions.filter((a) => a.type === 'save-cache');
  assert.equal(saves.length, 1);
  assert.deepEqual(restarted.nodes[podA.pod.nodeId]!.memoizationStatus, { hit: false, key: 'cache-key', cacheName: 'cache-config' });
});

test('a memoized steps template that hits runs none of its steps and leads on to the next step', () => {
  const wf = workflowOf({
    entrypoint: 'main',
    templates: [
      {
        name: 'main',
        steps: [
          [{ name: 'inner', template: 'inner' }],
          [{ name: 'after', template: 'echo', arguments: { parameters: [{ name: 'v', value: '{{steps.inner.outputs.parameters.out}}' }] } }],
        ],
      },
      {
        name: 'inner',
        memoize: { key: 'inner', cache: { configMap: { name: 'c' } } },
        steps: [[{ name: 'work', template: 'echo', arguments: { parameters: [{ name: 'v', value: 'x' }] } }]],
        outputs: { parameters: [{ name: 'out', valueFrom: { parameter: '{{steps.work.outputs.result}}' } }] },
      },
      { name: 'echo', inputs: { parameters: [{ name: 'v' }] }, container: { image: 'busybox', command: ['echo', '{{inputs.parameters.v}}'] } },
    ],
  });
  const caches = [cacheWith({ inner: entry({ parameters: [{ name: 'out', value: 'cached' }] }, START) }, 'c')];
  const r = simulate(wf, { definition: { caches } });
  assert.equal(r.status.phase, 'Succeeded', r.status.message);
  assert.deepEqual(
    r.pods.map((p) => p.template.container?.command),
    [['echo', 'cached']],
  );
  const inner = r.byDisplay('inner')!;
  assert.equal(inner.type, 'Steps');
  assert.equal(r.byName('wf[0].inner[0]'), undefined);
  // The next step group hangs under the memoized node itself, as Argo links it: its only child.
  assert.deepEqual(inner.children, [r.byName('wf[1]')!.id]);

  // A miss runs the steps and saves the steps node's outputs.
  const miss = simulate(wf, { definition: { caches: [] }, script: () => ({ outputs: { result: 'x' } }) });
  assert.equal(miss.status.phase, 'Succeeded', miss.status.message);
  assert.deepEqual(
    miss.saves.map((s) => [s.key, s.entry.outputs]),
    [['inner', { parameters: [{ name: 'out', value: 'x' }] }]],
  );
});

test('a memoized DAG template that hits leads on to the tasks that depend on it', () => {
  const wf = workflowOf({
    entrypoint: 'main',
    templates: [
      {
        name: 'main',
        dag: {
          tasks: [
            { name: 'a', template: 'inner' },
            { name: 'b', template: 'echo', depends: 'a', arguments: { parameters: [{ name: 'v', value: '{{tasks.a.outputs.parameters.out}}' }] } },
          ],
        },
      },
      {
        name: 'inner',
        memoize: { key: 'inner', maxAge: '1h', cache: { configMap: { name: 'c' } } },
        dag: { tasks: [{ name: 'work', template: 'echo', arguments: { parameters: [{ name: 'v', value: 'x' }] } }] },
        outputs: { parameters: [{ name: 'out', valueFrom: { parameter: '{{tasks.work.outputs.result}}' } }] },
      },
      { name: 'echo', inputs: { parameters: [{ name: 'v' }] }, container: { image: 'busybox', command: ['echo', '{{inputs.parameters.v}}'] } },
    ],
  });
  const caches = [cacheWith({ inner: entry({ parameters: [{ name: 'out', value: 'cached' }] }, START - 60_000) }, 'c')];
  const r = simulate(wf, { definition: { caches } });
  assert.equal(r.status.phase, 'Succeeded', r.status.message);
  assert.deepEqual(
    r.pods.map((p) => p.template.container?.command),
    [['echo', 'cached']],
  );
  const a = r.byDisplay('a')!;
  assert.equal(a.type, 'DAG');
  assert.deepEqual(a.children, [r.byDisplay('b')!.id]);
  assert.deepEqual(r.byName('wf')!.outboundNodes, [r.byDisplay('b')!.id]);
});

test('with a retry strategy the Retry node is memoized, not each attempt', () => {
  const wf = memoizeSimple();
  wf.spec.templates![0]!.retryStrategy = { limit: 2 };
  let attempts = 0;
  const r = simulate(wf, {
    definition: { caches: [] },
    script: () => (attempts++ === 0 ? { exitCode: 1 } : { outputs: { parameters: [{ name: 'hello', value: 'world' }] } }),
  });
  assert.equal(r.status.phase, 'Succeeded', r.status.message);
  const retry = r.byName('memoized-abcde')!;
  assert.equal(retry.type, 'Retry');
  assert.deepEqual(retry.memoizationStatus, { hit: false, key: 'cache-key', cacheName: 'cache-config' });
  const attemptNodes = Object.values(r.status.nodes).filter((n) => n.name.startsWith('memoized-abcde('));
  assert.equal(attemptNodes.length, 2);
  assert.ok(attemptNodes.every((n) => n.memoizationStatus === undefined));
  assert.deepEqual(
    r.saves.map((s) => s.entry.nodeID),
    [retry.id],
  );
});

test('what cannot be used as a cache makes the node an Error that says why', () => {
  const cases: Array<[string, Workflow, CacheConfigMap[], RegExp]> = [
    [
      'unlabelled ConfigMap',
      memoizeSimple(),
      [{ name: 'cache-config' }],
      /memoization cache ConfigMap "cache-config" in namespace "default" has no label workflows\.argoproj\.io\/configmap-type: Cache/,
    ],
    [
      'ConfigMap of another type',
      memoizeSimple(),
      [{ name: 'cache-config', type: 'Parameter' }],
      /is labelled workflows\.argoproj\.io\/configmap-type: Parameter, not Cache/,
    ],
    ['invalid key', memoizeSimple('10s', 'has space'), [], /memoize\.key "has space" is not a valid cache key/],
    ['maxAge without a unit', memoizeSimple('10'), [], /memoize\.maxAge "10" is not a duration/],
    ['malformed entry', memoizeSimple(), [cacheWith({ 'cache-key': '{not json' })], /key "cache-key" holds a malformed cache entry/],
  ];
  for (const [what, wf, caches, message] of cases) {
    const r = simulate(wf, { definition: { caches } });
    assert.equal(r.status.phase, 'Error', what);
    assert.equal(r.pods.length, 0, what);
    const node = r.byName('memoized-abcde')!;
    assert.equal(node.phase, 'Error', what);
    assert.match(node.message ?? '', message, what);
  }
  const noCache = memoizeSimple();
  delete noCache.spec.templates![0]!.memoize!.cache;
  assert.match(simulate(noCache).byName('memoized-abcde')!.message ?? '', /memoize\.cache\.configMap\.name is not set/);
});

test("an entry without a node id is a miss, as Argo's Hit() has it", () => {
  const caches = [cacheWith({ 'cache-key': JSON.stringify({ nodeID: '', outputs: worldOutputs, creationTimestamp: iso(START) }) })];
  assert.equal(simulate(memoizeSimple(), { definition: { caches }, script: writesWorld }).pods.length, 1);
});

test('maxAge is read as Go durations are', () => {
  assert.deepEqual(parseMaxAge('180s'), { ms: 180_000 });
  assert.deepEqual(parseMaxAge('1h30m'), { ms: 5_400_000 });
  assert.deepEqual(parseMaxAge('0'), { ms: 0 });
  assert.deepEqual(parseMaxAge(''), { ms: undefined });
  assert.ok('error' in parseMaxAge('24'));
  assert.ok('error' in parseMaxAge('1d'));
});

test("Argo's fibonacci-seq-conditional-param: memoized steps templates reuse results computed earlier in the run", () => {
  const file = 'examples/fibonacci-seq-conditional-param.yaml';
  const workflow = parseSourceFile(file, readFileSync(resolve(argoCorpusDir, file), 'utf8')).documents[0]!.value as Workflow;
  workflow.metadata = { ...workflow.metadata, name: 'fibonacci-abcde' };
  const doMath: Script = (pod) => {
    const match = pod.template.script?.source.match(/print\((-?\d+) ([-+]) (-?\d+)\)/);
    if (!match) return {};
    const [a, op, b] = [Number(match[1]), match[2], Number(match[3])];
    return { outputs: { result: String(op === '+' ? a + b : a - b) } };
  };
  const r = simulate(workflow, { definition: { caches: [] }, script: doMath });
  assert.equal(r.status.phase, 'Succeeded', r.status.message);
  assert.deepEqual(r.pods.at(-1)?.template.container?.args, ['echo 5']);
  const memoized = Object.values(r.status.nodes).filter((n) => n.memoizationStatus);
  // fib(5) calls fib(4) and fib(3); fib(4) calls fib(3) again, which the run's own cache answers.
  assert.deepEqual(
    memoized
      .filter((n) => n.memoizationStatus!.hit)
      .map((n) => n.memoizationStatus!.key)
      .sort(),
    ['2', '3'],
  );
  assert.deepEqual(r.saves.map((s) => s.key).sort(), ['1', '2', '3', '4', '5']);
});
