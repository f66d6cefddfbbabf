import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions, Watch, type V1Pod, type V1PodStatus } from '@kubernetes/client-node';
import { startLogServer } from './log-server.js';
import { withTerminationFiles, withTerminationMessages } from './termination-messages.js';
import { sandboxIdentity } from '../../../src/runtime/local/sandbox-identity.js';
import { logPath, runPod, type PodRun } from '../../../src/runtime/local/run-pod.js';
import type { PodObjectSource } from '../../../src/ports/pod-object-source.js';

export interface NodeAgentOptions {
  kubeconfigPath: string;
  nodeName?: string;
  /** Host commands standing in for images (e.g. Skiff's executor image → this project's executor). */
  imageCommands?: Record<string, string[]>;
  /**
   * Rewrites a pod before it runs, as the kubelet's image pull would make it runnable: e.g.
   * `localizePod`, so that Skiff's executor image runs this project's executor.
   */
  localize?: (pod: V1Pod) => V1Pod;
}

export interface NodeAgent {
  nodeName: string;
  /** Pods this agent has run to the end, by `namespace/name`. */
  finished: Set<string>;
  stop(): Promise<void>;
}

/**
 * A stand-in for a kubelet, so that pods created through the real API server really run here:
 * it registers a Node, binds every unscheduled pod to it (no scheduler runs in the test
 * environment), runs each pod's containers in the local sandbox, reports pod status back, serves
 * container logs for `kubectl logs`, and finishes deletions (no kubelet would confirm them).
 */
export async function startNodeAgent(options: NodeAgentOptions): Promise<NodeAgent> {
  const kc = new KubeConfig();
  kc.loadFromFile(options.kubeconfigPath);
  const core = kc.makeApiClient(CoreV1Api);
  const nodeName = options.nodeName ?? 'skiff-test-node';
  const dir = await mkdtemp(join(tmpdir(), 'skiff-node-'));
  const claimsDir = join(dir, 'claims');
  await mkdir(claimsDir);
  const objects: PodObjectSource = {
    configMap: async (namespace, name) => (await core.readNamespacedConfigMap({ name, namespace }).catch(() => undefined))?.data ?? undefined,
    secret: async (namespace, name) => {
      const secret = await core.readNamespacedSecret({ name, namespace }).catch(() => undefined);
      return secret ? Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')])) : undefined;
    },
  };
  const runs = new Map<string, PodRun>();
  const podDirs = new Map<string, string>();
  const finished = new Set<string>();
  // A pod is one object by its uid, as a kubelet sees it: a new pod of a name that ran before (a
  // retried step's) runs again.
  const finishedUids = new Set<string>();
  const keyOf = (pod: V1Pod): string => `${pod.metadata?.namespace}/${pod.metadata?.name}`;

  const logs = await startLogServer(
    dir,
    (namespace, pod, container) => {
      const podDir = podDirs.get(`${namespace}/${pod}`);
      return podDir ? logPath(podDir, container) : undefined;
    },
    (namespace, pod) => runs.has(`${namespace}/${pod}`),
  );

  await core.createNode({
    body: { metadata: { name: nodeName, labels: { 'kubernetes.io/hostname': nodeName, 'kubernetes.io/os': 'linux' } } },
  });
  await core.patchNodeStatus(
    {
      name: nodeName,
      body: {
        status: {
          // Only the loopback address: the API server would resolve a Hostname address through DNS
          // to reach the node's logs, and nothing here may leave the machine.
          addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
          daemonEndpoints: { kubeletEndpoint: { Port: logs.port } },
          capacity: { cpu: '2', memory: '8Gi', pods: '110' },
          allocatable: { cpu: '2', memory: '8Gi', pods: '110' },
          conditions: [
            {
              type: 'Ready',
              status: 'True',
              reason: 'KubeletReady',
              message: 'skiff test node agent',
              lastHeartbeatTime: new Date(),
              lastTransitionTime: new Date(),
            },
          ],
          nodeInfo: {
            architecture: 'amd64',
            operatingSystem: 'linux',
            kubeletVersion: 'skiff-test',
            kubeProxyVersion: '',
            containerRuntimeVersion: 'bubblewrap',
            bootID: '',
            kernelVersion: '',
            machineID: '',
            osImage: '',
            systemUUID: '',
          },
        },
      },
    },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );

  const reportStatus = async (pod: V1Pod, status: V1PodStatus): Promise<void> => {
    try {
      await core.patchNamespacedPodStatus(
        { name: pod.metadata!.name!, namespace: pod.metadata!.namespace!, body: { status } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    } catch {
      // The pod was deleted meanwhile; nobody is left to tell.
    }
  };

  const handle = async (pod: V1Pod): Promise<void> => {
    const key = keyOf(pod);
    if (pod.metadata?.deletionTimestamp) {
      runs.get(key)?.kill();
      await core.deleteNamespacedPod({ name: pod.metadata.name!, namespace: pod.metadata.namespace!, gracePeriodSeconds: 0 }).catch(() => undefined);
      return;
    }
    if (!pod.spec?.nodeName) {
      await core
        .createNamespacedPodBinding({
          name: pod.metadata!.name!,
          namespace: pod.metadata!.namespace!,
          body: { metadata: { name: pod.metadata!.name! }, target: { kind: 'Node', name: nodeName } },
        })
        .catch(() => undefined); // already bound by an earlier event
      return;
    }
    const uid = pod.metadata?.uid ?? key;
    if (pod.spec.nodeName !== nodeName || runs.has(key) || finishedUids.has(uid)) return;
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return;
    const podDir = join(dir, 'pods', pod.metadata!.namespace!, pod.metadata!.name!, uid);
    podDirs.set(key, podDir);
    runs.set(key, { kill: () => undefined, done: Promise.resolve() });
    const identity = sandboxIdentity();
    const prepared = await withTerminationFiles(options.localize ? options.localize(pod) : pod, podDir, identity);
    // As a cluster's pods, these reach the network (the API server, MinIO): every container shares the host's.
    const run = runPod({
      pod: prepared.pod,
      podDir,
      identity,
      claimsDir,
      objects,
      imageCommands: options.imageCommands,
      hostNetwork: () => true,
      report: (status) => reportStatus(pod, withTerminationMessages(status, prepared.files)),
    });
    runs.set(key, run);
    await run.done;
    runs.delete(key);
    finished.add(key);
    finishedUids.add(uid);
  };

  // One watch of all pods; on any end of the stream it starts again from a fresh list.
  let stopped = false;
  let abort: AbortController | undefined;
  const watcher = new Watch(kc);
  const watchLoop = async (): Promise<void> => {
    while (!stopped) {
      const list = await core.listPodForAllNamespaces().catch(() => undefined);
      for (const pod of list?.items ?? []) void handle(pod);
      await new Promise<void>((resolve) => {
        watcher
          .watch(
            '/api/v1/pods',
            { resourceVersion: list?.metadata?.resourceVersion, allowWatchBookmarks: false },
            (phase, pod: V1Pod) => {
              if (phase === 'ADDED' || phase === 'MODIFIED') void handle(pod);
            },
            () => resolve(),
          )
          .then(
            (controller) => (abort = controller),
            () => resolve(),
          );
      });
      if (!stopped) await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  const loop = watchLoop();

  return {
    nodeName,
    finished,
    async stop() {
      stopped = true;
      abort?.abort();
      for (const run of runs.values()) run.kill();
      await Promise.allSettled([...runs.values()].map((r) => r.done));
      await loop.catch(() => undefined);
      await logs.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
