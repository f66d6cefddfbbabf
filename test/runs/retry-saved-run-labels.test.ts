// A retry's labels (the delivery that asked for it, from the GitHub App) are saved with the retried
// run in the same write, beside its own labels; a retry refused writes none.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runKeyOf } from '../../src/ports/run-key.js';
import { retrySavedRun, RunOperationError } from '../../src/runs/run-operations.js';
import { MemoryRunStore } from '../../src/state/memory-run-store.js';
import { echo, simulate, workflowOf } from '../engine/simulate-run.js';

test('retrySavedRun adds the labels asked for to the retried run, and none to a run it refuses', async () => {
  const workflow = workflowOf({ entrypoint: 'main', templates: [{ name: 'main', ...echo }] });
  workflow.metadata = { ...workflow.metadata, namespace: 'ci', labels: { 'skiff.dev/check-run': '9' } };
  const failed = simulate(workflow, { script: () => ({ exitCode: 1 }) });
  assert.equal(failed.status.phase, 'Failed');
  const store = new MemoryRunStore();
  const key = runKeyOf(workflow);
  await store.create({ key, workflow, status: failed.status });

  const retried = await retrySavedRun({ store }, key, { labels: { 'skiff.dev/retried-by': 'd1' } });
  assert.equal(retried.status.phase, 'Running');
  const saved = await store.load(key);
  assert.deepEqual(saved?.workflow.metadata?.labels, { 'skiff.dev/check-run': '9', 'skiff.dev/retried-by': 'd1' });

  // Running now: a second retry is refused, and its label is not written.
  await assert.rejects(retrySavedRun({ store }, key, { labels: { 'skiff.dev/retried-by': 'd2' } }), RunOperationError);
  assert.equal((await store.load(key))?.workflow.metadata?.labels?.['skiff.dev/retried-by'], 'd1');
});
