import { resolve } from 'node:path';
import type { KubeClient } from '../kube/kube-client.js';
import type { PodLogClient } from '../kube/pod-logs.js';
import { KubeClusterObjects } from '../kube/kube-cluster-objects.js';
import { KubeConnection } from '../kube/kube-connection.js';
import { KubeNotFoundError } from '../kube/kube-errors.js';
import { KubeRunControl } from '../kube/kube-run-control.js';
import { KubeRunStore } from '../kube/kube-run-store.js';
import { deleteRunNodeConfigMaps } from '../kube/delete-run-node-config-maps.js';
import { hasArtifactGCFinalizer, workflowRef } from '../kube/run-workflow-object.js';
import { isWorkflowDone } from '../engine/workflow-status.js';
import { describeRun, type RunKey, splitRunKey } from '../ports/run-key.js';
import type { RunSignal } from '../ports/run-control.js';
import type { Workflow } from '../spec/model/workflow.js';
import type { DamagedRunError } from '../state/damaged-run-error.js';
import { type CliIO, envOf } from './cli-io.js';
import type { RunTarget } from './run-target.js';

/** The runs of a cluster: Workflows of Skiff's instance id, driven by `skiff controller`. */
export interface ClusterTarget extends RunTarget {
  readonly kind: 'cluster';
  readonly client: KubeClient & PodLogClient;
  readonly runs: KubeRunStore;
  /** Templates, ConfigMaps and Secrets, read from the cluster. */
  readonly objects: KubeClusterObjects;
  /** The steps' pods' logs, through the API server. */
  readonly podLogs: PodLogClient;
}

/**
 * The cluster `--kubeconfig`/`--context` name (see loadKubeConfig). Runs are Workflows there: a
 * submit creates one and the controller drives it; stop and terminate set its `spec.shutdown`,
 * as `argo stop` does; delete deletes it.
 */
export function openClusterTarget(
  io: CliIO,
  options: { kubeconfig?: string | undefined; context?: string | undefined; namespace?: string | undefined },
): ClusterTarget {
  const client = KubeConnection.load({
    ...(options.kubeconfig !== undefined ? { kubeconfigPath: resolve(io.cwd, options.kubeconfig) } : {}),
    ...(options.context !== undefined ? { context: options.context } : {}),
    env: envOf(io),
  });
  const runs = new KubeRunStore(client);
  const control = new KubeRunControl(client);
  const target: ClusterTarget = {
    kind: 'cluster',
    namespace: options.namespace ?? client.namespace,
    client,
    runs,
    podLogs: client,
    objects: new KubeClusterObjects(client, { namespace: options.namespace ?? client.namespace }),
    // One namespace's runs need only that namespace's list permission, as with kubectl.
    listRuns: (namespace, options) => (namespace === undefined ? runs : new KubeRunStore(client, { namespaces: [namespace] })).list(options),
    readRun: (key) => runs.peek(key),
    damageOf: (error: DamagedRunError) => `${error.file}${error.at ? `, ${error.at}` : ''}: ${error.problem}`,
    undrivenNote: async () => undefined,
    async control(_io: CliIO, key: RunKey, signal: RunSignal): Promise<void> {
      const run = await runs.peek(key);
      if (!run) throw new Error(`${describeRun(key)} not found`);
      if (isWorkflowDone(run.status.phase)) throw new Error(`${describeRun(key)} has already finished (${run.status.phase})`);
      const sent = await control.send(key, signal);
      if (!(await sent.taken(15_000))) throw new Error(`no controller took the request for ${describeRun(key)}; it stays on the Workflow for the next one`);
    },
    async deleteRun(out: CliIO, key: RunKey): Promise<boolean> {
      let live: Workflow;
      try {
        live = await client.get<Workflow>(workflowRef(key));
      } catch (error) {
        if (!(error instanceof KubeNotFoundError)) throw error;
        out.stderr.write(`skiff delete: ${describeRun(key)} not found\n`);
        return false;
      }
      await client.delete(workflowRef(key), { propagationPolicy: 'Background', preconditions: { uid: live.metadata.uid! } });
      const { namespace, name } = splitRunKey(key);
      // Held by the artifact-GC finalizer: the controller deletes its artifacts, then its node
      // ConfigMaps, which that garbage collection reads.
      if (hasArtifactGCFinalizer(live)) {
        out.stdout.write(
          `workflow ${name} deleted${namespace === 'default' ? '' : ` (namespace ${namespace})`}: it goes once the controller has deleted its artifacts\n`,
        );
        return true;
      }
      await deleteRunNodeConfigMaps(client, namespace, live.metadata.uid!);
      out.stdout.write(`workflow ${name} deleted${namespace === 'default' ? '' : ` (namespace ${namespace})`}\n`);
      return true;
    },
  };
  return target;
}
