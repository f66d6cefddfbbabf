import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deleteClaimsAtEnd, deletePodNow, podFinishedAt, podGCDelay, podsToDeleteAtEnd } from '../../../src/runtime/cluster/pod-gc.js';
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
    // OnPod* strategies delete each pod as it ends; at the run's end, the ended ones a dead controller missed go too.
    assert.deepEqual(podsToDeleteAtEnd(wf({ podGC: { strategy: 'OnPodCompletion' } }), 'Succeeded'), { matchLabels: {}, podPhases: ['Succeeded', 'Failed'] });
    assert.deepEqual(podsToDeleteAtEnd(wf({ podGC: { strategy: 'OnPodSuccess', labelSelector: { matchLabels: { gc: 'yes' } } } }), 'Failed'), {
      matchLabels: { gc: 'yes' },
      podPhases: ['Succeeded'],
    });
  });

  it("keeps a failed run's claims by default, as Argo (OnWorkflowSuccess)", () => {
    assert.equal(deleteClaimsAtEnd(wf({}), 'Failed'), false);
    assert.equal(deleteClaimsAtEnd(wf({}), 'Succeeded'), true);
    assert.equal(deleteClaimsAtEnd(wf({ volumeClaimGC: { strategy: 'OnWorkflowCompletion' } }), 'Failed'), true);
  });
});

describe('podGC deleteDelayDuration', () => {
  it('reads the delay as Argo does: a Go duration or a number of seconds; unset, empty or malformed is no delay (malformed with a warning)', () => {
    const delay = (value: unknown) => podGCDelay(wf({ podGC: { strategy: 'OnPodCompletion', deleteDelayDuration: value } }));
    assert.deepEqual(podGCDelay(wf({})), { ms: 0 });
    assert.deepEqual(delay(''), { ms: 0 });
    assert.deepEqual(delay('30s'), { ms: 30_000 });
    assert.deepEqual(delay('1h30m'), { ms: 5_400_000 });
    assert.deepEqual(delay('120'), { ms: 120_000 });
    assert.match(delay('ten seconds').error ?? '', /podGC.deleteDelayDuration "ten seconds" is not a duration such as "30s"/);
    assert.equal(delay('ten seconds').ms, 0);
    assert.match(delay('-5s').error ?? '', /not a duration/);
  });

  it("counts from the pod's end: its last container's finish, else its conditions' last change", () => {
    const terminated = (finishedAt: string) => ({
      name: 'c',
      image: 'i',
      imageID: '',
      ready: false,
      restartCount: 0,
      state: { terminated: { exitCode: 0, finishedAt: finishedAt as unknown as Date } },
    });
    assert.equal(
      podFinishedAt({ status: { containerStatuses: [terminated('2026-01-01T00:00:05Z'), terminated('2026-01-01T00:00:09Z')] } }),
      Date.parse('2026-01-01T00:00:09Z'),
    );
    assert.equal(
      podFinishedAt({ status: { conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: '2026-01-01T00:01:00Z' as unknown as Date }] } }),
      Date.parse('2026-01-01T00:01:00Z'),
    );
    assert.equal(podFinishedAt({}), undefined);
  });
});
