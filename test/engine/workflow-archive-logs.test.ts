import assert from 'node:assert/strict';
import { test } from 'node:test';
import { simulate, workflowOf } from './simulate-run.js';

// A pod's runtime decides whether it archives its logs (runs/archive-logs.ts) from the run's
// effective spec, which only the engine knows when the workflow runs a WorkflowTemplate.
const hello = { name: 'hello', container: { image: 'busybox', command: ['echo', 'hi'] } };

test("a pod request carries the workflow's spec.archiveLogs", () => {
  const r = simulate(workflowOf({ entrypoint: 'hello', archiveLogs: true, templates: [hello] }));
  assert.equal(r.status.phase, 'Succeeded', r.status.message);
  assert.equal(r.pods[0]?.workflowArchiveLogs, true);
});

test('a pod request carries the archiveLogs of the WorkflowTemplate the workflow runs, the workflow’s own over it', () => {
  const referenced = [{ name: 'base', spec: { entrypoint: 'hello', archiveLogs: true, templates: [hello] } }];
  const fromTemplate = simulate(workflowOf({ workflowTemplateRef: { name: 'base' } }), { definition: { referenced } });
  assert.equal(fromTemplate.status.phase, 'Succeeded', fromTemplate.status.message);
  assert.equal(fromTemplate.pods[0]?.workflowArchiveLogs, true);
  const overruled = simulate(workflowOf({ workflowTemplateRef: { name: 'base' }, archiveLogs: false }), { definition: { referenced } });
  assert.equal(overruled.pods[0]?.workflowArchiveLogs, false);
});

test('a workflow that says nothing of archiveLogs gives its pod requests nothing', () => {
  const r = simulate(workflowOf({ entrypoint: 'hello', templates: [hello] }));
  assert.equal(r.pods[0]?.workflowArchiveLogs, undefined);
});
