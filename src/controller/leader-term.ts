import { isWorkflowDone, type WorkflowPhase } from '../engine/workflow-status.js';
import type { KubeClient } from '../kube/kube-client.js';
import { CONTROLLER_INSTANCE_ID_LABEL } from '../kube/kube-names.js';
import { takeResumeRequest } from '../kube/kube-run-control.js';
import { KubeRunStore } from '../kube/kube-run-store.js';
import { hasArtifactGCFinalizer, WORKFLOW_API } from '../kube/run-workflow-object.js';
import { type ObjectEvent, WatchObjects } from '../kube/watch-objects.js';
import { hasResumeRequest, workflowSignals } from '../kube/workflow-signals.js';
import { describeRun, type RunKey, runKeyOf, splitRunKey } from '../ports/run-key.js';
import type { RunStore, StoredRun } from '../ports/run-store.js';
import { RunWriterConflictError } from '../kube/run-writer-conflict-error.js';
import { clearRetriedPods, retriedPodsOf } from '../kube/retried-pods.js';
import { KubeClusterObjects } from '../kube/kube-cluster-objects.js';
import { loadRunConfigMaps } from '../runs/load-run-config-maps.js';
import { loadTemplateRefs } from '../runs/load-template-refs.js';
import type { Runtime } from '../ports/runtime.js';
import { RunDriver } from '../runs/run-driver.js';
import type { RunDriverOptions } from '../runs/run-driver-options.js';
import { KeyedSerializer } from '../shared/keyed-serializer.js';
import { CronScheduler, SYSTEM_CLOCK } from '../schedule/cron-scheduler.js';
import { kubeCronPorts } from './kube-cron-ports.js';
import { collectDeletedRunGarbage, deletesArtifactsWithWorkflow, setArtifactGCFinalizer } from './artifact-gc-finalizer.js';
import type { Workflow } from '../spec/model/workflow.js';

/** The pause before the cron scheduler looks again after a failed look. */
const CRON_RETRY_MS = 2000;

export interface LeaderTermOptions {
  client: KubeClient;
  runtime: Runtime;
  /** The namespaces whose runs are driven; every namespace when undefined. */
  namespaces: readonly string[] | undefined;
  instanceId: string;
  /** One line per event worth knowing (a run picked up, signalled, ended, deleted; a watch failing). */
  log: (line: string) => void;
  /** Passed on to the RunDriver (engine options, clock, timers); store and runtime are the term's. */
  driver?: Omit<RunDriverOptions, 'store' | 'runtime' | 'warn'>;
}

/**
 * What a controller does while it holds the lease: one informer of the Workflows labelled with its
 * instance id, and one RunDriver over KubeRunStore that drives them. A Workflow not finished is
 * taken up (a new one started, one in progress continued from what the cluster holds: the driver
 * asks the runtime again for every unfinished pod, and runtimes reattach); a change of one being
 * driven is read for control signals (workflow-signals.ts); a deleted one is no longer driven.
 * Work on one run is serialised; runs go on concurrently. `close()` stops driving at once — the
 * runs stay as saved, for the next holder.
 */
export class LeaderTerm {
  readonly store: KubeRunStore;
  readonly driver: RunDriver;
  /** One watch of every namespace, or one per namespace driven (a Role in each suffices then). */
  private readonly watchers: WatchObjects<Workflow>[];
  private readonly serial = new KeyedSerializer();
  /** The Workflow as last handled, per run driven: what the next change is compared with. */
  private readonly handled = new Map<RunKey, Workflow>();
  private closed = false;
  private readonly scheduling = new AbortController();

  constructor(private readonly options: LeaderTermOptions) {
    const { client, namespaces, instanceId, log } = options;
    this.store = new KubeRunStore(client, { instanceId, ...(namespaces !== undefined ? { namespaces: [...namespaces] } : {}) });
    this.driver = new RunDriver({
      ...options.driver,
      store: this.fencedStore(this.store),
      runtime: options.runtime,
      warn: (key, message) => log(`${describeRun(key)}: ${message}`),
    });
    this.driver.observe({
      runEnded: (key, status) => {
        log(`${describeRun(key)} ${status.phase}${status.message ? `: ${status.message}` : ''}`);
        // A finished run is no longer held in memory; a retry makes it unfinished again, and it is taken up anew.
        this.driver.forget(key);
        this.handled.delete(key);
        void this.store.release(key);
      },
    });
    this.watchers = (namespaces ?? [undefined]).map(
      (namespace) =>
        new WatchObjects<Workflow>(client, {
          apiVersion: WORKFLOW_API,
          kind: 'Workflow',
          namespace,
          labelSelector: `${CONTROLLER_INSTANCE_ID_LABEL}=${instanceId}`,
          onEvent: (event) => this.onEvent(event),
          onError: (error) => log(`watching Workflows: ${error.message}; listing again`),
        }),
    );
  }

  /** Starts the cron scheduler; resolves once the Workflows there are have been listed (and handed to the queue). */
  start(): Promise<void> {
    void this.schedule();
    return Promise.all(this.watchers.map((watcher) => watcher.start())).then(() => undefined);
  }

  /** Stops driving every run at once; what is saved stays for the next leader. */
  close(): void {
    this.closed = true;
    this.scheduling.abort();
    for (const watcher of this.watchers) watcher.close();
    this.driver.close();
    this.handled.clear();
  }

  /**
   * CronWorkflows of the instance id, on their schedules (CronScheduler, as locally); only the
   * leader runs it. A look that fails (the API server away) is tried again after a pause.
   */
  private async schedule(): Promise<void> {
    const { client, namespaces, instanceId, log } = this.options;
    const scheduler = new CronScheduler(kubeCronPorts({ client, store: this.store, namespaces, instanceId, log }));
    const signal = this.scheduling.signal;
    while (!signal.aborted) {
      try {
        await scheduler.run(signal);
      } catch (error) {
        log(`cron scheduler: ${(error as Error).message}; looking again in ${CRON_RETRY_MS / 1000} s`);
        await SYSTEM_CLOCK.sleep(CRON_RETRY_MS, signal);
      }
    }
  }

  private onEvent(event: ObjectEvent<Workflow>): void {
    const key = runKeyOf(event.object);
    void this.serial
      .run(key, () => (event.type === 'deleted' ? this.deleted(key) : this.changed(key)))
      .catch((error: unknown) => this.options.log(`${describeRun(key)}: ${(error as Error).message}`));
  }

  private async deleted(key: RunKey): Promise<void> {
    if (this.closed) return;
    this.handled.delete(key);
    await this.store.release(key);
    if (!this.driver.drives(key)) return;
    this.driver.forget(key);
    this.options.log(`${describeRun(key)} deleted: no longer driven`);
  }

  /**
   * A Workflow being deleted is no longer driven (its pods go with it); one held by the
   * artifact-GC finalizer has its artifacts deleted first, and then goes.
   */
  private async deleting(key: RunKey, live: Workflow): Promise<void> {
    if (this.driver.drives(key)) {
      this.driver.forget(key);
      this.handled.delete(key);
      this.options.log(`${describeRun(key)} deleted: no longer driven`);
    }
    if (!hasArtifactGCFinalizer(live)) return;
    const { client, log } = this.options;
    await collectDeletedRunGarbage({ client, store: this.store, objects: new KubeClusterObjects(client), log }, key, live);
  }

  /** The watch that sees the run's namespace. */
  private watchOf(key: RunKey): WatchObjects<Workflow> | undefined {
    const namespaces = this.options.namespaces;
    return namespaces === undefined ? this.watchers[0] : this.watchers[namespaces.indexOf(splitRunKey(key).namespace)];
  }

  private async changed(key: RunKey): Promise<void> {
    // The newest object seen, not the event's: events queued behind a slow one are then no older than it.
    const live = this.watchOf(key)?.get(key);
    if (this.closed || !live) return;
    if (live.metadata.deletionTimestamp) return this.deleting(key, live);
    if (this.driver.drives(key)) {
      this.signal(key, workflowSignals(this.handled.get(key), live));
      this.handled.set(key, live);
    } else {
      if (isWorkflowDone((live.status as { phase?: WorkflowPhase } | undefined)?.phase ?? 'Pending')) return;
      // What the cluster holds now decides (the informer may lag behind the run's own last write).
      const loaded = await this.store.load(key);
      if (this.closed || !loaded || isWorkflowDone(loaded.status.phase)) return;
      const stored = isUnprepared(loaded) ? await this.prepare(loaded) : loaded;
      if (this.closed) return;
      // Held by Argo's finalizer once deleted, until its artifacts are (artifact-gc-finalizer.ts).
      if (deletesArtifactsWithWorkflow(stored) && !hasArtifactGCFinalizer(live)) {
        await setArtifactGCFinalizer(this.options.client, key, true).catch((error: unknown) =>
          this.options.log(`${describeRun(key)}: no artifact-GC finalizer (${(error as Error).message}): its artifacts stay if it is deleted`),
        );
      }
      // A retried run: the failed pods of the steps it runs again have those steps' pod names, and
      // must go first, or the runtime would reattach to them.
      const retried = retriedPodsOf(live);
      if (retried.length > 0) {
        for (const pod of retried) this.options.runtime.kill(key, pod);
        await clearRetriedPods(this.options.client, key);
        this.options.log(`${describeRun(key)} retried: deleted the pods of ${retried.length} step(s) to run again`);
      }
      this.driver.adopt(stored);
      this.handled.set(key, live);
      const started = Object.keys(stored.status.nodes).length === 0;
      this.options.log(`${describeRun(key)} ${started ? 'started' : `continued (${stored.status.phase})`}`);
      this.signal(key, workflowSignals(undefined, live));
    }
    if (hasResumeRequest(live)) await takeResumeRequest(this.options.client, key);
  }

  /**
   * A Workflow created by someone else (kubectl, Argo's CLI, `skiff submit` against the cluster)
   * comes with nothing read yet: the templates it refers to and the ConfigMaps its parameters and
   * caches read are read now, once, and saved with it, so a restart uses the same values. One that
   * cannot be read is driven as it is, and the engine ends it with the reason.
   */
  private async prepare(run: StoredRun): Promise<StoredRun> {
    const { namespace } = splitRunKey(run.key);
    const objects = new KubeClusterObjects(this.options.client, { namespace });
    try {
      const referenced = await loadTemplateRefs(run.workflow, objects);
      const read = await loadRunConfigMaps(run.workflow, referenced, objects);
      const prepared: StoredRun = { ...run, ...(referenced.length > 0 ? { referenced } : {}), ...read };
      if (referenced.length > 0 || read.configMaps || read.caches) await this.store.save(prepared);
      return prepared;
    } catch (error) {
      this.options.log(`${describeRun(run.key)}: ${(error as Error).message}`);
      return run;
    }
  }

  /**
   * The store as the driver sees it, with one addition: a write refused because another writer
   * wrote the run (RunWriterConflictError: a replica that lost the lease finishing a write in
   * flight) makes this leader take the run up again from what the cluster now holds, instead of
   * retrying a write that can never succeed.
   */
  private fencedStore(store: KubeRunStore): RunStore {
    const fenced = async <T>(key: RunKey, write: () => Promise<T>): Promise<T> => {
      try {
        return await write();
      } catch (error) {
        if (error instanceof RunWriterConflictError) this.retake(key, error.message);
        throw error;
      }
    };
    return {
      list: () => store.list(),
      load: (key) => store.load(key),
      create: (run) => store.create(run),
      save: (run, saveOptions) => fenced(run.key, () => store.save(run, saveOptions)),
      append: (key, record) => fenced(key, () => store.append(key, record)),
      noteHeld: (key, problem) => store.noteHeld(key, problem),
    };
  }

  private retake(key: RunKey, why: string): void {
    this.options.log(`${why}: taking the run up again from the cluster`);
    void this.serial
      .run(key, async () => {
        this.driver.forget(key);
        this.handled.delete(key);
        await this.changed(key);
      })
      .catch((error: unknown) => this.options.log(`${describeRun(key)}: ${(error as Error).message}`));
  }

  private signal(key: RunKey, signals: ReturnType<typeof workflowSignals>): void {
    for (const signal of signals) {
      this.driver.signal(key, signal);
      this.options.log(`${describeRun(key)}: ${signal.op}${'message' in signal && signal.message ? ` (${signal.message})` : ''}`);
    }
  }
}

/** A run nobody has started nor read anything for: what kubectl and a cluster submit create. */
function isUnprepared(run: StoredRun): boolean {
  return Object.keys(run.status.nodes).length === 0 && !run.referenced && !run.configMaps && !run.caches;
}
