// Which Workflows the controller holds with Argo's artifact-GC finalizer: those whose artifacts
// may be deleted on deletion, however the strategy is set; a malformed spec is no reason to fail.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deletesArtifactsWithWorkflow } from '../../src/controller/artifact-gc-finalizer.js';
import type { Workflow, WorkflowSpec } from '../../src/spec/model/workflow.js';

const run = (spec: unknown, referenced: WorkflowSpec[] = []) => ({
  workflow: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', metadata: { name: 'w' }, spec } as Workflow,
  referenced: referenced.map((s) => ({ name: 'shared', spec: s })),
});
const withArtifact = (strategy: string): WorkflowSpec =>
  ({
    entrypoint: 'main',
    templates: [{ name: 'main', container: { image: 'x' }, outputs: { artifacts: [{ name: 'a', path: '/a', artifactGC: { strategy } }] } }],
  }) as WorkflowSpec;

test('OnWorkflowDeletion on the workflow, on an artifact, or on an artifact of a referenced template: held', () => {
  assert.equal(deletesArtifactsWithWorkflow(run({ entrypoint: 'main', artifactGC: { strategy: 'OnWorkflowDeletion' } })), true);
  assert.equal(deletesArtifactsWithWorkflow(run(withArtifact('OnWorkflowDeletion'))), true);
  assert.equal(deletesArtifactsWithWorkflow(run({ entrypoint: 'main' }, [withArtifact('OnWorkflowDeletion')])), true);
});

test('OnWorkflowCompletion, Never or no strategy: not held (nothing waits for a deletion)', () => {
  assert.equal(deletesArtifactsWithWorkflow(run({ entrypoint: 'main', artifactGC: { strategy: 'OnWorkflowCompletion' } })), false);
  assert.equal(deletesArtifactsWithWorkflow(run(withArtifact('Never'))), false);
  assert.equal(deletesArtifactsWithWorkflow(run({ entrypoint: 'main' })), false);
});

test('a malformed spec (templates not a list, artifacts not a list, no spec) is not held and does not throw', () => {
  assert.equal(deletesArtifactsWithWorkflow(run({ entrypoint: 'main', templates: 'not a list' })), false);
  assert.equal(deletesArtifactsWithWorkflow(run({ templates: [{ name: 'm', outputs: { artifacts: 7 } }, null] })), false);
  assert.equal(deletesArtifactsWithWorkflow(run(undefined)), false);
});
