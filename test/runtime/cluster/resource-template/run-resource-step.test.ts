import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PodRequest } from '../../../../src/engine/engine-events.js';
import type { KubeClient, ResourceRef } from '../../../../src/kube/kube-client.js';
import { KubeNotFoundError, KubeUnavailableError } from '../../../../src/kube/kube-errors.js';
import { runResourceStep } from '../../../../src/runtime/cluster/resource-template/run-resource-step.js';
import type { KubernetesObject } from '../../../../src/spec/model/kubernetes.js';
import type { Template, Workflow } from '../../../../src/spec/model/workflow.js';

const workflow: Workflow = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Workflow',
  metadata: { name: 'w', namespace: 'ci', uid: 'uid-1' },
  spec: { entrypoint: 'x' },
} as Workflow;
const job = (status: Record<string, unknown>): KubernetesObject =>
  ({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j-1', namespace: 'ci' }, status }) as KubernetesObject;
const ref = { status: undefined, reason: 'ServiceUnavailable', object: { kind: 'Job' }, serverMessage: '' };

/** A KubeClient whose `get` answers from a script, one answer per call (the last one repeats). */
function scripted(answers: Array<KubernetesObject | Error>, created: KubernetesObject[] = []): KubeClient & { gets: number } {
  const client = {
    namespace: 'ci',
    gets: 0,
    async get(_ref: ResourceRef) {
      const answer = answers[Math.min(client.gets++, answers.length - 1)]!;
      if (answer instanceof Error) throw answer;
      return answer;
    },
    async create(object: KubernetesObject) {
      created.push(object);
      return { ...object, metadata: { ...object.metadata, name: 'j-1' } };
    },
  };
  return client as unknown as KubeClient & { gets: number };
}

const request = (resource: Record<string, unknown>, outputs?: Template['outputs']): PodRequest => ({
  workflowName: 'w',
  workflowNamespace: 'ci',
  nodeId: 'w-1',
  podName: 'w-step-1',
  template: { name: 'step', resource: resource as Template['resource'], ...(outputs ? { outputs } : {}) },
  inputs: {},
});
const JOB = 'apiVersion: batch/v1\nkind: Job\nmetadata: {generateName: j-}\n';

describe('a resource step (with a scripted API server)', () => {
  test('reads the object again until the success condition holds, through an API server that was briefly away', async () => {
    const created: KubernetesObject[] = [];
    const client = scripted([job({ active: 1 }), new KubeUnavailableError('unavailable', ref), job({ succeeded: 3 })], created);
    const event = await runResourceStep(
      request(
        { action: 'create', manifest: JOB, successCondition: 'status.succeeded > 2', setOwnerReference: true },
        { parameters: [{ name: 'n', valueFrom: { jsonPath: '{.metadata.name}' } }] },
      ),
      {
        client,
        workflow,
        pollMs: 1,
        signal: new AbortController().signal,
      },
    );
    assert.deepEqual(event, { type: 'pod-finished', nodeId: 'w-1', exitCode: 0, outputs: { parameters: [{ name: 'n', value: 'j-1' }] } });
    assert.equal(client.gets, 3);
    // Created in the run's namespace, marked as this step's, owned by the run.
    assert.equal(created[0]?.metadata.namespace, 'ci');
    assert.equal(created[0]?.metadata.labels?.['skiff.dev/created-by-run'], 'uid-1');
    assert.equal(created[0]?.metadata.annotations?.['skiff.dev/created-by-node'], 'w-1');
    assert.deepEqual(
      (created[0]!.metadata.ownerReferences as Array<{ uid: string }>).map((o) => o.uid),
      ['uid-1'],
    );
  });

  test('an object deleted while awaited ends the step with a message', async () => {
    const client = scripted([new KubeNotFoundError('not found', { ...ref, reason: 'NotFound' })]);
    const event = await runResourceStep(request({ action: 'create', manifest: JOB, successCondition: 'status.succeeded > 2' }), {
      client,
      workflow,
      pollMs: 1,
      signal: new AbortController().signal,
    });
    assert.deepEqual(event, { type: 'pod-finished', nodeId: 'w-1', exitCode: 1, message: 'Job ci/j-1 was deleted while its conditions were awaited' });
  });

  test('aborted while it waits: nothing is reported and no more reads are made', async () => {
    const client = scripted([job({ active: 1 })]);
    const abort = new AbortController();
    const running = runResourceStep(request({ action: 'create', manifest: JOB, successCondition: 'status.succeeded > 2' }), {
      client,
      workflow,
      pollMs: 20,
      signal: abort.signal,
    });
    await new Promise((resolve) => setTimeout(resolve, 70));
    abort.abort();
    assert.equal(await running, undefined);
    const reads = client.gets;
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.equal(client.gets, reads);
  });

  test('a bad template or an unreadable output ends the step at once, saying why', async () => {
    const client = scripted([job({})]);
    const context = { client, workflow, pollMs: 1, signal: new AbortController().signal };
    const bad = await runResourceStep(request({ action: 'create', manifest: JOB, successCondition: 'status.x >>' }), context);
    assert.equal(bad?.type === 'pod-finished' && bad.exitCode, 1);
    assert.match(bad?.type === 'pod-finished' ? (bad.message ?? '') : '', /status.x >>/);
    const jq = await runResourceStep(
      request({ action: 'create', manifest: JOB }, { parameters: [{ name: 'n', valueFrom: { jqFilter: '.items | length' } }] }),
      context,
    );
    assert.match(jq?.type === 'pod-finished' ? (jq.message ?? '') : '', /output parameter "n": jqFilter .* only jq paths are understood/);
  });
});
