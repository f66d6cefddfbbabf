import assert from 'node:assert/strict';
import { test } from 'node:test';
import { advanceRun } from './advance-run.js';
import { newRunStatus, type RunDefinition } from '../../src/engine/run-session.js';
import type { EngineAction, LockRequest } from '../../src/engine/engine-events.js';
import { RunDriver } from '../../src/runs/run-driver.js';
import { cloneStatus } from '../../src/engine/workflow-status.js';
import { InstantRuntime } from '../../src/runtime/instant-runtime.js';
import { MemoryRunStore } from '../../src/state/memory-run-store.js';
import type { Template } from '../../src/spec/model/workflow.js';
import { FakeLocks } from './fake-locks.js';
import { echo, simulate, START, workflowOf } from './simulate-run.js';

const at = (ms: number): string => new Date(START + ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const parallel = (template: string, count: number): Template => ({
  name: 'main',
  steps: [Array.from({ length: count }, (_, i) => ({ name: `s${i}`, template }))],
});
const limits = (data: Record<string, string>): Partial<RunDefinition> => ({ configMaps: [{ name: 'my-config', data }] });
const locksOf = (actions: EngineAction[]): LockRequest[] => actions.flatMap((a) => (a.type === 'acquire-lock' ? [a.request] : []));

test("a template mutex lets one of a run's parallel steps run at a time, in the order they asked", () => {
  const workflow = workflowOf({
    entrypoint: 'main',
    templates: [parallel('locked', 3), { name: 'locked', synchronization: { mutexes: [{ name: 'welcome' }] }, ...echo }],
  });
  const r = simulate(workflow, { script: () => ({ durationMs: 1000 }) });
  assert.equal(r.status.phase, 'Succeeded', r.status.message);
  assert.deepEqual(
    [0, 1, 2].map((i) => r.byDisplay(`s${i}`)!.finishedAt),
    [at(1000), at(2000), at(3000)],
  );
  for (const i of [0, 1, 2]) {
    const node = r.byDisplay(`s${i}`)!;
    assert.equal(node.synchronizationStatus, undefined, 'no node waits any more');
    assert.equal(node.message, undefined);
  }
  assert.equal(r.status.synchronization, undefined, 'the run ended holding nothing');
});

test("a node waiting for a mutex is Pending with Argo's message, and the run records holder and waiter", () => {
  const workflow = workflowOf({
    entrypoint: 'main',
    templates: [parallel('locked', 2), { name: 'locked', synchronization: { mutex: { name: 'welcome' } }, ...echo }],
  });
  const run = { workflow };
  const status = newRunStatus();
  const start = advanceRun(run, status, { type: 'start' }, START);
  const requests = locksOf(start.actions);
  assert.deepEqual(
    requests.map((r) => [r.holder, r.locks]),
    [
      [`default/wf/${r0(status)}`, [{ name: 'default/Mutex/welcome', limit: 1 }]],
      [`default/wf/${r1(status)}`, [{ name: 'default/Mutex/welcome', limit: 1 }]],
    ],
  );
  assert.equal(start.actions.filter((a) => a.type === 'run-pod').length, 0, 'no pod before its lock');
  advanceRun(run, status, { type: 'lock-acquired', holder: requests[0]!.holder }, START + 1);
  const waiting = advanceRun(
    run,
    status,
    { type: 'lock-waiting', holder: requests[1]!.holder, lock: 'default/Mutex/welcome', holders: [requests[0]!.holder] },
    START + 2,
  );
  const second = Object.values(status.nodes).find((n) => n.displayName === 's1')!;
  assert.equal(second.phase, 'Pending');
  assert.equal(second.type, 'Pod');
  assert.equal(second.message, 'Waiting for default/Mutex/welcome lock. Lock status: 0/1');
  assert.deepEqual(second.synchronizationStatus, { waiting: 'default/Mutex/welcome' });
  assert.ok(waiting.changed.includes(second));
  assert.deepEqual(status.synchronization, {
    mutex: {
      holding: [{ mutex: 'default/Mutex/welcome', holder: requests[0]!.holder }],
      waiting: [{ mutex: 'default/Mutex/welcome', holder: requests[0]!.holder }],
    },
  });
  // The first one finishes: its lock goes back, and the second may go once told.
  const pod = Object.values(status.nodes).find((n) => n.displayName === 's0')!;
  const done = advanceRun(run, status, { type: 'pod-finished', nodeId: pod.id, exitCode: 0 }, START + 3);
  assert.deepEqual(
    done.actions.filter((a) => a.type === 'release-lock'),
    [{ type: 'release-lock', holder: requests[0]!.holder }],
  );
  const go = advanceRun(run, status, { type: 'lock-acquired', holder: requests[1]!.holder }, START + 4);
  assert.equal(go.actions.filter((a) => a.type === 'run-pod').length, 1);
  assert.equal(second.message, undefined);
  assert.equal(second.synchronizationStatus, undefined);
  assert.deepEqual(status.synchronization, { mutex: { holding: [{ mutex: 'default/Mutex/welcome', holder: requests[1]!.holder }] } });

  function r0(s: typeof status): string {
    return Object.values(s.nodes).find((n) => n.displayName === 's0')!.id;
  }
  function r1(s: typeof status): string {
    return Object.values(s.nodes).find((n) => n.displayName === 's1')!.id;
  }
});

test('a semaphore with limit 2 runs two of four parallel steps at a time, its limit read from the ConfigMap', () => {
  const workflow = workflowOf({
    entrypoint: 'main',
    templates: [parallel('sem', 4), { name: 'sem', synchronization: { semaphores: [{ configMapKeyRef: { name: 'my-config', key: 'template' } }] }, ...echo }],
  });
  const locks = new FakeLocks();
  const r = simulate(workflow, { script: () => ({ durationMs: 1000 }), definition: limits({ template: '2' }), locks });
  assert.equal(r.status.phase, 'Succeeded', r.status.message);
  assert.deepEqual(
    [0, 1, 2, 3].map((i) => r.byDisplay(`s${i}`)!.finishedAt),
    [at(1000), at(1000), at(2000), at(2000)],
  );
  assert.equal(locks.grants.length, 4);
  assert.deepEqual(locks.grants[0]![1], ['default/ConfigMap/my-config/template']);
});

test('a semaphore waiting message counts the free places, as Argo does', () => {
  const workflow = workflowOf({
    entrypoint: 'main',
    templates: [parallel('sem', 1), { name: 'sem', synchronization: { semaphores: [{ configMapKeyRef: { name: 'my-config', key: 'template' } }] }, ...echo }],
  });
  const run = { workflow, ...limits({ template: '3' }) };
  const status = newRunStatus();
  const [request] = locksOf(advanceRun(run, status, { type: 'start' }, START).actions);
  assert.deepEqual(request!.locks, [{ name: 'default/ConfigMap/my-config/template', limit: 3 }]);
  advanceRun(
    run,
    status,
    { type: 'lock-waiting', holder: request!.holder, lock: request!.locks[0]!.name, holders: ['default/other/a', 'default/other/b', 'default/other/c'] },
    START + 1,
  );
  const node = Object.values(status.nodes).find((n) => n.displayName === 's0')!;
  assert.equal(node.message, 'Waiting for default/ConfigMap/my-config/template lock. Lock status: 0/3');
  assert.deepEqual(status.synchronization, {
    semaphore: { waiting: [{ semaphore: 'default/ConfigMap/my-config/template', holders: ['default/other/a', 'default/other/b', 'default/other/c'] }] },
  });
});

test('a semaphore without its ConfigMap, key or an integer limit makes the node an Error that says why', () => {
  const template = (key: string): Template => ({ name: 'sem', synchronization: { semaphores: [{ configMapKeyRef: { name: 'my-config', key } }] }, ...echo });
  const cases: Array<[Partial<RunDefinition>, string, RegExp]> = [
    [
      {},
      'template',
      /failed to initialize semaphore default\/ConfigMap\/my-config\/template with limit: ConfigMap "my-config" does not exist in namespace "default"/,
    ],
    [limits({ other: '1' }), 'template', /has no key "template"/],
    [limits({ template: 'two' }), 'template', /"two" is not an integer/],
    [limits({ template: '0' }), 'template', /needs at least 1/],
  ];
  for (const [definition, key, message] of cases) {
    const r = simulate(workflowOf({ entrypoint: 'main', templates: [parallel('sem', 1), template(key)] }), { definition });
    assert.notEqual(r.status.phase, 'Succeeded');
    assert.equal(r.pods.length, 0);
    const node = r.byDisplay('s0')!;
    assert.equal(node.phase, 'Error');
    assert.match(node.message ?? '', message);
  }
});

test('a database semaphore is refused with the reason; a database mutex is shared like any mutex', () => {
  const db = simulate(
    workflowOf({ entrypoint: 'main', synchronization: { semaphores: [{ database: { key: 'workflow' } }] }, templates: [{ name: 'main', ...echo }] }),
  );
  assert.equal(db.status.phase, 'Failed');
  assert.match(
    db.status.message ?? '',
    /^Failed to acquire the synchronization lock\. semaphore "default\/workflow" is a database semaphore.*Skiff has no such database/,
  );
  const locks = new FakeLocks();
  const mutex = simulate(
    workflowOf({ entrypoint: 'main', synchronization: { mutexes: [{ name: 'test', database: true }] }, templates: [{ name: 'main', ...echo }] }),
    { locks },
  );
  assert.equal(mutex.status.phase, 'Succeeded');
  assert.deepEqual(locks.grants, [['default/wf', ['default/Database/test']]]);
});

test("a workflow-level lock keeps the run Pending with Argo's message until it is held; names use the workflow's parameters", () => {
  const workflow = workflowOf({
    entrypoint: 'main',
    arguments: { parameters: [{ name: 'lock', value: 'shared' }] },
    synchronization: { mutexes: [{ name: '{{workflow.parameters.lock}}' }] },
    templates: [{ name: 'main', ...echo }],
  });
  const run = { workflow };
  const status = newRunStatus();
  const start = advanceRun(run, status, { type: 'start' }, START);
  assert.deepEqual(
    locksOf(start.actions).map((r) => [r.holder, r.locks]),
    [['default/wf', [{ name: 'default/Mutex/shared', limit: 1 }]]],
  );
  assert.equal(status.phase, 'Pending');
  assert.equal(status.startedAt, undefined);
  assert.deepEqual(status.nodes, {});
  advanceRun(run, status, { type: 'lock-waiting', holder: 'default/wf', lock: 'default/Mutex/shared', holders: ['default/other'] }, START + 1);
  assert.equal(status.phase, 'Pending');
  assert.equal(status.message, 'Waiting for default/Mutex/shared lock. Lock status: 0/1');
  const go = advanceRun(run, status, { type: 'lock-acquired', holder: 'default/wf' }, START + 5000);
  assert.equal(status.phase, 'Running');
  assert.equal(status.message, undefined);
  assert.equal(status.startedAt, at(5000));
  assert.equal(go.actions.filter((a) => a.type === 'run-pod').length, 1);
  assert.deepEqual(status.synchronization, { mutex: { holding: [{ mutex: 'default/Mutex/shared', holder: 'default/wf' }] } });
  const pod = Object.values(status.nodes)[0]!;
  const end = advanceRun(run, status, { type: 'pod-finished', nodeId: pod.id, exitCode: 0 }, START + 6000);
  assert.equal(status.phase, 'Succeeded');
  assert.deepEqual(
    end.actions.filter((a) => a.type === 'release-lock'),
    [{ type: 'release-lock', holder: 'default/wf' }],
  );
  assert.equal(status.synchronization, undefined);
});

test('a step that fails gives its lock to the next; a stop fails the nodes still waiting and gives up their places', () => {
  const workflow = workflowOf({
    entrypoint: 'main',
    templates: [parallel('locked', 3), { name: 'locked', synchronization: { mutexes: [{ name: 'm' }] }, ...echo }],
  });
  const failing = simulate(workflow, {
    script: (pod, status) => (status.nodes[pod.nodeId]!.displayName === 's0' ? { exitCode: 1, durationMs: 500 } : { durationMs: 1000 }),
  });
  assert.equal(failing.status.phase, 'Failed');
  assert.deepEqual(
    ['s0', 's1', 's2'].map((s) => [failing.byDisplay(s)!.phase, failing.byDisplay(s)!.finishedAt]),
    [
      ['Failed', at(500)],
      ['Succeeded', at(1500)],
      ['Succeeded', at(2500)],
    ],
  );

  const locks = new FakeLocks();
  const stopped = simulate(workflow, { script: () => ({ durationMs: 10_000 }), events: [{ at: START + 1000, event: { type: 'stop' } }], locks });
  assert.equal(stopped.status.phase, 'Failed');
  const phases = ['s0', 's1', 's2'].map((s) => [stopped.byDisplay(s)!.phase, stopped.byDisplay(s)!.message]);
  assert.deepEqual(phases, [
    ['Failed', "Stopped with strategy 'Stop'"],
    ['Failed', "Stopped with strategy 'Stop'"],
    ['Failed', "Stopped with strategy 'Stop'"],
  ]);
  assert.equal(stopped.pods.length, 1, 'the waiting steps never ran');
  assert.deepEqual(locks.holdersOf('default/Mutex/m'), [], 'nothing is held or queued for after the stop');
  assert.equal(stopped.status.synchronization, undefined);
});

test('a run waiting for its workflow-level lock is Failed by a stop without ever running', () => {
  const workflow = workflowOf({ entrypoint: 'main', synchronization: { mutexes: [{ name: 'm' }] }, templates: [{ name: 'main', ...echo }] });
  const run = { workflow };
  const status = newRunStatus();
  advanceRun(run, status, { type: 'start' }, START);
  const stop = advanceRun(run, status, { type: 'terminate' }, START + 1000);
  assert.equal(status.phase, 'Failed');
  assert.equal(status.message, "Stopped with strategy 'Terminate'");
  assert.deepEqual(status.nodes, {});
  assert.deepEqual(
    stop.actions.filter((a) => a.type === 'release-lock'),
    [{ type: 'release-lock', holder: 'default/wf' }],
  );
});

test('a retried template holds its lock across its attempts, and a steps template for all its steps', () => {
  const retried = workflowOf({
    entrypoint: 'main',
    templates: [parallel('flaky', 2), { name: 'flaky', retryStrategy: { limit: 2 }, synchronization: { mutexes: [{ name: 'm' }] }, ...echo }],
  });
  let failures = 0;
  const r = simulate(retried, {
    script: (pod, status) => (status.nodes[pod.nodeId]!.name.includes('.s0') && failures++ < 2 ? { exitCode: 1, durationMs: 100 } : { durationMs: 100 }),
  });
  assert.equal(r.status.phase, 'Succeeded', r.status.message);
  assert.equal(r.byDisplay('s0')!.type, 'Retry');
  assert.equal(r.byDisplay('s0')!.finishedAt, at(300), 'three attempts in a row');
  assert.equal(r.byDisplay('s1')!.startedAt, at(0));
  const s1Pod = Object.values(r.status.nodes).find((n) => n.type === 'Pod' && n.name.includes('.s1'))!;
  assert.equal(s1Pod.startedAt, at(300), "s1 waited for all of s0's attempts");

  const nested = workflowOf({
    entrypoint: 'main',
    templates: [
      parallel('group', 2),
      { name: 'group', synchronization: { mutexes: [{ name: 'g' }] }, steps: [[{ name: 'a', template: 'leaf' }], [{ name: 'b', template: 'leaf' }]] },
      { name: 'leaf', ...echo },
    ],
  });
  const n = simulate(nested, { script: () => ({ durationMs: 100 }) });
  assert.equal(n.status.phase, 'Succeeded', n.status.message);
  assert.equal(n.byDisplay('s0')!.type, 'Steps');
  assert.deepEqual([n.byDisplay('s0')!.finishedAt, n.byDisplay('s1')!.startedAt, n.byDisplay('s1')!.finishedAt], [at(200), at(0), at(400)]);
});

test('a run picked up again re-establishes the holds its status records, and asks anew for what it waited for', () => {
  const workflow = workflowOf({
    entrypoint: 'main',
    templates: [parallel('locked', 2), { name: 'locked', synchronization: { mutexes: [{ name: 'm' }] }, ...echo }],
  });
  const run = { workflow };
  const status = newRunStatus();
  const [first, second] = locksOf(advanceRun(run, status, { type: 'start' }, START).actions);
  advanceRun(run, status, { type: 'lock-acquired', holder: first!.holder }, START + 1);
  advanceRun(run, status, { type: 'lock-waiting', holder: second!.holder, lock: 'default/Mutex/m', holders: [first!.holder] }, START + 2);
  // A new process loads the saved status.
  const restored = cloneStatus(status);
  const again = advanceRun({ workflow }, restored, { type: 'start' }, START + 10);
  const requests = locksOf(again.actions);
  assert.deepEqual(
    requests.map((r) => [r.holder, r.reacquire === true]),
    [
      [first!.holder, true],
      [second!.holder, false],
    ],
  );
  assert.equal(again.actions.filter((a) => a.type === 'run-pod').length, 1, "the holder's pod is asked for again at once");
});

test('two runs with the same workflow-level mutex run one after the other through one driver; a stop of the holder lets the other go', async () => {
  const store = new MemoryRunStore();
  const runtime = new InstantRuntime({ script: (pod) => (pod.workflowName === 'first' ? { hang: true } : undefined) });
  const driver = new RunDriver({ store, runtime });
  const wf = (name: string) =>
    workflowOf({ entrypoint: 'main', synchronization: { mutexes: [{ name: 'test' }] }, templates: [{ name: 'main', ...echo }] }, name);
  const a = await driver.submit(wf('first'));
  const b = await driver.submit(wf('second'));
  for (let i = 0; driver.status(b)!.message === undefined; i++) {
    assert.ok(i < 200, 'the second run never said it waits');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.equal(driver.status(a)!.phase, 'Running');
  assert.equal(driver.status(b)!.phase, 'Pending');
  assert.equal(driver.status(b)!.message, 'Waiting for default/Mutex/test lock. Lock status: 0/1');
  assert.deepEqual(driver.status(b)!.synchronization, { mutex: { waiting: [{ mutex: 'default/Mutex/test', holder: 'default/first' }] } });
  assert.equal(runtime.started, 1, 'the second run started no pod');
  driver.stop(a);
  const [sa, sb] = await Promise.all([driver.wait(a), driver.wait(b)]);
  assert.equal(sa.phase, 'Failed');
  assert.equal(sb.phase, 'Succeeded');
  assert.equal(sb.synchronization, undefined);
  assert.ok(Date.parse(sb.startedAt!) >= Date.parse(sa.finishedAt!), `second started ${sb.startedAt}, first finished ${sa.finishedAt}`);
});

test("a template's lock names take its inputs, so each value gets a mutex of its own", () => {
  const workflow = workflowOf({
    entrypoint: 'main',
    templates: [
      {
        name: 'main',
        steps: [
          [
            { name: 'a', template: 'per-env', arguments: { parameters: [{ name: 'env', value: 'prod' }] } },
            { name: 'b', template: 'per-env', arguments: { parameters: [{ name: 'env', value: 'dev' }] } },
            { name: 'c', template: 'per-env', arguments: { parameters: [{ name: 'env', value: 'prod' }] } },
          ],
        ],
      },
      {
        name: 'per-env',
        inputs: { parameters: [{ name: 'env' }] },
        synchronization: { mutexes: [{ name: 'deploy-{{inputs.parameters.env}}', namespace: 'ops' }] },
        ...echo,
      },
    ],
  });
  const locks = new FakeLocks();
  const r = simulate(workflow, { script: () => ({ durationMs: 1000 }), locks });
  assert.equal(r.status.phase, 'Succeeded', r.status.message);
  assert.deepEqual(
    locks.grants.map(([, names]) => names[0]),
    ['ops/Mutex/deploy-prod', 'ops/Mutex/deploy-dev', 'ops/Mutex/deploy-prod'],
  );
  assert.deepEqual(
    ['a', 'b', 'c'].map((s) => r.byDisplay(s)!.finishedAt),
    [at(1000), at(1000), at(2000)],
  );
});
