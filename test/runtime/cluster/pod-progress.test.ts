import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { podProgress } from '../../../src/runtime/cluster/pod-progress.js';

const status = (name: string, state: V1ContainerStatus['state'], ready = false): V1ContainerStatus => ({
  name,
  image: 'alpine',
  imageID: '',
  ready,
  restartCount: 0,
  state,
});
const pod = (phase: string, containers: V1ContainerStatus[], init: V1ContainerStatus[] = []): V1Pod => ({
  status: { phase, containerStatuses: containers, initContainerStatuses: init },
});

describe('podProgress', () => {
  it('starts when a user container runs, not when wait or a sidecar does', () => {
    assert.equal(podProgress(pod('Running', [status('wait', { running: {} }), status('db', { running: {} })]), ['main']).started, false);
    assert.equal(podProgress(pod('Running', [status('main', { running: {} })]), ['main']).started, true);
  });

  it('ends when wait has ended, before the pod has (a sidecar still running), or when the pod has', () => {
    const waitEnded = pod('Running', [
      status('main', { terminated: { exitCode: 0 } }),
      status('wait', { terminated: { exitCode: 0 } }),
      status('db', { running: {} }),
    ]);
    assert.equal(podProgress(waitEnded, ['main']).ended, true);
    assert.equal(podProgress(pod('Failed', []), ['main']).ended, true);
    assert.equal(podProgress(pod('Running', [status('main', { terminated: { exitCode: 0 } }), status('wait', { running: {} })]), ['main']).ended, false);
  });

  it('is ready when running with every container ready', () => {
    assert.equal(podProgress(pod('Running', [status('main', { running: {} }, true), status('wait', { running: {} }, true)]), ['main']).ready, true);
    assert.equal(podProgress(pod('Running', [status('main', { running: {} }, true), status('wait', { running: {} }, false)]), ['main']).ready, false);
  });

  it('says which container cannot start and whether a retry could mend it', () => {
    const invalid = podProgress(pod('Pending', [status('main', { waiting: { reason: 'InvalidImageName', message: 'bad ref' } })]), ['main']);
    assert.deepEqual(invalid.stuck, { message: 'container "main" (image "alpine") cannot start: InvalidImageName: bad ref', fatal: true });
    const backoff = podProgress(pod('Pending', [], [status('init', { waiting: { reason: 'ImagePullBackOff' } })]), ['main']);
    assert.equal(backoff.stuck?.fatal, false);
    assert.match(backoff.stuck?.message ?? '', /"init".*ImagePullBackOff/);
    assert.equal(podProgress(pod('Pending', [status('main', { waiting: { reason: 'ContainerCreating' } })]), ['main']).stuck, undefined);
  });
});
