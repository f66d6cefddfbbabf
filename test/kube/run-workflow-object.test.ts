// The Workflow objects KubeRunStore writes: labels, the snapshot pointer, run-level status without nodes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generationOf, hasArtifactGCFinalizer, workflowObject, workflowRef, workflowWithRecord } from '../../src/kube/run-workflow-object.js';
import type { StoredRun } from '../../src/ports/run-store.js';
import type { Workflow } from '../../src/spec/model/workflow.js';

const run: StoredRun = {
  key: 'ci/build',
  workflow: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', metadata: { name: 'build', annotations: { team: 'a' } }, spec: { entrypoint: 'main' } },
  status: { phase: 'Succeeded', progress: '1/1', nodes: { n: { id: 'n', name: 'n', displayName: 'n', type: 'Pod', phase: 'Succeeded' } } },
};

test('a run saved whole: Skiff’s labels, the snapshot it points at, the run-level status and no nodes', () => {
  const object = workflowObject(run, undefined, { generation: 2, chunks: 3 });
  assert.deepEqual(object.metadata, {
    name: 'build',
    namespace: 'ci',
    labels: {
      'workflows.argoproj.io/controller-instanceid': 'skiff',
      'workflows.argoproj.io/phase': 'Succeeded',
      'workflows.argoproj.io/completed': 'true',
    },
    annotations: { team: 'a', 'skiff.dev/nodes-generation': '2', 'skiff.dev/nodes-chunks': '3' },
  });
  assert.deepEqual(object.status, { phase: 'Succeeded', progress: '1/1' });
  assert.equal(generationOf(object), 2);
});

test('over a live object, the write is conditional on its resourceVersion and keeps the held note', () => {
  const live: Workflow = {
    ...run.workflow,
    metadata: { name: 'build', namespace: 'ci', uid: 'u', resourceVersion: '9', annotations: { 'skiff.dev/held': '{"problem":"p","since":"t"}' } },
  };
  const object = workflowObject(run, live, { generation: 1, chunks: 1 });
  assert.equal(object.metadata.resourceVersion, '9');
  assert.equal(object.metadata.uid, 'u');
  assert.equal(object.metadata.annotations?.['skiff.dev/held'], '{"problem":"p","since":"t"}');
});

test('a journal record sets the run-level status, and a stop record the spec and its annotations', () => {
  const live: Workflow = {
    ...run.workflow,
    metadata: { name: 'build', namespace: 'ci', resourceVersion: '9' },
    status: { phase: 'Running', nodes: { x: {} } },
  };
  const stopped: Workflow = {
    ...run.workflow,
    metadata: { name: 'build', annotations: { 'skiff.dev/shutdown-message': 'why' } },
    spec: { entrypoint: 'main', shutdown: 'Stop' },
  };
  const next = workflowWithRecord(live, { nodes: [], run: { phase: 'Failed', message: 'stopped' }, workflow: stopped });
  assert.equal(next.spec.shutdown, 'Stop');
  assert.equal(next.metadata.annotations?.['skiff.dev/shutdown-message'], 'why');
  assert.equal(next.metadata.labels?.['workflows.argoproj.io/completed'], 'true');
  assert.equal(next.metadata.resourceVersion, '9');
  assert.deepEqual(next.status, { phase: 'Failed', message: 'stopped', nodes: { x: {} } }, 'a Workflow written by others keeps its status nodes');
  assert.deepEqual(workflowRef('ci/build'), { apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', namespace: 'ci', name: 'build' });
});

test('a save over a live object keeps the finalizers it has (the artifact-GC one is added after the run was read)', () => {
  const held = { ...run, workflow: { ...run.workflow, metadata: { ...run.workflow.metadata, finalizers: ['stale.example/old'] } } };
  const live: Workflow = {
    ...run.workflow,
    metadata: { name: 'build', namespace: 'ci', uid: 'u', resourceVersion: '9', finalizers: ['workflows.argoproj.io/artifact-gc'] },
  };
  assert.deepEqual(workflowObject(held, live, { generation: 1, chunks: 1 }).metadata.finalizers, ['workflows.argoproj.io/artifact-gc']);
  const released: Workflow = { ...live, metadata: { ...live.metadata, finalizers: undefined } };
  assert.equal('finalizers' in workflowObject(held, released, { generation: 1, chunks: 1 }).metadata, false);
  assert.equal(hasArtifactGCFinalizer(live), true);
  assert.equal(hasArtifactGCFinalizer(released), false);
});
