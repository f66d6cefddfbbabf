import type { V1Pod } from '@kubernetes/client-node';
import { type ConfigMapSource, createArtifactDriver, type SecretSource, type StorageLocation } from '../../artifacts/index.js';
import type { PodRequest } from '../../engine/engine-events.js';
import type { ArtifactRepositoryRefStatus, WorkflowStatus } from '../../engine/workflow-status.js';
import { KubeClusterObjects } from '../../kube/kube-cluster-objects.js';
import { KubeAlreadyExistsError } from '../../kube/kube-errors.js';
import { CONTROLLER_INSTANCE_ID_LABEL, SKIFF_INSTANCE_ID, WORKFLOW_LABEL } from '../../kube/kube-names.js';
import { type ObjectEvent, WatchObjects } from '../../kube/watch-objects.js';
import type { PodRef } from '../../ports/executor-reports.js';
import { type RunKey, runKey, splitRunKey } from '../../ports/run-key.js';
import type { Runtime, RunStatusChanges, RuntimeEvent } from '../../ports/runtime.js';
import { collectKubeRunGarbage } from '../../kube/kube-run-garbage.js';
import { archivesLogs } from '../../runs/archive-logs.js';
import { RunRepositories } from '../../runs/run-repositories.js';
import type { KubernetesObject } from '../../spec/model/kubernetes.js';
import type { Workflow } from '../../spec/model/workflow.js';
import { EXECUTOR_IMAGE } from '../pod-spec/executor-plan.js';
import { clusterPod } from './cluster-pod.js';
import { clusterPodOutcome } from './cluster-pod-outcome.js';
import { KubeExecutorReports } from './kube-executor-reports.js';
import { deletePodAndWait } from './pod-gc.js';
import { RunPodGC } from './run-pod-gc.js';
import { podCreateRefusal } from './pod-create-refusal.js';
import { isPodless, type PodlessContext, runPodlessStep } from './podless-steps.js';
import { podProgress } from './pod-progress.js';
import { ResourceStepClients } from './resource-template/resource-step-clients.js';
import { RunObjects } from './run-objects.js';
import type { KubeRuntimeOptions } from './kube-runtime-options.js';

/** A pod asked for and not yet reported ended. */
interface Tracked {
  request: PodRequest;
  report: (event: RuntimeEvent) => void;
  created: boolean;
  startedSent: boolean;
  readySent: boolean;
  ended: boolean;
  repositoryRef?: ArtifactRepositoryRefStatus;
  stuckTimer?: NodeJS.Timeout;
  abort?: AbortController;
}

/** A pod as kube/ passes objects around. */
type PodObject = V1Pod & KubernetesObject;

const keyOf = (namespace: string, podName: string): string => `${namespace}/${podName}`;

/**
 * The cluster runtime: a pod per pod node, created in the run's namespace from the pod spec every
 * runtime builds (cluster-pod.ts), and followed through one shared informer of Skiff's pods, whose
 * status changes become the engine's events: `pod-started` when the step's container runs,
 * `pod-ready` (with the pod's IP) for a daemon, and the pod's end with its outputs, read from the
 * wait container's termination message (KubeExecutorReports) in the very update that shows the
 * container ended. `run` is idempotent by pod: a pod that exists already (a controller restarted)
 * is followed, never created twice. A pod that cannot start, vanishes or ends without a report
 * ends its node with a message saying why (cluster-pod-outcome.ts). `kill` deletes the pod;
 * `runFinished` applies podGC and volumeClaimGC (run-pod-gc.ts). http, resource and data templates
 * run with no pod (podless-steps.ts).
 *
 * @example
 *   const runtime = createKubeRuntime({ client: KubeConnection.load(), executorImage: 'ghcr.io/skiff/skiff:1.0' });
 *   await runtime.start();
 *   const driver = new RunDriver({ store: new KubeRunStore(client), runtime });
 */
export class KubeRuntime implements Runtime {
  private readonly tracked = new Map<string, Tracked>();
  /** Skiff's pods as the informer last saw them; a deleted one stays until its node's end is reported. */
  private readonly pods = new Map<string, V1Pod>();
  /** Pods deleted while their node waited for their end: dropped from `pods` once it is reported. */
  private readonly gone = new Set<string>();
  /** Pods `kill` deletes, until the API server no longer has them; and the uids of every pod killed. */
  private readonly deleting = new Map<string, Promise<void>>();
  private readonly killed = new Set<string>();
  private readonly watchers: Array<WatchObjects<PodObject>>;
  private readonly objects: ConfigMapSource & SecretSource;
  private readonly repositories: RunRepositories;
  private readonly reports: KubeExecutorReports;
  private readonly runObjects: RunObjects;
  private readonly chores = new Set<Promise<unknown>>();
  private readonly podless: PodlessContext;
  private readonly podGC: RunPodGC;
  private readonly executorImage: string;
  private readonly now: () => number;
  private synced: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly options: KubeRuntimeOptions) {
    this.executorImage = options.executorImage ?? EXECUTOR_IMAGE;
    this.now = options.now ?? Date.now;
    this.objects = options.objects ?? new KubeClusterObjects(options.client);
    this.runObjects = new RunObjects(options.client, options.runOf);
    this.repositories = new RunRepositories({
      configMaps: this.objects,
      ...(options.defaultRepository ? { controllerDefault: options.defaultRepository } : {}),
      recordedOf: async (key) => (await this.runObjects.workflow(key))?.status?.artifactRepositoryRef as ArtifactRepositoryRefStatus | undefined,
    });
    this.podless = {
      secrets: this.objects,
      repositories: this.repositories,
      resourceClients: new ResourceStepClients(options.client, options.resourceStepsAs),
      ...(options.httpClient ? { httpClient: options.httpClient } : {}),
      ...(options.resourcePollMs !== undefined ? { resourcePollMs: options.resourcePollMs } : {}),
      ...(options.warn ? { warn: options.warn } : {}),
    };
    this.podGC = new RunPodGC({
      client: options.client,
      now: this.now,
      chore: (work) => this.chore(work),
      ...(options.warn ? { warn: options.warn } : {}),
    });
    this.reports = new KubeExecutorReports({
      podOf: (ref) => this.pods.get(keyOf(splitRunKey(ref.run).namespace, ref.podName)),
      driverFor: (namespace) => createArtifactDriver({ secrets: this.objects, namespace }),
    });
    const labelSelector = `${CONTROLLER_INSTANCE_ID_LABEL}=${options.instanceId ?? SKIFF_INSTANCE_ID},${WORKFLOW_LABEL}`;
    this.watchers = (options.namespaces ?? [undefined]).map(
      (namespace) =>
        new WatchObjects<PodObject>(options.client, {
          apiVersion: 'v1',
          kind: 'Pod',
          namespace,
          labelSelector,
          onEvent: (event) => this.onPod(event),
          onError: (error) => this.options.warn?.(`watching pods: ${error.message}`),
        }),
    );
  }

  /** Lists and watches Skiff's pods; resolves once every pod there is known. `run` waits for it too. */
  start(): Promise<void> {
    this.synced ??= Promise.all(this.watchers.map((w) => w.start())).then(() => undefined);
    return this.synced;
  }

  run(request: PodRequest, report: (event: RuntimeEvent) => void): void {
    const key = keyOf(request.workflowNamespace, request.podName);
    const existing = this.tracked.get(key);
    if (existing) {
      existing.report = report;
      return;
    }
    const entry: Tracked = { request, report, created: false, startedSent: false, readySent: false, ended: false };
    this.tracked.set(key, entry);
    this.chore(
      this.begin(key, entry).catch((error: unknown) =>
        this.end(key, entry, { type: 'pod-error', nodeId: request.nodeId, message: `cluster runtime: ${(error as Error).message}` }),
      ),
    );
  }

  kill(key: RunKey, podName: string): void {
    const { namespace } = splitRunKey(key);
    const podKey = keyOf(namespace, podName);
    const entry = this.tracked.get(podKey);
    if (entry) this.forget(podKey, entry);
    entry?.abort?.abort();
    // Deleted whether or not this process asked for it: after a restart the engine kills pods it asked an earlier one for.
    const uid = this.pods.get(podKey)?.metadata?.uid;
    if (uid) this.killed.add(uid);
    const gone: Promise<void> = deletePodAndWait(this.options.client, namespace, podName, this.options.warn, () => this.closed).finally(() => {
      if (this.deleting.get(podKey) === gone) this.deleting.delete(podKey);
    });
    this.deleting.set(podKey, gone);
    this.chore(gone);
  }

  /** The finished run's OnWorkflowCompletion artifact GC, with its namespace's credentials. */
  async collectGarbage(run: { workflow: Workflow; status: WorkflowStatus }): Promise<RunStatusChanges | undefined> {
    return (await collectKubeRunGarbage(this.objects, run, false)).changes;
  }

  runFinished(key: RunKey): void {
    this.chore(this.collectRun(key));
  }

  /** Stops watching; pods keep running in the cluster (a new runtime reattaches to them). */
  async close(): Promise<void> {
    this.closed = true;
    for (const watcher of this.watchers) watcher.close();
    this.podGC.close();
    for (const entry of this.tracked.values()) {
      if (entry.stuckTimer) clearTimeout(entry.stuckTimer);
      entry.abort?.abort();
    }
    this.tracked.clear();
    await Promise.allSettled([...this.chores]);
  }

  private async begin(key: string, entry: Tracked): Promise<void> {
    const { request } = entry;
    await this.start();
    const run = runKey(request.workflowNamespace, request.workflowName);
    const workflow = await this.runObjects.workflow(run);
    if (!workflow) return this.fail(key, entry, `run ${run} is not in the cluster`);
    const resolved = await this.repositories.repository(workflow).catch(() => undefined);
    if (resolved) entry.repositoryRef = resolved.ref as ArtifactRepositoryRefStatus;
    // A retried step's pod has the name of the one killed for it: wait until that one is gone, and
    // never take a copy of it (the informer may still hold one) for the new pod.
    await this.deleting.get(key);
    const cached = this.pods.get(key);
    const seen = cached?.metadata?.uid && this.killed.has(cached.metadata.uid) ? undefined : cached;
    // A pod of this name exists: a runtime before this one created it. Follow it, never start a second.
    if (seen) return this.follow(key, entry, seen, false);
    if (isPodless(request.template)) {
      entry.abort = new AbortController();
      entry.startedSent = true;
      entry.report({ type: 'pod-started', nodeId: request.nodeId });
      const event = await runPodlessStep(request, workflow, this.podless, entry.abort.signal);
      if (event) this.end(key, entry, event);
      return;
    }
    let archiveLocation: StorageLocation | undefined;
    const archiveLogs = archivesLogs(resolved?.repository, request.workflowArchiveLogs, request.template);
    const needsRepository = (request.inputs.artifacts?.length ?? 0) > 0 || (request.template.outputs?.artifacts?.length ?? 0) > 0 || archiveLogs;
    if (resolved || needsRepository) {
      try {
        archiveLocation = await this.repositories.archiveLocation(workflow, request);
      } catch (error) {
        if (needsRepository) return this.fail(key, entry, (error as Error).message);
      }
    }
    try {
      await this.runObjects.ensureClaims(run, workflow);
    } catch (error) {
      return this.fail(key, entry, (error as Error).message);
    }
    const built = clusterPod(request, {
      workflow,
      executorImage: this.executorImage,
      ...(this.options.instanceId ? { instanceId: this.options.instanceId } : {}),
      now: this.now(),
      ...(this.options.shell ? { shell: this.options.shell } : {}),
      ...(request.nodeName ? { nodeName: request.nodeName } : {}),
      ...(archiveLocation ? { archiveLocation } : {}),
      ...(archiveLogs ? { archiveLogs } : {}),
    });
    if ('error' in built) return this.fail(key, entry, built.error);
    if (this.tracked.get(key) !== entry) return;
    try {
      const created = await this.options.client.create<PodObject>(built.pod as PodObject);
      entry.created = true;
      if (!this.pods.has(key)) this.pods.set(key, created);
    } catch (error) {
      if (!(error instanceof KubeAlreadyExistsError)) return this.fail(key, entry, podCreateRefusal(built.pod, error as Error));
    }
    // Closed meanwhile: the pod is left to the runtime that takes over. Killed: it must not outlive the kill.
    if (this.closed) return;
    if (this.tracked.get(key) !== entry) return this.deletePod(request.workflowNamespace, request.podName);
    const now = this.pods.get(key);
    if (now) await this.follow(key, entry, now, false);
  }

  private onPod(event: ObjectEvent<PodObject>): void {
    const pod = event.object;
    const key = keyOf(pod.metadata?.namespace ?? 'default', pod.metadata?.name ?? '');
    const uid = pod.metadata?.uid;
    this.podGC.seen(pod, event.type === 'deleted');
    if (uid && this.killed.has(uid)) {
      // A killed pod's late events never reach a new pod of its name (a retried step's); its deletion ends them.
      if (this.pods.get(key)?.metadata?.uid === uid) this.pods.delete(key);
      if (event.type === 'deleted') this.killed.delete(uid);
      return;
    }
    const entry = this.tracked.get(key);
    // A deleted pod's last copy stays while its node waits for the end: the outcome reads it.
    if (event.type === 'deleted' && !entry) this.pods.delete(key);
    else this.pods.set(key, pod);
    if (event.type === 'deleted' && entry) this.gone.add(key);
    else this.gone.delete(key);
    if (entry && this.synced) this.chore(this.follow(key, entry, pod, event.type === 'deleted'));
  }

  /** Turns what a pod's status shows into the node's events, at most once each. */
  private async follow(key: string, entry: Tracked, pod: V1Pod, deleted: boolean): Promise<void> {
    if (entry.ended || this.tracked.get(key) !== entry) return;
    const { request } = entry;
    const template = request.template;
    const users = template.containerSet ? template.containerSet.containers.map((c) => c.name ?? '') : ['main'];
    const progress = podProgress(pod, users);
    if (progress.started && !entry.startedSent) {
      entry.startedSent = true;
      entry.report({
        type: 'pod-started',
        nodeId: request.nodeId,
        ...(pod.spec?.nodeName ? { hostNodeName: pod.spec.nodeName } : {}),
        ...(entry.repositoryRef ? { artifactRepositoryRef: entry.repositoryRef } : {}),
        ...(entry.created && request.askedBefore ? { restarted: true } : {}),
      });
    }
    if (template.daemon === true && progress.ready && !progress.ended && !deleted && !entry.readySent) {
      entry.readySent = true;
      entry.report({ type: 'pod-ready', nodeId: request.nodeId, ...(pod.status?.podIP ? { podIP: pod.status.podIP } : {}) });
    }
    if (progress.ended || deleted) {
      entry.ended = true;
      if (entry.stuckTimer) clearTimeout(entry.stuckTimer);
      const ref: PodRef = { run: runKey(request.workflowNamespace, request.workflowName), podName: request.podName };
      const outcome = await clusterPodOutcome(
        request.nodeId,
        deleted && !progress.ended ? undefined : pod,
        ref,
        this.reports,
        template.containerSet !== undefined,
        pod,
      );
      this.end(key, entry, outcome);
      await this.afterEnd(pod, deleted, outcome);
      return;
    }
    if (progress.stuck?.fatal) return this.failStuck(key, entry, progress.stuck.message);
    if (progress.stuck && !entry.stuckTimer) {
      entry.stuckTimer = setTimeout(() => {
        const latest = this.pods.get(key);
        const still = latest && podProgress(latest, users).stuck;
        entry.stuckTimer = undefined;
        if (still) this.chore(this.failStuck(key, entry, `${still.message} (for ${Math.round(this.stuckAfterMs() / 1000)}s)`));
      }, this.stuckAfterMs());
    }
  }

  private stuckAfterMs(): number {
    return this.options.stuckAfterMs ?? 120_000;
  }

  private async failStuck(key: string, entry: Tracked, message: string): Promise<void> {
    if (entry.ended) return;
    this.fail(key, entry, message);
    await this.deletePod(entry.request.workflowNamespace, entry.request.podName);
  }

  /** An ended pod: podGC now, and a pod still running something goes (run-pod-gc.ts). */
  private async afterEnd(pod: V1Pod, deleted: boolean, outcome: RuntimeEvent): Promise<void> {
    if (deleted) return;
    const workflow = await this.runObjects.workflow(runKey(pod.metadata?.namespace ?? 'default', pod.metadata?.labels?.[WORKFLOW_LABEL] ?? ''));
    await this.podGC.podEnded(pod, workflow, outcome.type === 'pod-finished' && outcome.exitCode === 0);
  }

  private fail(key: string, entry: Tracked, message: string): void {
    this.end(key, entry, { type: 'pod-error', nodeId: entry.request.nodeId, message });
  }

  private end(key: string, entry: Tracked, event: RuntimeEvent): void {
    if (this.tracked.get(key) !== entry) return;
    this.forget(key, entry);
    entry.report(event);
  }

  private forget(key: string, entry: Tracked): void {
    entry.ended = true;
    if (entry.stuckTimer) clearTimeout(entry.stuckTimer);
    this.tracked.delete(key);
    if (this.gone.delete(key)) this.pods.delete(key);
  }

  private async collectRun(key: RunKey): Promise<void> {
    // Read afresh: podGC and volumeClaimGC go by how the run ended.
    this.runObjects.forget(key);
    const workflow = await this.runObjects.workflow(key);
    this.runObjects.forget(key);
    this.repositories.forget(key);
    if (workflow) await this.podGC.runEnded(workflow);
  }

  private deletePod(namespace: string, name: string): Promise<void> {
    return this.podGC.deletePod(namespace, name);
  }

  private chore(work: Promise<unknown>): void {
    const tracked = work
      .catch((error: unknown) => this.options.warn?.(`cluster runtime: ${(error as Error).message}`))
      .finally(() => this.chores.delete(tracked));
    this.chores.add(tracked);
  }
}

/**
 * The cluster runtime, ready to be given to a RunDriver; call `start()` (or just `run`) and, on
 * shutdown, `close()` (pods keep running; a new runtime reattaches to them).
 *
 * @example createKubeRuntime({ client: KubeConnection.load(), executorImage: 'ghcr.io/skiff/skiff:1.0', namespaces: ['ci'] })
 */
export function createKubeRuntime(options: KubeRuntimeOptions): KubeRuntime {
  return new KubeRuntime(options);
}
