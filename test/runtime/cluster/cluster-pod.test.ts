import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import type { PodRequest } from '../../../src/engine/engine-events.js';
import { clusterPod, EXECUTOR_TERMINATION_PATH } from '../../../src/runtime/cluster/cluster-pod.js';
import { type ExecutorPlan, PLAN_ENV, TERMINATION_ENV } from '../../../src/runtime/pod-spec/executor-plan.js';
import type { Workflow } from '../../../src/spec/model/workflow.js';

const IMAGE = 'ghcr.io/skiff/skiff:1';
const NOW = Date.parse('2026-01-01T00:00:00Z');

const workflow = (spec: Partial<Workflow['spec']> = {}): Workflow => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Workflow',
  metadata: { name: 'wf', namespace: 'ci', uid: 'uid-1' },
  spec: { entrypoint: 'main', ...spec },
});

const request = (template: Partial<PodRequest['template']> = {}, extra: Partial<PodRequest> = {}): PodRequest => ({
  workflowName: 'wf',
  workflowNamespace: 'ci',
  nodeId: 'wf-123',
  podName: 'wf-main-123',
  template: { name: 'main', script: { image: 'alpine', command: ['sh'], source: 'echo hi' }, ...template },
  inputs: {},
  ...extra,
});

/** A step with an input artifact: init loads it. */
const withInput: PodRequest = request({}, { inputs: { artifacts: [{ name: 'in', path: '/tmp/in', s3: { key: 'k' } }] } });

function pod(req: PodRequest, wf = workflow(), archive = true): V1Pod {
  const built = clusterPod(req, {
    workflow: wf,
    executorImage: IMAGE,
    now: NOW,
    ...(archive
      ? { archiveLocation: { s3: { endpoint: 'minio:9000', bucket: 'b', key: 'wf/wf-main-123', accessKeySecret: { name: 'creds', key: 'a' } } } }
      : {}),
  });
  if ('error' in built) throw new Error(built.error);
  return built.pod;
}

const planOf = (p: V1Pod, container: string): ExecutorPlan =>
  JSON.parse([...(p.spec!.initContainers ?? []), ...p.spec!.containers].find((c) => c.name === container)!.env!.find((e) => e.name === PLAN_ENV)!.value!);

describe('clusterPod', () => {
  it("labels, annotates and owns the pod as Argo does, with Skiff's instance id", () => {
    const p = pod(request());
    assert.equal(p.metadata?.name, 'wf-main-123');
    assert.equal(p.metadata?.namespace, 'ci');
    assert.equal(p.metadata?.labels?.['workflows.argoproj.io/workflow'], 'wf');
    assert.equal(p.metadata?.labels?.['workflows.argoproj.io/controller-instanceid'], 'skiff');
    assert.equal(p.metadata?.annotations?.['workflows.argoproj.io/node-id'], 'wf-123');
    assert.deepEqual(p.metadata?.ownerReferences, [
      { apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', name: 'wf', uid: 'uid-1', controller: true, blockOwnerDeletion: true },
    ]);
    const annotated = clusterPod(request(), { workflow: workflow(), executorImage: IMAGE, now: NOW, nodeName: 'wf.main' });
    assert.ok('pod' in annotated && annotated.pod.metadata?.annotations?.['workflows.argoproj.io/node-name'] === 'wf.main');
    const other = clusterPod(request(), { workflow: workflow(), executorImage: IMAGE, now: NOW, instanceId: 'team-b' });
    assert.ok('pod' in other && other.pod.metadata?.labels?.['workflows.argoproj.io/controller-instanceid'] === 'team-b', "another controller's instance id");
  });

  it("makes wait's report its termination message, with the repository location for a long one, and init's failure init's message", () => {
    const p = pod(withInput);
    const wait = p.spec!.containers.find((c) => c.name === 'wait')!;
    const init = p.spec!.initContainers!.find((c) => c.name === 'init')!;
    for (const c of [wait, init]) {
      assert.equal(c.terminationMessagePath, EXECUTOR_TERMINATION_PATH);
      assert.equal(c.terminationMessagePolicy, 'File');
    }
    assert.equal(init.env!.find((e) => e.name === TERMINATION_ENV)?.value, EXECUTOR_TERMINATION_PATH);
    assert.notEqual(wait.env!.find((e) => e.name === TERMINATION_ENV)?.value, EXECUTOR_TERMINATION_PATH);
    const plan = planOf(p, 'wait');
    assert.equal(plan.report?.terminationMessagePath, EXECUTOR_TERMINATION_PATH);
    assert.equal(plan.report?.overflow?.s3?.key, 'wf/wf-main-123/skiff-executor-report.json');
    assert.equal(plan.report?.overflow?.s3?.bucket, 'b');
    assert.equal(planOf(pod(request(), workflow(), false), 'wait').report?.overflow, undefined, 'no repository: no overflow location');
    // The main container is left as the user wrote it, but for the wrapper.
    assert.equal(p.spec!.containers.find((c) => c.name === 'main')?.terminationMessagePath, undefined);
  });

  it("takes the template's scheduling and security settings over the workflow's, and adds sidecars, host aliases and pull secrets", () => {
    const wf = workflow({
      nodeSelector: { pool: 'wf' },
      tolerations: [{ key: 'wf', operator: 'Exists' }],
      podPriorityClassName: 'low',
      securityContext: { runAsUser: 1000 },
      imagePullSecrets: [{ name: 'regcred' }],
      hostAliases: [{ ip: '10.0.0.1', hostnames: ['wf.local'] }],
      serviceAccountName: 'runner',
      affinity: { nodeAffinity: {} },
    });
    const p = pod(
      request({
        nodeSelector: { pool: 'gpu' },
        priorityClassName: 'high',
        hostAliases: [{ ip: '10.0.0.2', hostnames: ['t.local'] }],
        sidecars: [{ name: 'db', image: 'postgres' }],
      }),
      wf,
    );
    const spec = p.spec!;
    assert.deepEqual(spec.nodeSelector, { pool: 'gpu' });
    assert.deepEqual(spec.tolerations, [{ key: 'wf', operator: 'Exists' }]);
    assert.equal(spec.priorityClassName, 'high');
    assert.deepEqual(spec.securityContext, { runAsUser: 1000 });
    assert.deepEqual(spec.affinity, { nodeAffinity: {} });
    assert.deepEqual(spec.imagePullSecrets, [{ name: 'regcred' }]);
    assert.deepEqual(
      spec.hostAliases?.map((a) => a.ip),
      ['10.0.0.1', '10.0.0.2'],
    );
    assert.equal(spec.serviceAccountName, 'runner');
    assert.deepEqual(
      spec.containers.map((c) => c.name),
      ['wait', 'main', 'db'],
      'wait first: the kubelet starts it while main is created',
    );
    assert.equal(spec.restartPolicy, 'Never');
  });

  it("names the step's own container as kubectl's default, wait being first", () => {
    assert.equal(pod(request()).metadata?.annotations?.['kubectl.kubernetes.io/default-container'], 'main');
    const set = pod(
      request({
        script: undefined,
        containerSet: {
          containers: [
            { name: 'build', image: 'alpine', command: ['true'] },
            { name: 'test', image: 'alpine', command: ['true'], dependencies: ['build'] },
          ],
        },
      }),
    );
    assert.deepEqual(
      set.spec?.containers.map((c) => c.name),
      ['wait', 'build', 'test'],
    );
    assert.equal(set.metadata?.annotations?.['kubectl.kubernetes.io/default-container'], 'build');
  });

  it("gives wait its share of the kubelet's 12 KiB of termination messages when the pod has more than three containers", () => {
    assert.equal(planOf(pod(withInput), 'wait').report?.limit, undefined, 'init, main, wait: 4096 each');
    const sidecars = ['a', 'b', 'c'].map((name) => ({ name, image: 'alpine' }));
    assert.equal(planOf(pod(request({ sidecars }, { inputs: withInput.inputs })), 'wait').report?.limit, 2048);
  });

  it("sets the pod's activeDeadlineSeconds from the node's deadline", () => {
    const p = pod(request({}, { deadline: new Date(NOW + 90_500).toISOString() }));
    assert.equal(p.spec?.activeDeadlineSeconds, 91);
  });

  it("applies the workflow's then the template's podSpecPatch, merging containers by name", () => {
    const p = pod(
      request({ podSpecPatch: '{"containers":[{"name":"main","resources":{"limits":{"memory":"1Gi"}}}]}' }),
      workflow({ podSpecPatch: 'containers:\n- name: wait\n  resources: {requests: {cpu: 10m}}\n- name: main\n  resources: {limits: {cpu: "2"}}\n' }),
    );
    const main = p.spec!.containers.find((c) => c.name === 'main')!;
    const wait = p.spec!.containers.find((c) => c.name === 'wait')!;
    assert.deepEqual(main.resources, { limits: { cpu: '2', memory: '1Gi' } });
    assert.deepEqual(wait.resources, { requests: { cpu: '10m' } });
    assert.equal(main.command?.[0], '/bin/sh', "the patch keeps main's wrapper");
    assert.equal(p.spec!.containers.length, 2);
  });

  it("applies the workflow's podSpecPatch as the engine substituted it (the request's), not the raw one", () => {
    const p = pod(
      request({}, { workflowPodSpecPatch: '{"containers":[{"name":"main","resources":{"limits":{"memory":"100Mi"}}}]}' }),
      workflow({ podSpecPatch: '{"containers":[{"name":"main","resources":{"limits":{"memory":"{{workflow.parameters.mem}}"}}}]}' }),
    );
    assert.deepEqual(p.spec!.containers.find((c) => c.name === 'main')!.resources, { limits: { memory: '100Mi' } });
  });

  it('refuses a podSpecPatch that is not a map, saying which template', () => {
    const built = clusterPod(request({ podSpecPatch: '[1, 2]' }), { workflow: workflow(), executorImage: IMAGE, now: NOW });
    assert.ok('error' in built);
    assert.match(built.error, /template "main": podSpecPatch must be a map/);
  });

  it('puts no Secret value in the pod: credentials are Secret volumes by name', () => {
    const p = pod(request({ outputs: { artifacts: [{ name: 'out', path: '/tmp/out' }] } }));
    const secretVolumes = p.spec!.volumes!.filter((v) => v.secret);
    assert.deepEqual(
      secretVolumes.map((v) => v.secret?.secretName),
      ['creds'],
    );
    assert.ok(!JSON.stringify(p).includes('stringData'));
  });
});

describe('clusterPod with the executor busybox (images without a shell)', () => {
  it("runs main's wrapper with the busybox init copies into a read-only skiff-bin volume, adding init when the pod had none", () => {
    const built = clusterPod(request({ script: undefined, container: { image: 'distroless', command: ['/app'] } }), {
      workflow: workflow(),
      executorImage: IMAGE,
      now: NOW,
      shell: 'busybox',
    });
    assert.ok('pod' in built);
    const spec = built.pod.spec!;
    const main = spec.containers.find((c) => c.name === 'main')!;
    assert.deepEqual(main.command?.slice(0, 3), ['/argo/bin/busybox', 'sh', '-c']);
    assert.deepEqual(main.command?.slice(-1), ['/app']);
    assert.deepEqual(
      main.volumeMounts?.find((m) => m.name === 'skiff-bin'),
      { name: 'skiff-bin', mountPath: '/argo/bin', readOnly: true },
    );
    const init = spec.initContainers?.[0];
    assert.equal(init?.name, 'init');
    assert.deepEqual(init?.command, ['skiff', 'executor', 'init']);
    assert.ok(init?.volumeMounts?.some((m) => m.name === 'skiff-bin' && !m.readOnly));
    assert.deepEqual(planOf(built.pod, 'init').busybox, { from: '/skiff/busybox', to: '/argo/bin/busybox' });
    assert.equal(planOf(built.pod, 'wait').busybox, undefined);
    assert.ok(spec.volumes?.some((v) => v.name === 'skiff-bin' && v.emptyDir));
  });

  it("runs every containerSet member's wrapper with it", () => {
    const built = clusterPod(
      request({
        script: undefined,
        containerSet: {
          containers: [
            { name: 'a', image: 'x', command: ['/a'] },
            { name: 'main', image: 'y', command: ['/b'], dependencies: ['a'] },
          ],
        },
      }),
      { workflow: workflow(), executorImage: IMAGE, now: NOW, shell: 'busybox' },
    );
    assert.ok('pod' in built);
    for (const name of ['a', 'main']) assert.equal(built.pod.spec!.containers.find((c) => c.name === name)?.command?.[0], '/argo/bin/busybox');
  });
});
