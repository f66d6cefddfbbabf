import type { LockRequest } from '../engine/engine-events.js';
import type { LockEvent, LockManager } from '../ports/lock-manager.js';
import type { LockEntry, LockTable, LockTableState } from '../ports/lock-table.js';
import type { RunKey } from '../ports/run-key.js';
import { processAlive } from '../shared/process-alive.js';

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

  releaseRun(key: RunKey): void {
    for (const [holder, p] of this.pending) if (p.request.runKey === key) this.pending.delete(holder);
    this.runReleases.add(key);
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
    const gone = (e: LockEntry) => releases.includes(e.holder) || runReleases.includes(e.runKey);
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
    const open = pending.filter((p) => p.said !== 'held' && this.pending.has(p.request.holder));
    // Every entry by lock and holder: looked up per request, never searched for.
    const entries = new Map<string, Map<string, LockEntry>>();
    for (const [name, lock] of Object.entries(state.locks)) entries.set(name, new Map([...lock.holders, ...lock.waiting].map((e) => [e.holder, e])));
    for (const { request } of open) {
      for (const ref of request.locks) {
        const lock = (state.locks[ref.name] ??= { holders: [], waiting: [] });
        let known = entries.get(ref.name);
        if (!known) entries.set(ref.name, (known = new Map()));
        if (known.has(request.holder)) continue;
        const entry: LockEntry = {
          holder: request.holder,
          runKey: request.runKey,
          owner: this.owner,
          priority: request.priority,
          createdAt: request.createdAt,
          seq: ++state.seq,
        };
        known.set(request.holder, entry);
        (request.reacquire ? lock.holders : lock.waiting).push(entry);
      }
    }
    // Each queue in its order and indexed, once per pass (a wide fan-out queues thousands of
    // nodes). Granting within the pass leaves every other place's verdict as it was: a grant moves
    // one entry ahead of the others from the queue to the holders, so holders + place stays put.
    const views = new Map<string, QueueView>();
    for (const [name, lock] of Object.entries(state.locks)) {
      lock.waiting.sort(queueOrder);
      views.set(name, {
        held: new Set(lock.holders.map((e) => e.holder)),
        place: new Map(lock.waiting.map((e, i) => [e.holder, i])),
        holders: lock.holders.length,
      });
    }
    const admits = (name: string, limit: number, holder: string): boolean => {
      const view = views.get(name)!;
      const place = view.place.get(holder);
      return view.held.has(holder) || (place !== undefined && view.holders + place < limit);
    };
    // Grants in queue order, so an earlier request is never passed over for a later one here.
    const first = new Map(open.map((p) => [p, entries.get(p.request.locks[0]?.name ?? '')?.get(p.request.holder) ?? LAST]));
    open.sort((a, b) => queueOrder(first.get(a)!, first.get(b)!));
    for (const p of open) {
      const { request } = p;
      const blocked = request.reacquire ? undefined : request.locks.find((ref) => !admits(ref.name, ref.limit, request.holder));
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

/** A lock's queue as the pass began: who holds it, each waiter's place, how many hold it. */
interface QueueView {
  held: Set<string>;
  place: Map<string, number>;
  holders: number;
}

/** Where a request without locks sorts: after everything. */
const LAST: LockEntry = { holder: '', runKey: '', owner: 0, priority: Number.MIN_SAFE_INTEGER, createdAt: '', seq: Number.MAX_SAFE_INTEGER };

function queueOrder(a: LockEntry, b: LockEntry): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  if (a.createdAt !== '' && b.createdAt !== '' && a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  return a.seq - b.seq;
}
