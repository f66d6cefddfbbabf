import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fromStatus } from '../../../src/kube/kube-errors.js';
import { podCreateRefusal } from '../../../src/runtime/cluster/pod-create-refusal.js';

const pod = { metadata: { name: 'wf-step-1', namespace: 'ci' }, spec: { serviceAccountName: 'builder', containers: [] } };
const refusal = (code: number, reason: string, message: string) => fromStatus({ code, reason, message }, { kind: 'Pod', name: 'wf-step-1' });

describe('podCreateRefusal', () => {
  it('a missing ServiceAccount says which, where, and what to create', () => {
    const message = podCreateRefusal(
      pod,
      refusal(403, 'Forbidden', 'pods "wf-step-1" is forbidden: error looking up service account ci/builder: serviceaccount "builder" not found'),
    );
    assert.match(
      message,
      /^cannot create pod wf-step-1: serviceAccountName "builder" names no ServiceAccount in namespace "ci"; create it \(kubectl create serviceaccount builder -n ci\)/,
    );
    assert.match(message, /serviceaccount "builder" not found/);
  });

  it("any other refusal keeps the API server's words", () => {
    const quota = refusal(403, 'Forbidden', 'exceeded quota: pods');
    assert.equal(podCreateRefusal(pod, quota), `cannot create pod wf-step-1: ${quota.message}`);
    const invalid = refusal(422, 'Invalid', 'spec.containers[0].image: Required value');
    assert.equal(podCreateRefusal(pod, invalid), `cannot create pod wf-step-1: ${invalid.message}`);
  });
});
