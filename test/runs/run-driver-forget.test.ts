// forget/close/adopt: what a controller needs of the driver when a run is deleted, when it loses
// its lease, and when it takes up a run it read itself.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PodRequest } from '../../src/engine/engine-events.js';
import type { RuntimeEvent } from '../../src/ports/runtime.js';
import { RunDriver } from '../../src/runs/run-driver.js';
import { MemoryRunStore } from '../../src/state/memory-run-store.js';
import { echo, workflowOf } from '../engine/simulate-run.js';

const workflow = workflowOf(
  {
    entrypoint: 'main',
    templates: [
      { name: 'main', steps: [[{ name: 'a', template: 'w' }], [{ name: 'b', template: 'w' }]] },
      { name: 'w', ...echo },
    ],
  },
  'fgt',
);

/** A runtime whose pods end only when the test says. */
function manualRuntime() {
  const pods: Array<{ pod: PodRequest; report: (event: RuntimeEvent) => void }> = [];
  return {
    pods,
    runtime: { run: (pod: PodRequest, report: (event: RuntimeEvent) => void) => void pods.push({ pod, report }), kill: () => {} },
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

test('a forgotten run is no longer driven: late reports of its pods change nothing and start nothing', async () => {
  const store = new MemoryRunStore();
  const { pods, runtime } = manualRuntime();
  const driver = new RunDriver({ store, runtime });
  const id = await driver.submit(workflow);
  await settle();
  assert.equal(pods.length, 1);
  assert.equal(driver.drives(id), true);
  const before = JSON.stringify(await store.load(id));
  driver.forget(id);
  assert.equal(driver.drives(id), false);
  pods[0]!.report({ type: 'pod-finished', nodeId: pods[0]!.pod.nodeId, exitCode: 0, outputs: {} });
  await settle();
  assert.equal(pods.length, 1, 'the next step did not start');
  assert.equal(JSON.stringify(await store.load(id)), before, 'nothing was saved');
  assert.equal(driver.status(id), undefined);
});

test('close forgets every run; adopt drives a run as read, asking again for its unfinished pod, to its end', async () => {
  const store = new MemoryRunStore();
  const first = manualRuntime();
  const leader = new RunDriver({ store, runtime: first.runtime });
  const id = await leader.submit(workflow);
  await settle();
  leader.close();
  assert.equal(leader.drives(id), false);

  const next = manualRuntime();
  const successor = new RunDriver({ store, runtime: next.runtime });
  successor.adopt((await store.load(id))!);
  await settle();
  assert.deepEqual(
    next.pods.map((p) => p.pod.podName),
    first.pods.map((p) => p.pod.podName),
    'the pod that had started is asked for again (to reattach), not a new one',
  );
  next.pods[0]!.report({ type: 'pod-finished', nodeId: next.pods[0]!.pod.nodeId, exitCode: 0, outputs: {} });
  await settle();
  assert.equal(next.pods.length, 2);
  next.pods[1]!.report({ type: 'pod-finished', nodeId: next.pods[1]!.pod.nodeId, exitCode: 0, outputs: {} });
  assert.equal((await successor.wait(id)).phase, 'Succeeded');
  first.pods[0]!.report({ type: 'pod-finished', nodeId: first.pods[0]!.pod.nodeId, exitCode: 1, outputs: {} });
  await settle();
  assert.equal((await store.load(id))!.status.phase, 'Succeeded', "the closed driver's late report changed nothing");
});
