import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deleteClaimsAtEnd, deletePodNow, podsToDeleteAtEnd } from '../../../src/runtime/cluster/pod-gc.js';
import type { Workflow } from '../../../src/spec/model/workflow.js';

const wf = (spec: Record<string, unknown>): Workflow => ({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', metadata: { name: 'w' }, spec });

describe('podGC and volumeClaimGC', () => {
  it('deletes ended pods by strategy, only those the label selector matches', () => {
    assert.equal(deletePodNow(wf({}), { labels: {}, succeeded: true }), false, 'no podGC keeps pods');
    assert.equal(deletePodNow(wf({ podGC: { strategy: 'OnPodCompletion' } }), { labels: {}, succeeded: false }), true);
    assert.equal(deletePodNow(wf({ podGC: { strategy: 'OnPodSuccess' } }), { labels: {}, succeeded: false }), false);
    assert.equal(deletePodNow(wf({ podGC: { strategy: 'OnPodSuccess' } }), { labels: {}, succeeded: true }), true);
    const selective = wf({ podGC: { strategy: 'OnPodCompletion', labelSelector: { matchLabels: { gc: 'yes' } } } });
    assert.equal(deletePodNow(selective, { labels: { gc: 'no' }, succeeded: true }), false);
    assert.equal(deletePodNow(selective, { labels: { gc: 'yes' }, succeeded: true }), true);
    assert.equal(deletePodNow(wf({ podGC: { strategy: 'OnWorkflowCompletion' } }), { labels: {}, succeeded: true }), false);
  });

  it("deletes a finished run's pods by strategy and phase", () => {
    assert.deepEqual(podsToDeleteAtEnd(wf({ podGC: { strategy: 'OnWorkflowCompletion' } }), 'Failed'), { matchLabels: {} });
    assert.equal(podsToDeleteAtEnd(wf({ podGC: { strategy: 'OnWorkflowSuccess' } }), 'Failed'), undefined);
    assert.ok(podsToDeleteAtEnd(wf({ podGC: { strategy: 'OnWorkflowSuccess' } }), 'Succeeded'));
    assert.equal(podsToDeleteAtEnd(wf({}), 'Succeeded'), undefined);
  });

  it("keeps a failed run's claims by default, as Argo (OnWorkflowSuccess)", () => {
    assert.equal(deleteClaimsAtEnd(wf({}), 'Failed'), false);
    assert.equal(deleteClaimsAtEnd(wf({}), 'Succeeded'), true);
    assert.equal(deleteClaimsAtEnd(wf({ volumeClaimGC: { strategy: 'OnWorkflowCompletion' } }), 'Failed'), true);
  });
});
