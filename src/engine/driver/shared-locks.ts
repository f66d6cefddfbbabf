import type { LockRequest } from '../engine-events.js';
import type { LockEvent, LockManager } from '../ports/lock-manager.js';
import type { LockEntry, LockTable, LockTableState } from '../ports/lock-table.js';

export interface SharedLocksOptions {
  /** This process (the owner recorded with every entry it makes). */
  owner?: number;
  /** Whether the process that made an entry still runs; a dead one's entries are dropped. */
  isAlive?: (owner: number) => boolean;
  /**
   * How often to look again while a request waits, in ms: other processes free locks without
   * telling this one. Unset for a table only this process uses (every change here is seen at once).
   */
  pollMs?: number;
}

interface Pending {
  request: LockRequest;
  report: (event: LockEvent) => void;
  /** What was last reported as waited for, so the same wait is not reported again. */
  said?: string;
}

/**
 * A LockManager over a LockTable. Each lock keeps its holders and a queue ordered by priority
 * (higher first), then the workflow's creation time, then arrival; a request takes all its locks
 * at once, and only when, for each, it is among the first of the queue that the free places
 * admit, so no request is overtaken by later ones (Argo's rule: only the front of the queue
 * acquires). Entries of processes that are gone are dropped, so a killed `skiff` never keeps a
 * lock; the run it drove, picked up again, finds its entries and takes them over (its holder key
 * is its own) or queues anew.
 */
export class SharedLocks implements LockManager {
  private readonly pending = new Map<string, Pending>();
  private readonly releases = new Set<string>();
  private readonly runReleases = new Set<string>();
  private readonly owner: number;
  private readonly isAlive: (owner: number) => boolean;
  private work: Promise<void> = Promise.resolve();
  private queued = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(
    private readonly table: LockTable,
    private readonly options: SharedLocksOptions = {},
  ) {
    this.owner = options.owner ?? process.pid;
    this.isAlive = options.isAlive ?? processAlive;
  }

  acquire(request: LockRequest, report: (event: LockEvent) => void): void {
    this.releases.delete(request.holder);
    this.pending.set(request.holder, { request, report });
    this.schedule();
  }

  release(holder: string): void {
    this.pending.delete(holder);
    this.releases.add(holder);
    this.schedule();
  }

  releaseRun(runId: string): void {
    for (const [holder, p] of this.pending) if (p.request.runId === runId) this.pending.delete(holder);
    this.runReleases.add(runId);
    this.schedule();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.work;
    if (this.releases.size > 0 || this.runReleases.size > 0) await this.pass();
  }

  private schedule(): void {
    if (this.queued) return;
    this.queued = true;
    this.work = this.work.then(async () => {
      this.queued = false;
      await this.pass();
    });
  }

  /** One look at the table: gives up what was released, drops the dead, grants what may be granted. */
  private async pass(): Promise<void> {
    const releases = [...this.releases];
    const runReleases = [...this.runReleases];
    this.releases.clear();
    this.runReleases.clear();
    const pending = [...this.pending.values()];
    let reports: Array<() => void> = [];
    try {
      reports = await this.table.update((state) => this.apply(state, releases, runReleases, pending));
    } catch (error) {
      // The table could not be read or written (a full disk): say so to the waiting runs' logs by
      // trying again later rather than failing them; the releases are retried too.
      for (const h of releases) this.releases.add(h);
      for (const r of runReleases) this.runReleases.add(r);
      process.emitWarning(`skiff: the lock table could not be updated: ${(error as Error).message}`);
    }
    for (const deliver of reports) deliver();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const waiting = [...this.pending.values()].some((p) => p.said !== 'held');
    if (!this.closed && this.options.pollMs !== undefined && (waiting || this.releases.size > 0)) {
      this.timer = setTimeout(() => this.schedule(), this.options.pollMs);
    }
  }

  private apply(state: LockTableState, releases: string[], runReleases: string[], pending: Pending[]): Array<() => void> {
    const gone = (e: LockEntry) => releases.includes(e.holder) || runReleases.includes(e.runId);
    const mine = new Set(pending.map((p) => p.request.holder));
    for (const lock of Object.values(state.locks)) {
      for (const list of [lock.holders, lock.waiting]) {
        for (const e of list) if (mine.has(e.holder)) e.owner = this.owner; // our run, picked up again
      }
      const alive = (e: LockEntry) => !gone(e) && (e.owner === this.owner || this.isAlive(e.owner));
      lock.holders = lock.holders.filter(alive);
      lock.waiting = lock.waiting.filter(alive);
    }
    const reports: Array<() => void> = [];
    for (const p of pending) {
      if (p.said === 'held' || !this.pending.has(p.request.holder)) continue;
      const { request } = p;
      for (const ref of request.locks) {
        const lock = (state.locks[ref.name] ??= { holders: [], waiting: [] });
        if (lock.holders.some((e) => e.holder === request.holder) || lock.waiting.some((e) => e.holder === request.holder)) continue;
        const entry: LockEntry = { holder: request.holder, runId: request.runId, owner: this.owner, priority: request.priority, createdAt: request.createdAt, seq: ++state.seq };
        (request.reacquire ? lock.holders : lock.waiting).push(entry);
      }
      const blocked = request.reacquire ? undefined : request.locks.find((ref) => !admits(state, ref.name, ref.limit, request.holder));
      if (blocked === undefined) {
        for (const ref of request.locks) {
          const lock = state.locks[ref.name]!;
          const index = lock.waiting.findIndex((e) => e.holder === request.holder);
          if (index >= 0) lock.holders.push(...lock.waiting.splice(index, 1));
        }
        p.said = 'held';
        reports.push(() => p.report({ type: 'lock-acquired', holder: request.holder }));
        continue;
      }
      const holders = state.locks[blocked.name]!.holders.map((e) => e.holder);
      const said = `${blocked.name} ${holders.join(',')}`;
      if (p.said === said) continue;
      p.said = said;
      reports.push(() => p.report({ type: 'lock-waiting', holder: request.holder, lock: blocked.name, holders }));
    }
    for (const [name, lock] of Object.entries(state.locks)) if (lock.holders.length === 0 && lock.waiting.length === 0) delete state.locks[name];
    return reports;
  }
}

/** Whether `holder` may hold lock `name` now: it does, or the free places reach its turn in the queue. */
function admits(state: LockTableState, name: string, limit: number, holder: string): boolean {
  const lock = state.locks[name]!;
  if (lock.holders.some((e) => e.holder === holder)) return true;
  const queue = [...lock.waiting].sort(queueOrder);
  const position = queue.findIndex((e) => e.holder === holder);
  return position >= 0 && lock.holders.length + position < limit;
}

function queueOrder(a: LockEntry, b: LockEntry): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  if (a.createdAt !== '' && b.createdAt !== '' && a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  return a.seq - b.seq;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
