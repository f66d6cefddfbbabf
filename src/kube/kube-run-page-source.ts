import type { ConfigMapSource, SecretSource } from '../artifacts/index.js';
import { splitRunKey } from '../ports/run-key.js';
import type { LogRef, RunPageSource } from '../ports/run-page-source.js';
import { ARCHIVED_LOG_NOTE, readArchivedLog } from '../runs/archived-log.js';
import type { Workflow } from '../spec/model/workflow.js';
import type { KubeClient } from './kube-client.js';
import { kubeArtifactAccess } from './kube-artifact-access.js';
import { KubeNotFoundError } from './kube-errors.js';
import type { KubeRunStore } from './kube-run-store.js';
import type { PodLogClient } from './pod-logs.js';
import { WORKFLOW_API, workflowRef } from './run-workflow-object.js';
import { WatchObjects } from './watch-objects.js';

export interface KubeRunPageSourceOptions {
  client: KubeClient & PodLogClient;
  /** Read only with `peek`: the page never takes a run over from its controller. */
  runs: KubeRunStore;
  /** The cluster's ConfigMaps and Secrets (the artifact repository, its credentials, values to redact). */
  objects: ConfigMapSource & SecretSource & { secret(namespace: string, name: string): Promise<Record<string, string> | undefined> };
  /** Where the cluster is, for people. */
  description?: string;
  /** Pause before asking again for the log of a container that has not started (default 1 s). */
  retryMs?: number;
}

/**
 * The run page's view of a cluster: a run from its Workflow object and node ConfigMaps (as
 * `skiff get --kubeconfig` reads it), followed by a watch of that one Workflow, which the
 * controller updates with every batch of node changes; each container's log from its pod through
 * the API server (follow=true while the step runs); artifacts through the repository the run
 * recorded (else resolved by Argo's rule from the namespace's ConfigMap), with the cluster's
 * Secrets as credentials. Only Skiff reads here: local-directory repositories are refused, as the
 * pods that wrote them are elsewhere.
 */
export function kubeRunPageSource(options: KubeRunPageSourceOptions): RunPageSource {
  const { client, runs, objects } = options;
  const retryMs = options.retryMs ?? 1000;
  /** The log archiveLogs kept of a step whose pod is gone; undefined when it kept none. */
  const archived = async (ref: LogRef): Promise<Buffer | undefined> => {
    const run = await runs.peek(ref.key);
    // Most steps archive nothing: no repository is opened for them (this is asked again while a pod is awaited).
    if (!run?.status.nodes[ref.nodeId]?.outputs?.artifacts?.some((a) => a.name === `${ref.container}-logs`)) return undefined;
    const access = await kubeArtifactAccess(run, objects);
    try {
      return await readArchivedLog(access, run.status.nodes[ref.nodeId], ref.container);
    } finally {
      access.close();
    }
  };
  return {
    description: options.description ?? 'the cluster',
    readRun: (key) => runs.peek(key),
    runVersion: async (key) => {
      try {
        return (await client.get<Workflow>(workflowRef(key))).metadata.resourceVersion;
      } catch (error) {
        if (error instanceof KubeNotFoundError) return undefined;
        throw error;
      }
    },
    watchRun: (key, onChange) => {
      const { namespace, name } = splitRunKey(key);
      const watch = new WatchObjects<Workflow>(client, {
        apiVersion: WORKFLOW_API,
        kind: 'Workflow',
        namespace,
        fieldSelector: `metadata.name=${name}`,
        onEvent: () => onChange(),
      });
      void watch.start();
      return { close: () => watch.close() };
    },
    secret: (namespace, name) => objects.secret(namespace, name),
    readLog: async (ref, maxBytes, end) => {
      const chunks: Buffer[] = [];
      try {
        for await (const chunk of client.podLog(namespaceOf(ref), ref.pod, ref.container)) chunks.push(chunk);
      } catch (error) {
        // Not started yet (the API server answers 400 while a container waits), or the pod is gone.
        const gone = error instanceof KubeNotFoundError;
        if (!gone) return { bytes: Buffer.alloc(0), start: 0, size: 0 };
        const kept = await archived(ref);
        if (!kept) return { bytes: Buffer.alloc(0), start: 0, size: 0, note: `pod ${ref.pod} is gone, and its log with it` };
        const stop = Math.min(end ?? kept.length, kept.length);
        const start = Math.max(0, stop - maxBytes);
        return { bytes: kept.subarray(start, stop), start, size: kept.length, note: ARCHIVED_LOG_NOTE };
      }
      const whole = Buffer.concat(chunks);
      const stop = Math.min(end ?? whole.length, whole.length);
      const start = Math.max(0, stop - maxBytes);
      return { bytes: whole.subarray(start, stop), start, size: whole.length };
    },
    async *streamLog(ref, { from, follow, signal, finished }) {
      // Each request streams the log from its start: bytes before `delivered` were given already.
      let delivered = from;
      while (!signal.aborted) {
        const done = !follow || (await finished());
        let position = 0;
        try {
          for await (const chunk of client.podLog(namespaceOf(ref), ref.pod, ref.container, { follow: !done, signal })) {
            const start = position;
            position += chunk.length;
            if (position <= delivered) continue;
            yield chunk.subarray(Math.max(0, delivered - start));
            delivered = position;
          }
        } catch (error) {
          // The container has not started (400), its pod is gone (404), or the connection dropped: look again below.
          // A pod that is gone left its log in the repository if the step archived it: that is the log from here on.
          if (error instanceof KubeNotFoundError && position === 0) {
            const kept = await archived(ref).catch(() => undefined);
            if (kept) {
              if (kept.length > delivered) yield kept.subarray(delivered);
              return;
            }
          }
        }
        // A follow ends when the container does; the step's phase may say so a moment later.
        if (done || signal.aborted) return;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, retryMs);
          signal.addEventListener('abort', () => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
    artifactAccess: (run) => kubeArtifactAccess(run, objects),
  };
}

function namespaceOf(ref: LogRef): string {
  return splitRunKey(ref.key).namespace;
}
