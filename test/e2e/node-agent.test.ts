// Pods created through the real API server really run: the test node agent binds them, runs their
// containers in the bubblewrap sandbox, and reports status and logs back the way a kubelet does.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CoreV1Api, KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { startKubeApiServer, type KubeEnv } from '../env/kube/index.js';
import { startNodeAgent, type NodeAgent } from '../env/node-agent/start-node-agent.js';

const NAMESPACE = 'default';

describe('test node agent on a real kube-apiserver', () => {
  let kube: KubeEnv;
  let agent: NodeAgent;
  let core: CoreV1Api;

  before(async () => {
    kube = await startKubeApiServer();
    agent = await startNodeAgent({ kubeconfigPath: kube.kubeconfigPath });
    const kc = new KubeConfig();
    kc.loadFromFile(kube.kubeconfigPath);
    core = kc.makeApiClient(CoreV1Api);
  });

  after(async () => {
    await agent?.stop();
    await kube?.stop();
  });

  /** Polls the pod until it has finished, as a client watching it would see it. */
  async function finished(name: string, timeoutMs = 30_000): Promise<V1Pod> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const pod = await core.readNamespacedPod({ name, namespace: NAMESPACE });
      if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return pod;
      if (Date.now() > deadline) assert.fail(`pod ${name} is still ${pod.status?.phase}\n${await kube.tailLogs(20)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  test('registers a Ready node', async () => {
    const node = await core.readNode({ name: agent.nodeName });
    assert.equal(node.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
  });

  test('a pod runs its command, fails with its exit code, and its logs come back through the API server', async () => {
    await core.createNamespacedPod({
      namespace: NAMESPACE,
      body: {
        metadata: { name: 'fails' },
        spec: {
          restartPolicy: 'Never',
          containers: [
            {
              name: 'main',
              image: 'busybox',
              command: ['sh', '-c', 'echo "hello from $POD_NAME"; exit 3'],
              env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
            },
          ],
        },
      },
    });
    const pod = await finished('fails');
    assert.equal(pod.spec?.nodeName, agent.nodeName);
    assert.equal(pod.status?.phase, 'Failed');
    const terminated = pod.status?.containerStatuses?.[0]?.state?.terminated;
    assert.equal(terminated?.exitCode, 3);
    assert.ok(terminated?.startedAt && terminated.finishedAt && new Date(terminated.finishedAt) >= new Date(terminated.startedAt));
    const log = await core.readNamespacedPodLog({ name: 'fails', namespace: NAMESPACE, container: 'main' });
    assert.equal(log, 'hello from fails\n');
  });

  test('init containers run first, in order, and share emptyDir volumes with the main container', async () => {
    await core.createNamespacedPod({
      namespace: NAMESPACE,
      body: {
        metadata: { name: 'ordered' },
        spec: {
          restartPolicy: 'Never',
          volumes: [{ name: 'work', emptyDir: {} }],
          initContainers: [
            { name: 'first', image: 'busybox', command: ['sh', '-c', 'echo one >> /work/order'], volumeMounts: [{ name: 'work', mountPath: '/work' }] },
            { name: 'second', image: 'busybox', command: ['sh', '-c', 'echo two >> /work/order'], volumeMounts: [{ name: 'work', mountPath: '/work' }] },
          ],
          containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'cat /work/order'], volumeMounts: [{ name: 'work', mountPath: '/work' }] }],
        },
      },
    });
    const pod = await finished('ordered');
    assert.equal(pod.status?.phase, 'Succeeded');
    assert.deepEqual(
      pod.status?.initContainerStatuses?.map((s) => s.state?.terminated?.exitCode),
      [0, 0],
    );
    assert.equal(await core.readNamespacedPodLog({ name: 'ordered', namespace: NAMESPACE, container: 'main' }), 'one\ntwo\n');
  });

  test('a persistentVolumeClaim is shared by the pods that mount it', async () => {
    const volume = { name: 'data', persistentVolumeClaim: { claimName: 'shared' } };
    const mount = [{ name: 'data', mountPath: '/data' }];
    await core.createNamespacedPod({
      namespace: NAMESPACE,
      body: {
        metadata: { name: 'writer' },
        spec: {
          restartPolicy: 'Never',
          volumes: [volume],
          containers: [{ name: 'main', image: 'alpine', command: ['sh', '-c', 'echo written > /data/file'], volumeMounts: mount }],
        },
      },
    });
    assert.equal((await finished('writer')).status?.phase, 'Succeeded');
    await core.createNamespacedPod({
      namespace: NAMESPACE,
      body: {
        metadata: { name: 'reader' },
        spec: {
          restartPolicy: 'Never',
          volumes: [volume],
          containers: [{ name: 'main', image: 'alpine', command: ['cat', '/data/file'], volumeMounts: mount }],
        },
      },
    });
    assert.equal((await finished('reader')).status?.phase, 'Succeeded');
    assert.equal(await core.readNamespacedPodLog({ name: 'reader', namespace: NAMESPACE }), 'written\n');
  });

  test('deleting a running pod stops its process and removes the pod', async () => {
    await core.createNamespacedPod({
      namespace: NAMESPACE,
      body: { metadata: { name: 'sleeper' }, spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox', command: ['sleep', '600'] }] } },
    });
    for (let i = 0; i < 300; i++) {
      const pod = await core.readNamespacedPod({ name: 'sleeper', namespace: NAMESPACE });
      if (pod.status?.phase === 'Running') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await core.deleteNamespacedPod({ name: 'sleeper', namespace: NAMESPACE });
    for (let i = 0; ; i++) {
      const gone = await core.readNamespacedPod({ name: 'sleeper', namespace: NAMESPACE }).then(
        () => false,
        () => true,
      );
      if (gone) break;
      assert.ok(i < 300, 'the pod was never removed');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
});
