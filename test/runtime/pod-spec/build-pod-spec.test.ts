import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PodRequest } from '../../../src/engine/engine-events.js';
import { buildPodSpec } from '../../../src/runtime/pod-spec/build-pod-spec.js';
import { type ExecutorPlan, INPUTS_DIR, PLAN_ENV, SCRIPT_PATH } from '../../../src/runtime/pod-spec/executor-plan.js';
import type { Workflow } from '../../../src/spec/model/workflow.js';

const workflow: Workflow = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Workflow',
  metadata: { name: 'wf', namespace: 'argo', uid: 'u-1' },
  spec: {
    volumes: [{ name: 'cfg', configMap: { name: 'settings' } }, { name: 'unused', nfs: { server: 'x', path: '/' } }],
    volumeClaimTemplates: [{ metadata: { name: 'work' }, spec: {} }],
  },
};

const request = (template: PodRequest['template'], inputs: PodRequest['inputs'] = {}): PodRequest => ({ workflowName: 'wf', nodeId: 'wf-1', podName: 'wf-main-1', template, inputs });

function built(req: PodRequest) {
  const result = buildPodSpec(req, { workflow, archiveLocation: { s3: { endpoint: 'minio:9000', bucket: 'b', key: 'wf/wf-main-1', accessKeySecret: { name: 'creds', key: 'a' } } } });
  if ('error' in result) throw new Error(result.error);
  return result.pod;
}

function planOf(container: { env?: Array<{ name: string; value?: string }> }): ExecutorPlan {
  return JSON.parse(container.env!.find((e) => e.name === PLAN_ENV)!.value!) as ExecutorPlan;
}

describe('buildPodSpec', () => {
  it('builds main (wrapped) and wait, and no init when there is nothing to load or stage', () => {
    const pod = built(request({ name: 'main', container: { image: 'alpine', command: ['echo'], args: ['hi'], workingDir: '/w', env: [{ name: 'A', value: '1' }] } }));
    assert.deepEqual(pod.spec!.initContainers, []);
    const [main, wait] = pod.spec!.containers;
    assert.equal(main!.name, 'main');
    assert.deepEqual(main!.command!.slice(0, 2), ['/bin/sh', '-c']);
    assert.deepEqual(main!.command!.slice(3), ['skiff-main', 'echo', 'hi']);
    assert.equal(main!.workingDir, '/w');
    assert.deepEqual(main!.env, [{ name: 'A', value: '1' }]);
    assert.equal(wait!.name, 'wait');
    assert.deepEqual(wait!.command, ['skiff', 'executor', 'wait']);
    assert.equal(pod.metadata!.namespace, 'argo');
    assert.equal(pod.metadata!.labels!['workflows.argoproj.io/workflow'], 'wf');
    assert.equal(pod.metadata!.ownerReferences![0]!.uid, 'u-1');
    assert.equal(pod.spec!.restartPolicy, 'Never');
  });

  it('stages a script and runs it with the image command', () => {
    const pod = built(request({ name: 's', script: { image: 'python:3', command: ['python3'], args: ['-u'], source: 'print(1)' } }));
    const init = pod.spec!.initContainers![0]!;
    assert.deepEqual(init.command, ['skiff', 'executor', 'init']);
    assert.equal(planOf(init).script, 'print(1)');
    assert.equal(planOf(init).result, true);
    assert.deepEqual(pod.spec!.containers[0]!.command!.slice(3), ['skiff-main', 'python3', SCRIPT_PATH, '-u']);
  });

  it('loads input artifacts in init and mounts each at its path in main', () => {
    const pod = built(request({ name: 't', container: { image: 'alpine', command: ['cat', '/tmp/in'] } }, { artifacts: [{ name: 'in', path: '/tmp/in', s3: { key: 'k' } }] }));
    const init = pod.spec!.initContainers![0]!;
    assert.ok(init.volumeMounts!.some((m) => m.name === 'input-artifacts' && m.mountPath === INPUTS_DIR));
    assert.deepEqual(planOf(init).inputs, [{ name: 'in', path: '/tmp/in', s3: { key: 'k' } }]);
    assert.ok(pod.spec!.containers[0]!.volumeMounts!.some((m) => m.name === 'input-artifacts' && m.mountPath === '/tmp/in' && m.subPath === 'in'));
    // The repository's credentials reach the executor as a Secret volume.
    assert.ok(pod.spec!.volumes!.some((v) => v.secret?.secretName === 'creds'));
  });

  it('adds the volumes main mounts (a volumeClaimTemplate as the run claim), and only those', () => {
    const pod = built(request({ name: 't', container: { image: 'alpine', command: ['ls'], volumeMounts: [{ name: 'work', mountPath: '/work' }, { name: 'cfg', mountPath: '/cfg' }] } }));
    const names = pod.spec!.volumes!.map((v) => v.name);
    assert.ok(names.includes('work') && names.includes('cfg') && !names.includes('unused'));
    assert.equal(pod.spec!.volumes!.find((v) => v.name === 'work')!.persistentVolumeClaim!.claimName, 'wf-work');
  });

  it('tells the wait container which outputs to collect', () => {
    const pod = built(request({ name: 't', container: { image: 'alpine', command: ['true'] }, outputs: { parameters: [{ name: 'p', valueFrom: { path: '/tmp/p' } }, { name: 's', valueFrom: { supplied: {} } }], artifacts: [{ name: 'a', path: '/tmp/a' }] } }));
    const plan = planOf(pod.spec!.containers[1]!);
    assert.deepEqual(plan.parameters, [{ name: 'p', path: '/tmp/p' }]);
    assert.deepEqual(plan.artifacts.map((a) => a.name), ['a']);
    assert.equal(plan.archiveLocation?.s3?.key, 'wf/wf-main-1');
  });

  it('refuses what it cannot run as a pod, saying why', () => {
    assert.match((buildPodSpec(request({ name: 'r', resource: { action: 'create' } }), { workflow }) as { error: string }).error, /resource templates/);
    assert.match((buildPodSpec(request({ name: 'c', container: { image: 'alpine' } }), { workflow }) as { error: string }).error, /no command/);
  });
});
