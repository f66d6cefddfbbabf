import type { EngineAction, EngineEvent } from '../engine/engine-events.js';
import type { RetryOptions } from '../engine/operations/retry-run.js';
import { type RunDefinition, RunSession } from '../engine/run-session.js';
import { isWorkflowDone, type NodeStatus, type WorkflowStatus } from '../engine/workflow-status.js';
import type { LockManager } from '../ports/lock-manager.js';
import { type JournalRecord, runFields, type StoredRun } from '../ports/run-store.js';
import type { RunSignal } from '../ports/run-control.js';
import type { RunObserver } from '../ports/run-observer.js';
import type { Workflow } from '../spec/model/workflow.js';
import { MemoryLockTable } from '../state/memory-lock-table.js';
import { type HeldWrite, StoreWriteRetry } from './store-write-retry.js';
import { resubmitSavedRun, retrySavedRun, type SubmitExtras, submitRun } from './run-operations.js';
import { SharedLocks } from './shared-locks.js';
import type { RunDriverOptions } from './run-driver-options.js';

/** A node that changed, for observers (the CLI's live view, the GitHub reporter). */
export interface NodeChange {
  runId: string;
  node: NodeStatus;
}

/** Changes of one run in one batch, saved before their effects start. */
interface Batch {
  changed: Map<string, NodeStatus>;
  actions: EngineAction[];
  workflow?: Workflow;
}

interface ActiveRun {
  stored: StoredRun;
  session: RunSession;
  timer?: { cancel(): void };
  waiters: Array<(status: WorkflowStatus) => void>;
  /** Set once the run has finished: its artifact GC and the runtime's clean-up, then the waiters. */
  finishing?: Promise<void>;
  /** The run's cache saves, one after another (each reads and rewrites its ConfigMap); waited for before the run finishes. */
  saving?: Promise<void>;
  /** Its state could not be written: the unsaved batch and the events that came since, none applied. */
  held?: HeldWrite<Batch>;
}

/**
 * The thin, I/O-only host of the engine: opens a session per run, feeds it events, saves every
 * change through the RunStore *before* starting its effects (write-ahead), then hands pods to the
 * Runtime and sets timers. Events are handled in batches: all events that arrived while the
 * last batch was being saved become one journal record per run (group commit), so saving costs
 * O(changed nodes), never O(all nodes), per event. A run whose changes cannot be saved is held
 * (see StoreWriteRetry): its effects wait, and so do its next events, until a write succeeds.
 */
export class RunDriver {
  private readonly runs = new Map<string, ActiveRun>();
  private queue: Array<{ runId: string; event: EngineEvent }> = [];
  private pumping = false;
  private readonly observers = new Set<RunObserver>();
  private readonly now: () => number;
  private readonly locks: LockManager;
  private readonly writes: StoreWriteRetry<Batch>;

  constructor(private readonly options: RunDriverOptions) {
    this.now = options.now ?? Date.now;
    this.locks = options.locks ?? new SharedLocks(new MemoryLockTable());
    this.writes = new StoreWriteRetry<Batch>({
      setTimer: options.setTimer ?? defaultTimer,
      ...options.storeRetry,
      write: (runId, batch) => this.write(runId, batch),
      held: (runId, problem) => this.reportHeld(runId, problem),
      saved: (runId, batch, deferred) => this.resumeHeld(runId, batch, deferred),
    });
  }

  /** Observes every run this driver drives; calls come after what they report is saved. Returns an unsubscribe. */
  observe(observer: RunObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  /** Observes node-level changes of every run, after they are saved. Returns an unsubscribe. */
  subscribe(listener: (change: NodeChange) => void): () => void {
    return this.observe({ nodeChanged: (runId, node) => listener({ runId, node }) });
  }

  /** Starts a new run of `workflow` (see submitRun); resolves to its id once it is saved. */
  async submit(submitted: Workflow, extras: SubmitExtras = {}): Promise<string> {
    const stored = await submitRun(this.operationPorts(), submitted, extras);
    this.open(stored);
    return stored.key;
  }

  /** Retries a finished run in place (see retryRun) and drives it again. */
  async retry(runId: string, options: RetryOptions = {}): Promise<void> {
    this.reopen(await retrySavedRun(this.operationPorts(), runId, options));
  }

  /** Starts a new run of a finished run's workflow; with `memoized`, its succeeded pods are reused. */
  async resubmit(runId: string, options: { memoized?: boolean; name?: string } = {}): Promise<string> {
    const next = await resubmitSavedRun(this.operationPorts(), runId, options);
    this.reopen(next);
    return next.key;
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
      this.open(stored);
      ids.push(id);
    }
    return ids;
  }

  /** Drives one run as the store has it (a run saved by another process, or retried or resubmitted). */
  async resume(id: string): Promise<void> {
    const stored = await this.options.store.load(id);
    if (!stored) throw new Error(`run ${id} not found`);
    this.reopen(stored);
  }

  /** Drives a run as given, read from the store by the caller (a controller that checked it first). */
  adopt(stored: StoredRun): void {
    this.reopen(stored);
  }

  /** Stops a run: pods are killed, exit handlers run. */
  stop(runId: string, message?: string): void {
    this.send(runId, message === undefined ? { type: 'stop' } : { type: 'stop', message });
  }

  /** Terminates a run: pods are killed, exit handlers do not run. */
  terminate(runId: string, message?: string): void {
    this.send(runId, message === undefined ? { type: 'terminate' } : { type: 'terminate', message });
  }

  /** Obeys a control signal (see RunControl): stop, terminate, or resume the run's suspended steps. */
  signal(runId: string, signal: RunSignal): void {
    if (signal.op === 'resume') this.send(runId, { type: 'resume' });
    else if (signal.op === 'stop') this.stop(runId, signal.message);
    else this.terminate(runId, signal.message);
  }

  /** Queues an event for a run (resume, stop, terminate, or a runtime report). */
  send(runId: string, event: EngineEvent): void {
    this.queue.push({ runId, event });
    if (!this.pumping) {
      this.pumping = true;
      setImmediate(() => void this.pump());
    }
  }

  /** The run's status as the engine has it (ahead of the store while the run is held). */
  status(runId: string): WorkflowStatus | undefined {
    return this.runs.get(runId)?.session.status;
  }

  /** Why the run is held (its state cannot be saved), or undefined when it is not. */
  heldBecause(runId: string): string | undefined {
    return this.runs.get(runId)?.held?.problem;
  }

  /** Whether this driver drives the run now (opened and not forgotten, finished or not). */
  drives(runId: string): boolean {
    return this.runs.has(runId);
  }

  /**
   * Stops driving a run without changing it: its timers and held writes are dropped, and events
   * that still come for it (a runtime's late report) are ignored. For a run deleted by someone,
   * a finished run a long-lived host no longer needs in memory, or a host that lost the right to
   * drive (a controller's lease). Whoever waits for it keeps waiting.
   */
  forget(runId: string): void {
    const run = this.runs.get(runId);
    if (!run) return;
    run.timer?.cancel();
    run.session.close();
    if (run.held) this.writes.drop(run.held);
    this.runs.delete(runId);
  }

  /** Stops driving every run (see forget): the host goes away, the runs stay as saved. */
  close(): void {
    for (const runId of [...this.runs.keys()]) this.forget(runId);
    this.queue = [];
  }

  /** Resolves with the final status once the run has finished. */
  wait(runId: string): Promise<WorkflowStatus> {
    const run = this.runs.get(runId);
    if (!run) return Promise.reject(new Error(`run ${runId} is not active`));
    // A held run may have ended in memory only: it has not ended until that is saved. A run opened
    // already finished (a completion GC left undone) has not ended until its start event reaches
    // the effects and its finish (the GC, recorded) is done: the waiters wait for that too.
    if (run.finishing && !run.held) return run.finishing.then(() => run.session.status);
    return new Promise((resolve) => run.waiters.push(resolve));
  }

  private operationPorts() {
    return { store: this.options.store, configMaps: this.options.configMaps, suffix: this.options.suffix };
  }

  /** Takes over a run whose saved state replaced the one driven so far; whoever waited for it keeps waiting. */
  private reopen(stored: StoredRun): void {
    const previous = this.runs.get(stored.key);
    previous?.timer?.cancel();
    previous?.session.close();
    if (previous?.held) this.writes.drop(previous.held);
    this.open(stored, previous?.waiters ?? []);
  }

  private open(stored: StoredRun, waiters: ActiveRun['waiters'] = []): void {
    const definition: RunDefinition = { workflow: stored.workflow };
    if (stored.referenced) definition.referenced = stored.referenced;
    if (stored.configMaps) definition.configMaps = stored.configMaps;
    if (stored.caches) definition.caches = stored.caches;
    if (this.options.engine) definition.options = this.options.engine;
    this.runs.set(stored.key, { stored, session: new RunSession(definition, stored.status), waiters });
    this.send(stored.key, { type: 'start' });
  }

  private async pump(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        const touched = new Map<string, Batch>();
        for (const { runId, event } of batch) {
          const run = this.runs.get(runId);
          if (!run) continue;
          // A held run does not move: its events wait until its state is saved again.
          if (run.held) {
            run.held.deferred.push(event);
            continue;
          }
          const transition = run.session.advance(event, this.now());
          let entry = touched.get(runId);
          if (!entry) touched.set(runId, (entry = { changed: new Map(), actions: [] }));
          for (const node of transition.changed) entry.changed.set(node.id, node);
          for (const action of transition.actions) entry.actions.push(action);
          if (transition.workflow) entry.workflow = run.stored.workflow = transition.workflow;
        }
        // Write-ahead: every change of the batch is saved before any of its effects start.
        const runs = [...touched];
        const saved = await Promise.all(runs.map(([runId, entry]) => this.write(runId, entry).then(yes, (error: unknown) => this.hold(runId, entry, error))));
        for (let i = 0; i < runs.length; i++) if (saved[i]) this.effects(runs[i]![0], runs[i]![1].changed, runs[i]![1].actions);
      }
    } finally {
      this.pumping = false;
      if (this.queue.length > 0) {
        this.pumping = true;
        setImmediate(() => void this.pump());
      }
    }
  }

  /** A batch could not be saved: the run is held (see StoreWriteRetry). Returns false: no effects now. */
  private hold(runId: string, batch: Batch, error: unknown): false {
    const run = this.runs.get(runId);
    if (run) run.held = this.writes.hold(runId, batch, error);
    return false;
  }

  /**
   * Writes a batch as one journal record, and the whole run when the store asks for compaction.
   * Safe to repeat after a failure: a record appended twice replays to the same status (whole
   * nodes, last write wins), and a whole-run save replaces what was there.
   */
  private async write(runId: string, batch: Batch): Promise<void> {
    const run = this.runs.get(runId);
    if (!run) return;
    const record: JournalRecord = { nodes: [...batch.changed.values()], run: runFields(run.session.status) };
    if (batch.workflow) record.workflow = batch.workflow;
    if (await this.options.store.append(runId, record)) await this.options.store.save(run.stored, { compaction: true });
  }

  private reportHeld(runId: string, problem: string | undefined): void {
    this.options.warn?.(runId, problem === undefined ? 'its state is saved again; it goes on' : `held: its state cannot be saved (${problem}); retrying`);
    void this.options.store.noteHeld?.(runId, problem).catch(() => undefined);
    for (const observer of this.observers) observer.runHeld?.(runId, problem);
  }

  private resumeHeld(runId: string, batch: Batch, deferred: EngineEvent[]): void {
    const run = this.runs.get(runId);
    if (!run) return;
    delete run.held;
    this.effects(runId, batch.changed, batch.actions);
    for (const event of deferred) this.send(runId, event);
  }

  private effects(runId: string, changed: Map<string, NodeStatus>, actions: EngineAction[]): void {
    const run = this.runs.get(runId);
    if (!run) return;
    if (this.observers.size > 0) {
      for (const node of changed.values()) for (const observer of this.observers) observer.nodeChanged?.(runId, { ...node });
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
    if (isWorkflowDone(run.session.status.phase)) {
      run.timer?.cancel();
      // Whatever way the run ended, nothing of it may keep a lock.
      this.locks.releaseRun(runId);
      run.finishing ??= this.finish(runId, run);
      void run.finishing.then(() => {
        const waiters = run.waiters.splice(0);
        for (const resolve of waiters) resolve(run.session.status);
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
   * marked `deleted`, the strategy processed) before waiters and observers hear of the end, so
   * `skiff submit --wait` prints the status GC left. A GC that cannot be recorded is left for
   * `skiff delete`, which redoes an unprocessed OnWorkflowCompletion.
   */
  private async finish(runId: string, run: ActiveRun): Promise<void> {
    try {
      await run.saving;
      const changes = await this.options.runtime.collectGarbage?.({ key: runId, workflow: run.session.workflow, status: run.session.status });
      if (!changes || this.runs.get(runId) !== run) return;
      const nodes = run.session.record(changes);
      const status = run.session.status;
      if (await this.options.store.append(runId, { nodes, run: runFields(status) })) await this.options.store.save(run.stored, { compaction: true });
      if (this.observers.size > 0) for (const node of nodes) for (const observer of this.observers) observer.nodeChanged?.(runId, { ...node });
    } catch {
      // Recording failed: the store keeps the strategy unprocessed, so `skiff delete` retries it.
    } finally {
      this.options.runtime.runFinished?.(runId);
      if (this.runs.get(runId) === run) for (const observer of this.observers) observer.runEnded?.(runId, run.session.status);
    }
  }
}

const yes = (): true => true;

function defaultTimer(callback: () => void, ms: number): { cancel(): void } {
  const handle = setTimeout(callback, ms);
  return { cancel: () => clearTimeout(handle) };
}
