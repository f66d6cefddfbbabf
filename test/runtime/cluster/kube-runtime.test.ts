// KubeRuntime over an in-memory API server (a fake KubeClient behind the same interface): what a
// real cluster does that the node agent cannot: an image that never pulls, an invalid image, a pod
// the API server refuses, and a pod that exists before it is asked for (a controller restarted).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import type { PodRequest } from '../../../src/engine/engine-events.js';
import type { KubeClient, WatchEvent } from '../../../src/kube/kube-client.js';
import { fromStatus } from '../../../src/kube/kube-errors.js';
import type { RuntimeEvent } from '../../../src/ports/runtime.js';
import { KubeRuntime } from '../../../src/runtime/cluster/kube-runtime.js';
import type { KubernetesObject } from '../../../src/spec/model/kubernetes.js';

type Pod = V1Pod & KubernetesObject;

/** Pods in memory, with a watch; Workflows read as given. */
class FakeCluster {
  readonly pods = new Map<string, Pod>();
  readonly created: string[] = [];
  readonly deleted: string[] = [];
  refuseCreate: ((pod: Pod) => Error | undefined) | undefined;
  /** The spec of every Workflow read. */
  workflowSpec: Record<string, unknown> = {};
  private version = 1;
  private readonly watchers = new Set<(event: WatchEvent<Pod>) => void>();

  readonly client = {
    namespace: 'default',
    get: async (ref: { kind: string; name: string; namespace?: string }) => {
      if (ref.kind === 'Workflow')
        return {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Workflow',
          metadata: { name: ref.name, namespace: ref.namespace, uid: 'uid-1' },
          spec: this.workflowSpec,
        };
      throw fromStatus({ code: 404, reason: 'NotFound', message: 'not found' }, ref);
    },
    list: async () => ({ items: [...this.pods.values()], resourceVersion: String(this.version) }),
    create: async (object: Pod) => {
      const refusal = this.refuseCreate?.(object);
      if (refusal) throw refusal;
      const key = `${object.metadata.namespace}/${object.metadata.name}`;
      if (this.pods.has(key)) throw fromStatus({ code: 409, reason: 'AlreadyExists', message: 'exists' }, { kind: 'Pod', name: object.metadata.name });
      this.created.push(key);
      this.put({ ...object, metadata: { ...object.metadata, uid: `uid-${this.created.length}` }, status: { phase: 'Pending' } }, 'ADDED');
      return object;
    },
    delete: async (ref: { namespace?: string; name: string }) => {
      const key = `${ref.namespace}/${ref.name}`;
      const pod = this.pods.get(key);
      this.deleted.push(key);
      if (!pod) throw fromStatus({ code: 404, reason: 'NotFound', message: 'not found' }, { kind: 'Pod', name: ref.name });
      this.pods.delete(key);
      this.emit({ type: 'DELETED', object: pod });
    },
    watch: async (_a: string, _k: string, _n: string | undefined, _o: unknown, onEvent: (event: WatchEvent<Pod>) => void) => {
      this.watchers.add(onEvent);
      return { close: () => this.watchers.delete(onEvent) };
    },
    replace: async () => assert.fail('not used'),
    // Only the merge patch of a pod's annotations is used (podGC's deletion mark).
    patch: async (ref: { namespace?: string; name: string }, patch: { metadata: { annotations: Record<string, string> } }) => {
      const pod = this.pods.get(`${ref.namespace}/${ref.name}`);
      if (!pod) throw fromStatus({ code: 404, reason: 'NotFound', message: 'not found' }, { kind: 'Pod', name: ref.name });
      this.put({ ...pod, metadata: { ...pod.metadata, annotations: { ...pod.metadata.annotations, ...patch.metadata.annotations } } });
      return this.pods.get(`${ref.namespace}/${ref.name}`);
    },
    apply: async () => assert.fail('not used'),
  } as unknown as KubeClient;

  put(pod: Pod, type: 'ADDED' | 'MODIFIED' = 'MODIFIED'): void {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const stored = { ...pod, metadata: { ...pod.metadata, resourceVersion: String(++this.version) } };
    this.pods.set(key, stored);
    this.emit({ type, object: stored });
  }

  /** Sets the status of pod `name` of namespace ci, as a kubelet would. */
  status(name: string, status: V1Pod['status']): void {
    this.put({ ...this.pods.get(`ci/${name}`)!, status });
  }

  private emit(event: WatchEvent<Pod>): void {
    for (const watcher of this.watchers) watcher(event);
  }
}

const request: PodRequest = {
  workflowName: 'wf',
  workflowNamespace: 'ci',
  nodeId: 'wf-1',
  nodeName: 'wf.step',
  podName: 'wf-step-1',
  template: { name: 'step', container: { image: 'alpine', command: ['true'] } },
  inputs: {},
};

const container = (name: string, state: V1ContainerStatus['state']): V1ContainerStatus => ({
  name,
  image: 'alpine',
  imageID: '',
  ready: false,
  restartCount: 0,
  state,
});

function harness(options: { stuckAfterMs?: number } = {}) {
  const cluster = new FakeCluster();
  const runtime = new KubeRuntime({ client: cluster.client, objects: { get: async () => undefined }, executorImage: 'skiff', ...options });
  const events: RuntimeEvent[] = [];
  const next = async (type: RuntimeEvent['type']): Promise<RuntimeEvent> => {
    for (let i = 0; i < 400; i++) {
      const found = events.find((e) => e.type === type);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return assert.fail(`no ${type} event: ${JSON.stringify(events)}`);
  };
  return { cluster, runtime, events, next, run: () => runtime.run(request, (e) => events.push(e)) };
}

describe('KubeRuntime', () => {
  it('creates the pod once, with the node-name annotation, and reports its start with the node it runs on', async () => {
    const { cluster, runtime, next, run } = harness();
    run();
    run();
    for (let i = 0; i < 100 && cluster.created.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.deepEqual(cluster.created, ['ci/wf-step-1']);
    assert.equal(cluster.pods.get('ci/wf-step-1')?.metadata.annotations?.['workflows.argoproj.io/node-name'], 'wf.step');
    const pod = cluster.pods.get('ci/wf-step-1')!;
    cluster.put({ ...pod, spec: { ...pod.spec!, nodeName: 'node-a' }, status: { phase: 'Running', containerStatuses: [container('main', { running: {} })] } });
    const started = await next('pod-started');
    assert.deepEqual(started, { type: 'pod-started', nodeId: 'wf-1', hostNodeName: 'node-a' });
    await runtime.close();
  });

  it('follows a pod that exists already (a runtime before it made it) and reports its end from the status alone', async () => {
    const { cluster, runtime, next, run } = harness();
    cluster.put(
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'wf-step-1', namespace: 'ci', labels: { 'workflows.argoproj.io/workflow': 'wf' } },
        status: {
          phase: 'Succeeded',
          containerStatuses: [
            container('main', { terminated: { exitCode: 0 } }),
            container('wait', { terminated: { exitCode: 0, message: JSON.stringify({ skiffReport: { exitCode: 0, result: 'done' } }) } }),
          ],
        },
      },
      'ADDED',
    );
    run();
    const finished = await next('pod-finished');
    assert.deepEqual(finished, { type: 'pod-finished', nodeId: 'wf-1', exitCode: 0, outputs: { result: 'done' } });
    assert.deepEqual(cluster.created, [], 'no second pod');
    await runtime.close();
  });

  it('fails the node at once for an invalid image, and deletes the pod', async () => {
    const { cluster, runtime, next, run } = harness();
    run();
    for (let i = 0; i < 100 && !cluster.pods.has('ci/wf-step-1'); i++) await new Promise((resolve) => setTimeout(resolve, 5));
    cluster.status('wf-step-1', {
      phase: 'Pending',
      containerStatuses: [container('main', { waiting: { reason: 'InvalidImageName', message: 'couldn\'t parse image name "ALPINE"' } })],
    });
    const failed = await next('pod-error');
    assert.match((failed as { message: string }).message, /container "main" \(image "alpine"\) cannot start: InvalidImageName: couldn't parse/);
    for (let i = 0; i < 100 && cluster.pods.size > 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(cluster.pods.size, 0);
    await runtime.close();
  });

  it('fails the node when an image pull keeps failing past the grace period, not before', async () => {
    const { cluster, runtime, events, next, run } = harness({ stuckAfterMs: 150 });
    run();
    for (let i = 0; i < 100 && !cluster.pods.has('ci/wf-step-1'); i++) await new Promise((resolve) => setTimeout(resolve, 5));
    cluster.status('wf-step-1', {
      phase: 'Pending',
      containerStatuses: [container('main', { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image' } })],
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(events, [], 'not yet: a pull may recover');
    const failed = await next('pod-error');
    assert.match((failed as { message: string }).message, /ImagePullBackOff: Back-off pulling image \(for 0s\)/);
    await runtime.close();
  });

  it('ends the node with the API server’s reason when it refuses the pod (a service account that does not exist)', async () => {
    const { cluster, runtime, next, run } = harness();
    cluster.refuseCreate = () =>
      fromStatus(
        { code: 403, reason: 'Forbidden', message: 'error looking up service account ci/builder: serviceaccount "builder" not found' },
        { kind: 'Pod', name: 'wf-step-1' },
      );
    run();
    const failed = await next('pod-error');
    assert.match((failed as { message: string }).message, /cannot create pod wf-step-1: .*serviceaccount "builder" not found/);
    await runtime.close();
  });

  it('kill deletes the pod and reports nothing more of it', async () => {
    const { cluster, runtime, events, run } = harness();
    run();
    for (let i = 0; i < 100 && !cluster.pods.has('ci/wf-step-1'); i++) await new Promise((resolve) => setTimeout(resolve, 5));
    runtime.kill('ci/wf', 'wf-step-1');
    for (let i = 0; i < 100 && cluster.pods.size > 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(cluster.pods.size, 0);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(events, []);
    await runtime.close();
  });

  const DELETE_AFTER = 'skiff.dev/delete-after';
  const endedPod = (name: string, finishedAt: number, annotations: Record<string, string> = {}): Pod => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'ci', labels: { 'workflows.argoproj.io/workflow': 'wf' }, annotations },
    status: {
      phase: 'Succeeded',
      containerStatuses: [
        container('main', { terminated: { exitCode: 0, finishedAt: new Date(finishedAt - 100) } }),
        container('wait', { terminated: { exitCode: 0, finishedAt: new Date(finishedAt), message: JSON.stringify({ skiffReport: { exitCode: 0 } }) } }),
      ],
    },
  });
  const until = async (check: () => boolean, what: string): Promise<void> => {
    for (let i = 0; i < 400 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.ok(check(), `timed out waiting until ${what}`);
  };

  it('podGC deleteDelayDuration marks the ended pod with the time it goes (its finish plus the delay) and deletes it then, not before', async () => {
    const { cluster, runtime, next, run } = harness();
    cluster.workflowSpec = { podGC: { strategy: 'OnPodCompletion', deleteDelayDuration: '1s' } };
    const finishedAt = Date.now() - 600;
    cluster.put(endedPod('wf-step-1', finishedAt), 'ADDED');
    run();
    await next('pod-finished');
    await until(() => cluster.pods.get('ci/wf-step-1')?.metadata.annotations?.[DELETE_AFTER] !== undefined, 'the pod is marked');
    assert.equal(cluster.pods.get('ci/wf-step-1')?.metadata.annotations?.[DELETE_AFTER], new Date(finishedAt + 1000).toISOString());
    assert.deepEqual(cluster.deleted, [], 'deleted before its delay');
    await until(() => !cluster.pods.has('ci/wf-step-1'), 'the pod is deleted');
    assert.ok(Date.now() >= finishedAt + 1000, 'deleted before its time');
    await runtime.close();
  });

  it('a controller that starts deletes the pods an earlier one marked: at once when the time has passed, later when not, never an unmarked one', async () => {
    const { cluster, runtime } = harness();
    const now = Date.now();
    cluster.put(endedPod('wf-past', now - 5000, { [DELETE_AFTER]: new Date(now - 1000).toISOString() }), 'ADDED');
    cluster.put(endedPod('wf-soon', now - 5000, { [DELETE_AFTER]: new Date(now + 400).toISOString() }), 'ADDED');
    cluster.put(endedPod('wf-unmarked', now - 5000), 'ADDED');
    await runtime.start();
    await until(() => !cluster.pods.has('ci/wf-past'), 'the overdue pod is deleted');
    assert.ok(cluster.pods.has('ci/wf-soon'), 'a pod whose time has not come is kept');
    await until(() => !cluster.pods.has('ci/wf-soon'), 'the pod is deleted when its time comes');
    assert.ok(Date.now() >= now + 400);
    assert.ok(cluster.pods.has('ci/wf-unmarked'), 'an unmarked ended pod (its node maybe not yet recorded) is kept');
    await runtime.close();
  });

  it('OnPodCompletion: when the run ends, an ended pod a dead controller left is deleted; a pod still running is not', async () => {
    const { cluster, runtime } = harness();
    cluster.workflowSpec = { podGC: { strategy: 'OnPodCompletion' } };
    cluster.put(endedPod('wf-left', Date.now() - 1000), 'ADDED');
    cluster.put({ ...endedPod('wf-running', Date.now()), status: { phase: 'Running' } }, 'ADDED');
    runtime.runFinished('ci/wf');
    await until(() => !cluster.pods.has('ci/wf-left'), 'the left pod is deleted');
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(cluster.deleted, ['ci/wf-left']);
    await runtime.close();
  });

  it('a closed runtime deletes nothing more: the mark stays for the next controller', async () => {
    const { cluster, runtime } = harness();
    cluster.put(endedPod('wf-later', Date.now(), { [DELETE_AFTER]: new Date(Date.now() + 150).toISOString() }), 'ADDED');
    await runtime.start();
    await runtime.close();
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(cluster.deleted, []);
  });
});
