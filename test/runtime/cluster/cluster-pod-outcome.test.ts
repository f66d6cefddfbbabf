import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { createArtifactDriver } from '../../../src/artifacts/index.js';
import { clusterPodOutcome } from '../../../src/runtime/cluster/cluster-pod-outcome.js';
import { KubeExecutorReports } from '../../../src/runtime/cluster/kube-executor-reports.js';

const ref = { run: 'ci/wf', podName: 'wf-step-1' };
const c = (name: string, state: V1ContainerStatus['state']): V1ContainerStatus => ({ name, image: 'i', imageID: '', ready: false, restartCount: 0, state });
const outcome = (pod: V1Pod | undefined) =>
  clusterPodOutcome(
    'n1',
    pod,
    ref,
    new KubeExecutorReports({ podOf: () => pod, driverFor: (namespace) => createArtifactDriver({ secrets: { get: async () => undefined }, namespace }) }),
    false,
  );
const report = (r: object) => JSON.stringify({ skiffReport: r });

describe('clusterPodOutcome', () => {
  it("a filed report ends the node with main's exit code and the outputs", async () => {
    const pod: V1Pod = {
      status: {
        phase: 'Failed',
        containerStatuses: [
          c('main', { terminated: { exitCode: 2 } }),
          c('wait', { terminated: { exitCode: 0, message: report({ exitCode: 2, result: 'r' }) } }),
        ],
      },
    };
    assert.deepEqual(await outcome(pod), { type: 'pod-finished', nodeId: 'n1', exitCode: 2, outputs: { result: 'r' } });
  });

  it("wait's end seen before main's (a busy kubelet) ends the node with the exit code the wrapper reported", async () => {
    const pod: V1Pod = {
      status: {
        phase: 'Running',
        containerStatuses: [
          c('main', { running: { startedAt: new Date() } }),
          c('wait', { terminated: { exitCode: 0, message: report({ exitCode: 3, result: 'r' }) } }),
        ],
      },
    };
    assert.deepEqual(await outcome(pod), { type: 'pod-finished', nodeId: 'n1', exitCode: 3, outputs: { result: 'r' } });
    // Without the wrapper's exit code the report cannot stand for main: the pod did not run it.
    const unreported: V1Pod = {
      status: {
        phase: 'Failed',
        containerStatuses: [
          c('main', { waiting: { reason: 'ContainerCreating' } }),
          c('wait', { terminated: { exitCode: 0, message: report({ result: 'r' }) } }),
        ],
      },
    };
    assert.deepEqual(await outcome(unreported), { type: 'pod-error', nodeId: 'n1', message: 'the pod ended before its main container ran' });
  });

  it('a failed init says why, from its termination message', async () => {
    const pod: V1Pod = {
      status: {
        phase: 'Failed',
        initContainerStatuses: [c('init', { terminated: { exitCode: 1, message: 'input artifact "in": not found' } })],
        containerStatuses: [c('main', { waiting: { reason: 'PodInitializing' } }), c('wait', { waiting: { reason: 'PodInitializing' } })],
      },
    };
    assert.deepEqual(await outcome(pod), { type: 'pod-error', nodeId: 'n1', message: 'input artifact "in": not found' });
  });

  it('a pod that vanished, was evicted, ran past its deadline or ran out of memory says so', async () => {
    assert.match(((await outcome(undefined)) as { message: string }).message, /was deleted before it finished \(by something other than Skiff\)/);
    const drained = await clusterPodOutcome('n1', undefined, ref, { read: async () => undefined, terminationMessage: () => undefined } as never, false, {
      status: { conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' }] },
    });
    assert.deepEqual(drained, {
      type: 'pod-error',
      nodeId: 'n1',
      message:
        'pod wf-step-1 was evicted through the Eviction API (a node drain, or a kubectl or autoscaler eviction) before it finished: Eviction API: evicting; its outputs are lost',
    });
    const evicted = await outcome({ status: { phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory.' } });
    assert.deepEqual(evicted, { type: 'pod-error', nodeId: 'n1', message: 'pod wf-step-1 was evicted from its node: The node was low on resource: memory.' });
    const late = await outcome({ status: { phase: 'Failed', reason: 'DeadlineExceeded' } });
    assert.deepEqual(late, { type: 'pod-finished', nodeId: 'n1', exitCode: 137, message: 'Pod was active on the node longer than the specified deadline' });
    const oom = await outcome({
      status: {
        phase: 'Failed',
        containerStatuses: [c('main', { terminated: { exitCode: 137, reason: 'OOMKilled' } }), c('wait', { terminated: { exitCode: 137 } })],
      },
    });
    assert.deepEqual(oom, { type: 'pod-finished', nodeId: 'n1', exitCode: 137, message: 'OOMKilled (exit code 137)' });
    const waitOom = await outcome({
      status: {
        phase: 'Failed',
        containerStatuses: [c('main', { terminated: { exitCode: 0 } }), c('wait', { terminated: { exitCode: 137, reason: 'OOMKilled' } })],
      },
    });
    assert.match((waitOom as { message: string }).message, /wait container ran out of memory/);
  });

  it('a wait container that ended without a report names its exit code and what it said', async () => {
    const silent = await outcome({
      status: {
        phase: 'Failed',
        containerStatuses: [
          c('main', { terminated: { exitCode: 0 } }),
          c('wait', { terminated: { exitCode: 2, reason: 'Error', message: 'node: not found' } }),
        ],
      },
    });
    assert.equal(silent.type, 'pod-error');
    assert.match((silent as { message: string }).message, /wait container ended \(exit code 2, Error\) without filing the step's outputs: node: not found/);
  });
});
