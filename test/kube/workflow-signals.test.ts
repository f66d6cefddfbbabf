import assert from 'node:assert/strict';
import { test } from 'node:test';
import { workflowSignals } from '../../src/kube/workflow-signals.js';
import type { Workflow } from '../../src/spec/model/workflow.js';

const base: Workflow = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', metadata: { name: 'run', namespace: 'ci' }, spec: { entrypoint: 'main' } };
const withSpec = (spec: Partial<Workflow['spec']>, annotations?: Record<string, string>): Workflow => ({
  ...base,
  metadata: { ...base.metadata, ...(annotations ? { annotations } : {}) },
  spec: { ...base.spec, ...spec },
});

test('spec.shutdown newly set is a stop or terminate, with the message annotation; set before and unchanged is nothing', () => {
  assert.deepEqual(workflowSignals(base, withSpec({ shutdown: 'Stop' })), [{ op: 'stop' }]);
  assert.deepEqual(workflowSignals(base, withSpec({ shutdown: 'Terminate' }, { 'skiff.dev/shutdown-message': 'superseded' })), [
    { op: 'terminate', message: 'superseded' },
  ]);
  assert.deepEqual(workflowSignals(withSpec({ shutdown: 'Stop' }), withSpec({ shutdown: 'Stop' })), []);
  assert.deepEqual(workflowSignals(withSpec({ shutdown: 'Stop' }), withSpec({ shutdown: 'Terminate' })), [{ op: 'terminate' }], 'a stop escalated');
  assert.deepEqual(workflowSignals(base, withSpec({ shutdown: '' })), []);
});

test('a run first picked up: its shutdown is the engine’s to restore, but a waiting resume request is handed on', () => {
  assert.deepEqual(workflowSignals(undefined, withSpec({ shutdown: 'Stop' })), []);
  assert.deepEqual(workflowSignals(undefined, withSpec({}, { 'skiff.dev/resume-requested': 'a1' })), [{ op: 'resume' }]);
});

test('resume: a new request value, or spec.suspend cleared as argo resume clears it; the same request seen again is nothing', () => {
  assert.deepEqual(workflowSignals(base, withSpec({}, { 'skiff.dev/resume-requested': 'a1' })), [{ op: 'resume' }]);
  const requested = withSpec({}, { 'skiff.dev/resume-requested': 'a1' });
  assert.deepEqual(workflowSignals(requested, requested), []);
  assert.deepEqual(workflowSignals(requested, withSpec({}, { 'skiff.dev/resume-requested': 'b2' })), [{ op: 'resume' }]);
  assert.deepEqual(workflowSignals(withSpec({ suspend: true }), base), [{ op: 'resume' }]);
  assert.deepEqual(workflowSignals(base, withSpec({ suspend: true })), [], 'suspending is not obeyed yet, and is no resume');
});
