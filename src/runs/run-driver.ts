import { SHUTDOWN_MESSAGE_ANNOTATION } from '../spec/model/argo-labels.js';
import type { Workflow } from '../spec/model/workflow.js';
import { advanceRun, newRunStatus, type RunDefinition } from '../engine/advance-run.js';
import type { EngineAction, EngineEvent } from '../engine/engine-events.js';
import type { EngineOptions } from '../engine/execution.js';
import type { ParameterConfigMapSource } from './load-parameter-config-maps.js';
import { loadRunConfigMaps } from './load-run-config-maps.js';
import type { MemoizationCacheStore } from '../ports/memoization-cache-store.js';
import { runFields, type JournalRecord, type RunStore, type StoredRun } from '../ports/run-store.js';
import type { LockManager } from '../ports/lock-manager.js';
import type { Runtime } from '../ports/runtime.js';
import { runKey, runKeyOf, splitRunKey } from '../ports/run-key.js';
import { MemoryLockTable } from '../state/memory-lock-table.js';
import { SharedLocks } from './shared-locks.js';
import { retryRun, type RetryOptions } from '../engine/operations/retry-run.js';
import { resubmitRun } from '../engine/operations/resubmit-run.js';
import { type SubmitOverrides, withOverrides } from '../engine/submit-overrides.js';
import { isWorkflowDone, type NodeStatus, type WorkflowStatus } from '../engine/workflow-status.js';

/** A node that changed, for observers (the CLI's live view, the GitHub reporter). */
export interface NodeChange {
  runId: string;
  node: NodeStatus;
}

export interface RunDriverOptions {
  store: RunStore;
  runtime: Runtime;
  /** The clock; tests pass a fake one. */
  now?: () => number;
  /** Names for `generateName` workflows. */
  suffix?: () => string;
  engine?: EngineOptions;
  /**
   * Where the ConfigMaps of `configMapKeyRef` parameters are read when a run is submitted,
   * retried or resubmitted (unless the caller passes them). A restart reuses what was read.
   */
  configMaps?: ParameterConfigMapSource;
  /**
   * Where memoized outputs are saved (`save-cache`). The caches a run reads are loaded from
   * `configMaps` when it is submitted, retried or resubmitted; a restart reuses what was read.
   */
  caches?: MemoizationCacheStore;
  /** Told of what went wrong without failing the run (a cache entry that could not be saved). */
  warn?: (runId: string, message: string) => void;
  /**
   * The mutexes and semaphores of `synchronization`, shared by the runs this driver drives (and,
   * with a shared table, by other processes). Default: shared by this driver's runs only.
   */
  locks?: LockManager;
  /** Timers: tests and benchmarks may replace setTimeout. */
  setTimer?: (callback: () => void, ms: number) => { cancel(): void };
}

interface ActiveRun {
  stored: StoredRun;
  definition: RunDefinition;
  timer?: { cancel(): void };
  waiters: Array<(status: WorkflowStatus) => void>;
  /** Set once the run has finished: its artifact GC and the runtime's clean-up, then the waiters. */
  finishing?: Promise<void>;
  /** The run's cache saves, one after another (each reads and rewrites its ConfigMap); waited for before the run finishes. */
  saving?: Promise<void>;
}

/**
 * The thin, I/O-only part of the engine: feeds events to `advanceRun`, saves every change
 * through the RunStore *before* starting its effects (write-ahead), then hands pods to the
 * Runtime and sets timers. Events are handled in batches: all events that arrived while the
 * last batch was being saved become one journal record per run (group commit), so saving costs
 * O(changed nodes), never O(all nodes), per event.
 */
export class RunDriver {
  private readonly runs = new Map<string, ActiveRun>();
  private queue: Array<{ runId: string; event: EngineEvent }> = [];
  private pumping = false;
  private readonly listeners = new Set<(change: NodeChange) => void>();
  private readonly now: () => number;
  private readonly suffix: () => string;
  private readonly locks: LockManager;

  constructor(private readonly options: RunDriverOptions) {
    this.now = options.now ?? Date.now;
    this.locks = options.locks ?? new SharedLocks(new MemoryLockTable());
    this.suffix = options.suffix ?? randomSuffix;
  }

  /** Observes node-level changes of every run, after they are saved. Returns an unsubscribe. */
  subscribe(listener: (change: NodeChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts a new run of `workflow`; resolves to its id once it is saved. */
  async submit(submitted: Workflow, extra: Pick<StoredRun, 'referenced' | 'configMaps' | 'caches'> & SubmitOverrides = {}): Promise<string> {
    const workflow = withOverrides(submitted, extra);
    const named: Workflow = workflow.metadata?.name
      ? workflow
      : { ...workflow, metadata: { ...workflow.metadata, name: `${workflow.metadata?.generateName ?? 'workflow-'}${this.suffix()}` } };
    const stored: StoredRun = { key: runKeyOf(named), workflow: named, status: newRunStatus() };
    if (extra.referenced) stored.referenced = extra.referenced;
    const read = extra.configMaps && extra.caches ? {} : await this.readConfigMaps(named, extra.referenced, {});
    const configMaps = extra.configMaps ?? read.configMaps;
    if (configMaps) stored.configMaps = configMaps;
    const caches = extra.caches ?? read.caches;
    if (caches) stored.caches = caches;
    await this.options.store.save(stored);
    this.track(stored);
    this.send(stored.key, { type: 'start' });
    return stored.key;
  }

  /**
   * Continues every unfinished run in the store (after a restart). Returns their ids. A run the
   * store cannot load (its files are damaged) is left as it is and told to `warn`: it must not
   * keep the others from moving.
   */
  async resumeAll(): Promise<string[]> {
    const ids: string[] = [];
    for (const id of await this.options.store.list()) {
      if (this.runs.has(id)) continue;
      let stored: StoredRun | undefined;
      try {
        stored = await this.options.store.load(id);
      } catch (error) {
        this.options.warn?.(id, `not continued: ${(error as Error).message}`);
        continue;
      }
      if (!stored || isWorkflowDone(stored.status.phase)) continue;
      this.track(stored);
      this.send(id, { type: 'start' });
      ids.push(id);
    }
    return ids;
  }

  /** Continues one run whose status was replaced in the store (retry, resubmit). */
  async resume(id: string): Promise<void> {
    const stored = await this.options.store.load(id);
    if (!stored) throw new Error(`run ${id} not found`);
    this.runs.get(id)?.timer?.cancel();
    this.runs.delete(id);
    this.track(stored);
    this.send(id, { type: 'start' });
  }

  /** Retries a finished run in place (see retryRun). */
  async retry(runId: string, options: RetryOptions = {}): Promise<void> {
    const stored = await this.options.store.load(runId);
    if (!stored) throw new Error(`run ${runId} not found`);
    const result = retryRun(stored.workflow, stored.status, options);
    if ('error' in result) throw new Error(result.error);
    // Steps run again read the ConfigMaps as they are now (one may have been created since).
    const { configMaps: _before, caches: _cachesBefore, ...kept } = stored;
    await this.replace({
      ...kept,
      workflow: result.workflow,
      status: result.status,
      ...(await this.readConfigMaps(result.workflow, stored.referenced, stored)),
    });
  }

  /** Starts a new run of a finished run's workflow; with `memoized`, its succeeded pods are reused. */
  async resubmit(runId: string, options: { memoized?: boolean; name?: string } = {}): Promise<string> {
    const stored = await this.options.store.load(runId);
    if (!stored) throw new Error(`run ${runId} not found`);
    const base = stored.workflow.metadata?.generateName ?? `${splitRunKey(runId).name.replace(/-[a-z0-9]{5}$/, '')}-`;
    const name = options.name ?? `${base}${this.suffix()}`;
    const result = resubmitRun(stored.workflow, stored.status, name, options.memoized ?? false);
    if ('error' in result) throw new Error(result.error);
    const next: StoredRun = { key: runKey(splitRunKey(runId).namespace, name), workflow: result.workflow, status: result.status };
    if (stored.referenced) next.referenced = stored.referenced;
    await this.replace({ ...next, ...(await this.readConfigMaps(result.workflow, stored.referenced, stored)) });
    return next.key;
  }

  /** Stops a run: pods are killed, exit handlers run. */
  stop(runId: string, message?: string): void {
    this.send(runId, message === undefined ? { type: 'stop' } : { type: 'stop', message });
  }

  /** Terminates a run: pods are killed, exit handlers do not run. */
  terminate(runId: string, message?: string): void {
    this.send(runId, message === undefined ? { type: 'terminate' } : { type: 'terminate', message });
  }

  private async replace(stored: StoredRun): Promise<void> {
    await this.options.store.save(stored);
    const previous = this.runs.get(stored.key);
    previous?.timer?.cancel();
    this.track(stored);
    if (previous) this.runs.get(stored.key)!.waiters.push(...previous.waiters);
    this.send(stored.key, { type: 'start' });
  }

  /** Queues an event for a run (resume, stop, terminate, or a runtime report). */
  send(runId: string, event: EngineEvent): void {
    this.queue.push({ runId, event });
    if (!this.pumping) {
      this.pumping = true;
      setImmediate(() => void this.pump());
    }
  }

  status(runId: string): WorkflowStatus | undefined {
    return this.runs.get(runId)?.stored.status;
  }

  /** Resolves with the final status once the run has finished. */
  wait(runId: string): Promise<WorkflowStatus> {
    const run = this.runs.get(runId);
    if (!run) return Promise.reject(new Error(`run ${runId} is not active`));
    if (isWorkflowDone(run.stored.status.phase)) return (run.finishing ?? Promise.resolve()).then(() => run.stored.status);
    return new Promise((resolve) => run.waiters.push(resolve));
  }

  /** What the run reads of the cluster, as it is now; without a source, what `known` held. */
  private async readConfigMaps(
    workflow: Workflow,
    referenced: StoredRun['referenced'],
    known: Pick<StoredRun, 'configMaps' | 'caches'>,
  ): Promise<Pick<StoredRun, 'configMaps' | 'caches'>> {
    if (!this.options.configMaps) return { ...(known.configMaps ? { configMaps: known.configMaps } : {}), ...(known.caches ? { caches: known.caches } : {}) };
    return loadRunConfigMaps(workflow, referenced ?? [], this.options.configMaps);
  }

  private track(stored: StoredRun): void {
    const definition: RunDefinition = { workflow: stored.workflow };
    if (stored.referenced) definition.referenced = stored.referenced;
    if (stored.configMaps) definition.configMaps = stored.configMaps;
    if (stored.caches) definition.caches = stored.caches;
    if (this.options.engine) definition.options = this.options.engine;
    this.runs.set(stored.key, { stored, definition, waiters: [] });
  }

  private async pump(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        const touched = new Map<string, { changed: Map<string, NodeStatus>; actions: EngineAction[]; workflowChanged: boolean }>();
        for (const { runId, event } of batch) {
          const run = this.runs.get(runId);
          if (!run) continue;
          let workflowChanged = false;
          if (event.type === 'stop' || event.type === 'terminate') {
            // Argo keeps the shutdown in spec.shutdown; so do we, so a restart still honours it.
            // The message goes with it: the engine rebuilds the run from the new workflow and takes the shutdown from there.
            const { workflow } = run.stored;
            const metadata =
              event.message === undefined
                ? workflow.metadata
                : { ...workflow.metadata, annotations: { ...workflow.metadata.annotations, [SHUTDOWN_MESSAGE_ANNOTATION]: event.message } };
            run.stored.workflow = { ...workflow, metadata, spec: { ...workflow.spec, shutdown: event.type === 'stop' ? 'Stop' : 'Terminate' } };
            run.definition = { ...run.definition, workflow: run.stored.workflow };
            workflowChanged = true;
          }
          // The repository the runtime resolved is recorded once, as Argo does at the run's start.
          if (event.type === 'pod-started' && event.artifactRepositoryRef && !run.stored.status.artifactRepositoryRef) {
            run.stored.status.artifactRepositoryRef = event.artifactRepositoryRef;
          }
          const transition = advanceRun(run.definition, run.stored.status, event, this.now());
          let entry = touched.get(runId);
          if (!entry) touched.set(runId, (entry = { changed: new Map(), actions: [], workflowChanged: false }));
          for (const node of transition.changed) entry.changed.set(node.id, node);
          for (const action of transition.actions) entry.actions.push(action);
          entry.workflowChanged ||= workflowChanged;
        }
        // Write-ahead: every change of the batch is saved before any of its effects start.
        await Promise.all(
          [...touched].map(async ([runId, entry]) => {
            const run = this.runs.get(runId)!;
            const record: JournalRecord = { nodes: [...entry.changed.values()], run: runFields(run.stored.status) };
            if (entry.workflowChanged) record.workflow = run.stored.workflow;
            if (await this.options.store.append(runId, record)) await this.options.store.save(run.stored, { compaction: true });
          }),
        );
        for (const [runId, entry] of touched) this.effects(runId, entry.changed, entry.actions);
      }
    } finally {
      this.pumping = false;
      if (this.queue.length > 0) {
        this.pumping = true;
        setImmediate(() => void this.pump());
      }
    }
  }

  private effects(runId: string, changed: Map<string, NodeStatus>, actions: EngineAction[]): void {
    const run = this.runs.get(runId);
    if (!run) return;
    if (this.listeners.size > 0) {
      for (const node of changed.values()) for (const listener of this.listeners) listener({ runId, node: { ...node } });
    }
    let wake: string | undefined;
    for (const action of actions) {
      if (action.type === 'run-pod') this.options.runtime.run(action.pod, (event) => this.send(runId, event));
      else if (action.type === 'kill-pod') this.options.runtime.kill(runId, action.podName);
      else if (action.type === 'save-cache') this.saveCache(runId, run, action);
      else if (action.type === 'acquire-lock') this.locks.acquire(action.request, (event) => this.send(runId, event));
      else if (action.type === 'release-lock') this.locks.release(action.holder);
      else wake = action.time;
    }
    if (wake !== undefined) {
      run.timer?.cancel();
      const delay = Math.max(0, Date.parse(wake) - this.now());
      const set = this.options.setTimer ?? defaultTimer;
      run.timer = set(() => this.send(runId, { type: 'timer' }), delay);
    }
    if (isWorkflowDone(run.stored.status.phase)) {
      run.timer?.cancel();
      // Whatever way the run ended, nothing of it may keep a lock.
      this.locks.releaseRun(runId);
      run.finishing ??= this.finish(runId, run);
      void run.finishing.then(() => {
        const waiters = run.waiters.splice(0);
        for (const resolve of waiters) resolve(run.stored.status);
      });
    }
  }

  /**
   * Saves a memoized node's outputs once the node's success is journaled (write-ahead, as every
   * effect). A save that fails leaves the node as it is: its work is done and its outputs are
   * right, only later runs will not find them; the reason goes to `warn`. (Argo errors the node
   * instead, failing a run for want of an optimisation.)
   */
  private saveCache(runId: string, run: ActiveRun, action: Extract<EngineAction, { type: 'save-cache' }>): void {
    const store = this.options.caches;
    if (!store) return;
    const save = async (): Promise<void> => {
      try {
        await store.save(action.namespace, action.cache, action.key, action.entry);
      } catch (error) {
        this.options.warn?.(
          runId,
          `node ${action.entry.nodeID}: outputs not saved to memoization cache "${action.cache}" (key "${action.key}"): ${(error as Error).message}`,
        );
      }
    };
    run.saving = (run.saving ?? Promise.resolve()).then(save);
  }

  /**
   * A run has finished: its OnWorkflowCompletion artifact GC runs and is recorded (artifacts
   * marked `deleted`, the strategy processed) before waiters hear of the end, so `skiff submit
   * --wait` prints the status GC left. A GC that cannot be recorded is left for `skiff delete`,
   * which redoes an unprocessed OnWorkflowCompletion.
   */
  private async finish(runId: string, run: ActiveRun): Promise<void> {
    try {
      await run.saving;
      const changes = await this.options.runtime.collectGarbage?.({ key: runId, workflow: run.stored.workflow, status: run.stored.status });
      if (!changes || this.runs.get(runId) !== run) return;
      const status = run.stored.status;
      for (const node of changes.nodes) {
        // In place: the engine's working state holds these node objects.
        const existing = status.nodes[node.id];
        if (existing) Object.assign(existing, node);
        else status.nodes[node.id] = node;
      }
      Object.assign(status, changes.run);
      const nodes = changes.nodes.map((n) => status.nodes[n.id]!);
      if (await this.options.store.append(runId, { nodes, run: runFields(status) })) await this.options.store.save(run.stored, { compaction: true });
      if (this.listeners.size > 0) for (const node of nodes) for (const listener of this.listeners) listener({ runId, node: { ...node } });
    } catch {
      // Recording failed: the store keeps the strategy unprocessed, so `skiff delete` retries it.
    } finally {
      this.options.runtime.runFinished?.(runId);
    }
  }
}

function defaultTimer(callback: () => void, ms: number): { cancel(): void } {
  const handle = setTimeout(callback, ms);
  return { cancel: () => clearTimeout(handle) };
}

function randomSuffix(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let out = '';
  for (let i = 0; i < 5; i++) out += alphabet[Math.floor(Math.random() * alphabet.length)];
  return out;
}
