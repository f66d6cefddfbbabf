import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RunDriver, type NodeChange } from '../../src/runs/run-driver.js';
import { InstantRuntime } from '../../src/runtime/instant-runtime.js';
import { MemoryRunStore } from '../../src/state/memory-run-store.js';
import { echo, workflowOf } from '../engine/simulate-run.js';

const workflow = workflowOf(
  {
    entrypoint: 'main',
    templates: [
      { name: 'main', steps: [[{ name: 'a', template: 'w' }], [{ name: 'b', template: 'w', withItems: [1, 2, 3] }]] },
      { name: 'w', ...echo },
    ],
  },
  'drv',
);

test('the driver runs a workflow to the end, streams node changes, and the store replays to the same status', async () => {
  const store = new MemoryRunStore(200);
  const driver = new RunDriver({ store, runtime: new InstantRuntime() });
  const changes: NodeChange[] = [];
  driver.subscribe((c) => changes.push(c));
  const id = await driver.submit(workflow);
  const status = await driver.wait(id);
  assert.equal(status.phase, 'Succeeded');
  const podChanges = changes.filter((c) => c.node.type === 'Pod').map((c) => c.node.phase);
  assert.ok(podChanges.includes('Pending') && podChanges.includes('Succeeded'));
  const loaded = await store.load(id);
  assert.deepEqual(loaded!.status, JSON.parse(JSON.stringify(status)));
});

test('the driver stops, retries and resubmits runs', async () => {
  const store = new MemoryRunStore();
  let fail = true;
  const runtime = new InstantRuntime({ script: (pod) => (fail && pod.podName.includes('-w-') ? { exitCode: 1 } : undefined) });
  const driver = new RunDriver({ store, runtime, suffix: () => 'zzzzz' });
  const id = await driver.submit(workflow);
  assert.equal((await driver.wait(id)).phase, 'Failed');
  fail = false;
  await driver.retry(id);
  assert.equal((await driver.wait(id)).phase, 'Succeeded');
  const again = await driver.resubmit(id, { memoized: true });
  assert.equal(again, 'default/drv-zzzzz');
  assert.equal((await driver.wait(again)).phase, 'Succeeded');

  const hanging = new RunDriver({ store: new MemoryRunStore(), runtime: new InstantRuntime({ script: () => ({ hang: true }) }) });
  const run = await hanging.submit(workflowOf({ entrypoint: 'main', templates: [{ name: 'main', ...echo }] }, 'hang'));
  setTimeout(() => hanging.stop(run), 10);
  const stopped = await hanging.wait(run);
  assert.equal(stopped.phase, 'Failed');
  assert.equal(stopped.message, "Stopped with strategy 'Stop'");
});

test('a run resumed already finished is not waited for until its completion GC is recorded', async () => {
  const store = new MemoryRunStore();
  const finished = new RunDriver({ store, runtime: new InstantRuntime() });
  const id = await finished.submit(workflow);
  assert.equal((await finished.wait(id)).phase, 'Succeeded');
  // A second driver (the next skiff process) finds the run owing its GC; the GC takes a while.
  const runtime = Object.assign(new InstantRuntime(), {
    collectGarbage: async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      return { nodes: [], run: { artifactGCStatus: { strategiesProcessed: { OnWorkflowCompletion: true } } } };
    },
  });
  const next = new RunDriver({ store, runtime });
  await next.resume(id);
  const status = await next.wait(id);
  assert.deepEqual(status.artifactGCStatus?.strategiesProcessed, { OnWorkflowCompletion: true });
  assert.deepEqual((await store.load(id))!.status.artifactGCStatus?.strategiesProcessed, { OnWorkflowCompletion: true }, 'recorded before the wait ended');
});
