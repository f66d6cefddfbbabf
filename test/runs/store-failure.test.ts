import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PodRequest } from '../../src/engine/engine-events.js';
import { RunDriver } from '../../src/runs/run-driver.js';
import { InstantRuntime } from '../../src/runtime/instant-runtime.js';
import { echo, workflowOf } from '../engine/simulate-run.js';
import { FailingRunStore } from './failing-run-store.js';

// a, then b: the store fails while a finishes, so the change that starts b cannot be saved.
const workflow = workflowOf(
  {
    entrypoint: 'main',
    templates: [
      { name: 'main', steps: [[{ name: 'a', template: 'slow' }], [{ name: 'b', template: 'w' }]] },
      { name: 'slow', ...echo },
      { name: 'w', ...echo },
    ],
  },
  'held',
);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('a run whose state cannot be saved is held, starts nothing, says why, and goes on once the store recovers', async () => {
  const store = new FailingRunStore();
  const started: PodRequest[] = [];
  const runtime = new InstantRuntime({ script: (pod) => (pod.template.name === 'slow' ? { delayMs: 50 } : undefined), onStart: (pod) => started.push(pod) });
  const warnings: string[] = [];
  const held: Array<string | undefined> = [];
  const driver = new RunDriver({ store, runtime, warn: (_id, message) => warnings.push(message), storeRetry: { firstMs: 10, maxMs: 40 } });
  driver.observe({ runHeld: (_key, problem) => held.push(problem) });
  let ended: string | undefined;
  driver.observe({ runEnded: (_key, status) => (ended = status.phase) });

  const id = await driver.submit(workflow);
  while (!started.some((p) => p.template.name === 'slow')) await sleep(5);
  store.failing = 'ENOSPC: no space left on device';
  await sleep(400); // a finishes meanwhile; its change, and everything after it, waits

  assert.deepEqual(
    started.map((p) => p.template.name),
    ['slow'],
    'b was not started while the change that starts it was unsaved',
  );
  assert.ok(store.failedWrites >= 3, `the write was tried again (${store.failedWrites} attempts)`);
  assert.equal(driver.heldBecause(id), 'ENOSPC: no space left on device');
  assert.deepEqual(held, ['ENOSPC: no space left on device']);
  assert.deepEqual(store.notes, ['ENOSPC: no space left on device'], 'the store was asked to show the hold');
  assert.ok(warnings.some((w) => w.includes('held') && w.includes('ENOSPC')));
  assert.equal(ended, undefined);

  store.failing = undefined;
  const status = await driver.wait(id);
  assert.equal(status.phase, 'Succeeded');
  assert.deepEqual(
    started.map((p) => p.template.name),
    ['slow', 'w'],
  );
  assert.deepEqual(held, ['ENOSPC: no space left on device', undefined]);
  assert.deepEqual(store.notes, ['ENOSPC: no space left on device', undefined]);
  assert.equal(driver.heldBecause(id), undefined);
  assert.equal(ended, 'Succeeded');
  // Nothing the engine did while held was lost: the store replays to the status it holds.
  const saved = await store.load(id);
  assert.deepEqual(saved!.status, JSON.parse(JSON.stringify(status)));
});

test('events that arrive while a run is held are applied in order once it is saved: a stop while held still stops it', async () => {
  const store = new FailingRunStore();
  const runtime = new InstantRuntime({ script: (pod) => (pod.template.name === 'slow' ? { hang: true } : undefined) });
  const killed: string[] = [];
  const kill = runtime.kill.bind(runtime);
  runtime.kill = (key: string, podName: string) => {
    killed.push(podName);
    kill(key, podName);
  };
  const driver = new RunDriver({ store, runtime, storeRetry: { firstMs: 10, maxMs: 20 } });
  const id = await driver.submit(workflow);
  // Held only once the store has the run Running (its first pod started), however loaded the machine.
  while ((await store.load(id))?.status.phase !== 'Running') await sleep(5);
  store.failing = 'API server answered 503';
  driver.stop(id, 'stopped while held');
  await sleep(100);
  assert.equal(driver.heldBecause(id), 'API server answered 503');
  assert.equal((await store.load(id))!.status.phase, 'Running', 'the store still has the run as it was');
  assert.deepEqual(killed, [], 'the stop is not carried out before it is saved');
  store.failing = undefined;
  const status = await driver.wait(id);
  assert.equal(status.phase, 'Failed');
  assert.equal(status.message, 'stopped while held');
  assert.equal(killed.length, 1, 'the hanging pod was killed once the stop was saved');
  const saved = await store.load(id);
  assert.equal(saved!.workflow.spec.shutdown, 'Stop', 'the stop is saved in the workflow, as Argo keeps it');
  assert.deepEqual(saved!.status, JSON.parse(JSON.stringify(status)));
});
