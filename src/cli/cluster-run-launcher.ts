import { isWorkflowDone, type NodeStatus } from '../engine/workflow-status.js';
import { KubeClusterObjects } from '../kube/kube-cluster-objects.js';
import { KubeError, KubeNotFoundError } from '../kube/kube-errors.js';
import { KubeRunControl } from '../kube/kube-run-control.js';
import { CONTROLLER_INSTANCE_ID_LABEL, SKIFF_INSTANCE_ID } from '../kube/kube-names.js';
import { noteRetriedPods } from '../kube/retried-pods.js';
import { WorkflowChanges } from '../kube/workflow-changes.js';
import type { RetryLaunch, RunChanges, RunLauncher } from '../ports/run-launcher.js';
import { describeRun, type RunKey, runKeyOf, splitRunKey } from '../ports/run-key.js';
import type { StoredRun } from '../ports/run-store.js';
import { retrySavedRun, RunOperationError } from '../runs/run-operations.js';
import { ARGO_API_VERSION, type Workflow } from '../spec/model/workflow.js';
import type { ClusterTarget } from './cluster-target.js';
import { secretNames } from './local-run-launcher.js';
import { podsResetBy } from './pods-reset-by.js';
import { podNameOfNode } from '../report/node-tree.js';
import { prepareRun, saveNewRun } from './submit-run.js';

/** How much of a log's end is kept to find its last lines, as for a local run. */
const LOG_TAIL_BYTES = 64 * 1024;
/** How long reading a failed step's log may take before the check run is completed without it. */
const LOG_TAIL_TIMEOUT_MS = 30_000;

/**
 * The cluster's RunLauncher: a run is a Workflow labelled with Skiff's instance id, created as
 * `skiff submit --kubeconfig` creates one, and a controller (in the same process or a separate
 * `skiff controller`) drives it. Retry and terminate change the Workflow as `skiff retry` and
 * `skiff terminate` do; followers learn of changes from one watch of the Workflows.
 */
export class ClusterRunLauncher implements RunLauncher {
  private readonly control: KubeRunControl;
  private readonly watch: WorkflowChanges;

  /** The namespaces runs are created, listed and watched in; every namespace when undefined. */
  private readonly namespaces: readonly string[] | undefined;

  constructor(
    private readonly target: ClusterTarget,
    options: { onWatchError?: (error: Error) => void; namespaces?: readonly string[] | undefined } = {},
  ) {
    this.namespaces = options.namespaces;
    this.control = new KubeRunControl(target.client);
    this.watch = new WorkflowChanges(target.client, {
      namespaces: options.namespaces,
      ...(options.onWatchError ? { onError: options.onWatchError } : {}),
    });
  }

  async submit(workflow: Workflow, labels: Record<string, string>): Promise<RunKey> {
    // Templates are looked up in the run's own namespace, where the sync applied them.
    const namespace = workflow.metadata?.namespace ?? this.target.namespace;
    // Nothing would drive or follow a run elsewhere (and the server has no rights there): refused,
    // and the check run says why.
    if (this.namespaces !== undefined && !this.namespaces.includes(namespace))
      throw new Error(
        `namespace "${namespace}" is not one this server runs workflows in (${this.namespaces.map((name) => `"${name}"`).join(', ')}): set the Workflow's metadata.namespace to one of them, or start skiff serve with -n ${namespace}`,
      );
    const target = { ...this.target, namespace, objects: new KubeClusterObjects(this.target.client, { namespace }) };
    const prepared = await prepareRun(target, workflow, { labels }, workflow.metadata?.name ?? workflow.metadata?.generateName ?? 'workflow');
    return saveNewRun(target, prepared);
  }

  retry(key: RunKey, options: RetryLaunch): Promise<void> {
    return retryClusterRun(this.target, key, options);
  }

  async terminate(key: RunKey, message: string): Promise<void> {
    const run = await this.target.runs.peek(key);
    if (!run) throw new Error(`${describeRun(key)} not found`);
    if (isWorkflowDone(run.status.phase)) throw new Error(`${describeRun(key)} has already finished (${run.status.phase})`);
    // Set on the Workflow (spec.shutdown); whichever controller leads takes it, now or after a restart.
    await this.control.send(key, { op: 'terminate', message });
  }

  read(key: RunKey): Promise<StoredRun | undefined> {
    return this.target.runs.peek(key);
  }

  async find(labels: Record<string, string>): Promise<StoredRun[]> {
    const selector = Object.entries({ ...labels, [CONTROLLER_INSTANCE_ID_LABEL]: SKIFF_INSTANCE_ID })
      .map(([name, value]) => `${name}=${value}`)
      .join(',');
    const items: Workflow[] = [];
    for (const namespace of this.namespaces ?? [undefined])
      items.push(...(await this.target.client.list<Workflow>(ARGO_API_VERSION, 'Workflow', namespace, { labelSelector: selector })).items);
    const found: StoredRun[] = [];
    for (const item of items) {
      const run = await this.target.runs.peek(runKeyOf(item)).catch(() => undefined);
      if (run) found.push(run);
    }
    return found;
  }

  /**
   * The last lines of the step's main container log, from its pod through the API server (the
   * kubelet cuts it to `lines`); undefined when the pod and its log are gone or it never started.
   * A log that cannot be read for another reason says so in the excerpt, so the check run still completes.
   */
  async logTail(run: StoredRun, node: NodeStatus, lines: number): Promise<string | undefined> {
    const { namespace, name } = splitRunKey(run.key);
    const pod = podNameOfNode(run.workflow.metadata?.name ?? name, node);
    if (pod === undefined) return undefined;
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of this.target.podLogs.podLog(namespace, pod, 'main', {
        tailLines: lines,
        // A node that does not answer must not hold the check run back.
        signal: AbortSignal.timeout(LOG_TAIL_TIMEOUT_MS),
      })) {
        chunks.push(chunk);
        size += chunk.length;
        // Lines may be long: only the end is kept.
        while (size - (chunks[0]?.length ?? 0) >= LOG_TAIL_BYTES) size -= chunks.shift()!.length;
      }
    } catch (error) {
      if (error instanceof KubeNotFoundError || (error instanceof KubeError && error.status === 400)) return undefined;
      return `(the log of pod ${pod} could not be read: ${(error as Error).message})`;
    }
    const whole = Buffer.concat(chunks);
    const text = whole
      .subarray(Math.max(0, whole.length - LOG_TAIL_BYTES))
      .toString('utf8')
      .replace(/\n$/, '');
    return text.split('\n').slice(-lines).join('\n');
  }

  async secretValues(run: StoredRun): Promise<string[]> {
    const { namespace } = splitRunKey(run.key);
    const objects = new KubeClusterObjects(this.target.client, { namespace });
    const values: string[] = [];
    for (const name of secretNames([run.workflow, ...(run.referenced ?? [])])) {
      const secret = await objects.secret(namespace, name).catch(() => undefined);
      values.push(...Object.values(secret ?? {}));
    }
    return values;
  }

  changes(key: RunKey): RunChanges {
    return this.watch.feed(key);
  }

  close(): void {
    this.watch.close();
  }
}

/**
 * Retries a finished run of a cluster in place, through the connection `target` already has (a
 * kubeconfig's, or a pod's own service account): its failed steps, or the named ones, as `skiff
 * retry` does; the controller that leads takes it up. Rejects with a RunOperationError when the
 * run is missing, still running, or has nothing to retry.
 */
export async function retryClusterRun(target: ClusterTarget, key: RunKey, options: RetryLaunch): Promise<void> {
  const run = await target.runs.peek(key);
  if (!run) throw new RunOperationError(`${describeRun(key)} not found`);
  if (!isWorkflowDone(run.status.phase)) throw new RunOperationError(`${describeRun(key)} is still running`);
  const retry = { nodes: options.nodes ?? [], restartSuccessful: options.restartSuccessful === true };
  try {
    // The controller deletes the pods noted here when it takes the retried run up (see skiff retry).
    await noteRetriedPods(target.client, key, podsResetBy(run, retry));
    await retrySavedRun({ store: target.runs, configMaps: target.objects }, key, { ...retry, ...(options.labels ? { labels: options.labels } : {}) });
  } catch (error) {
    await noteRetriedPods(target.client, key, []).catch(() => undefined);
    throw error;
  } finally {
    await target.runs.release(key);
  }
}
