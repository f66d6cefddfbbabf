import type { LockRef } from './engine-events.js';
import type { Execution } from './execution.js';
import { isSemaphoreLock } from './synchronization-locks.js';
import type { NodeStatus, SynchronizationStatus } from './workflow-status.js';

interface Holder {
  locks: LockRef[];
  held: boolean;
  /** The node that waits (template-level locks); none for the run's own locks. */
  node?: NodeStatus;
  /** The lock it was last said to wait for. */
  waitingFor?: string;
  onAcquired: () => void;
}

/**
 * The run's side of synchronization: the engine takes no lock itself. It asks for locks with an
 * `acquire-lock` action, hears back through `lock-waiting` and `lock-acquired` events, and gives
 * them up with `release-lock` when the holder (a node, or the run) ends. Keeps Argo's
 * `status.synchronization` and the waiting node's `synchronizationStatus` and message up to date.
 */
export class LockTracker {
  private readonly holders = new Map<string, Holder>();

  constructor(private readonly exec: Execution) {}

  /** Argo's holder key: `<namespace>/<workflow>` for the run, with `/<node id>` for a node. */
  holderOf(nodeId?: string): string {
    const base = `${String(this.exec.workflow.metadata?.namespace ?? 'default')}/${this.exec.name}`;
    return nodeId === undefined ? base : `${base}/${nodeId}`;
  }

  /** Whether `holder` holds its locks (asked for and granted in this execution). */
  holds(holder: string): boolean {
    return this.holders.get(holder)?.held === true;
  }

  /** Whether the run's status records `holder` as holding every one of `locks`. */
  recorded(holder: string, locks: readonly LockRef[]): boolean {
    const sync = this.exec.status.synchronization;
    return locks.every((lock) =>
      isSemaphoreLock(lock.name)
        ? (sync?.semaphore?.holding?.some((h) => h.semaphore === lock.name && h.holders.includes(holder)) ?? false)
        : (sync?.mutex?.holding?.some((h) => h.mutex === lock.name && h.holder === holder) ?? false),
    );
  }

  /**
   * Asks for `locks` for `holder`; `onAcquired` runs once all are held. A hold the status already
   * records (a run picked up again) counts as held at once, and is re-established with the lock
   * manager rather than queued for. Returns whether the locks are held now.
   */
  request(holder: string, locks: LockRef[], onAcquired: () => void, node?: NodeStatus): boolean {
    const reacquire = this.recorded(holder, locks);
    const entry: Holder = { locks, held: reacquire, onAcquired };
    if (node) entry.node = node;
    this.holders.set(holder, entry);
    const { exec } = this;
    const createdAt = exec.workflow.metadata?.creationTimestamp;
    exec.actions.push({
      type: 'acquire-lock',
      request: {
        holder,
        runKey: `${exec.namespace}/${exec.name}`,
        locks,
        priority: Number(exec.spec.priority ?? 0) || 0,
        createdAt: createdAt === undefined ? '' : String(createdAt),
        ...(reacquire ? { reacquire: true } : {}),
      },
    });
    if (reacquire) onAcquired();
    return reacquire;
  }

  /** `lock-acquired`: the holder may go on. Repeated or late reports are ignored. */
  acquired(holder: string): void {
    const entry = this.holders.get(holder);
    if (!entry || entry.held) return;
    entry.held = true;
    const status = this.syncStatus();
    for (const lock of entry.locks) {
      if (isSemaphoreLock(lock.name)) {
        const holding = (status.semaphore ??= {}).holding ?? (status.semaphore.holding = []);
        const found = holding.find((h) => h.semaphore === lock.name);
        if (!found) holding.push({ semaphore: lock.name, holders: [holder] });
        else if (!found.holders.includes(holder)) found.holders.push(holder);
      } else {
        const holding = (status.mutex ??= {}).holding ?? (status.mutex.holding = []);
        if (!holding.some((h) => h.mutex === lock.name && h.holder === holder)) holding.push({ mutex: lock.name, holder });
      }
    }
    this.stopWaiting(holder, entry);
    entry.onAcquired();
  }

  /** `lock-waiting`: says which lock the holder waits for, and its state, as Argo does. */
  waiting(holder: string, lock: string, current: string[]): void {
    const entry = this.holders.get(holder);
    if (!entry || entry.held) return;
    const limit = entry.locks.find((l) => l.name === lock)?.limit ?? 1;
    const message = `Waiting for ${lock} lock. Lock status: ${Math.max(0, limit - current.length)}/${limit}`;
    if (entry.waitingFor !== undefined && entry.waitingFor !== lock) this.dropWaiting(entry.waitingFor, holder);
    entry.waitingFor = lock;
    const status = this.syncStatus();
    if (isSemaphoreLock(lock)) {
      const waiting = (status.semaphore ??= {}).waiting ?? (status.semaphore.waiting = []);
      const found = waiting.find((w) => w.semaphore === lock);
      if (found) found.holders = current;
      else waiting.push({ semaphore: lock, holders: current });
    } else if (current[0] !== undefined) {
      const waiting = (status.mutex ??= {}).waiting ?? (status.mutex.waiting = []);
      const found = waiting.find((w) => w.mutex === lock);
      if (found) found.holder = current[0];
      else waiting.push({ mutex: lock, holder: current[0] });
    }
    if (entry.node) {
      entry.node.synchronizationStatus = { waiting: lock };
      entry.node.message = message;
      this.exec.touch(entry.node);
    } else {
      this.exec.status.message = message;
    }
  }

  /** Gives up whatever `holder` holds or waits for (its node or the run ended, or it was stopped). */
  release(holder: string): void {
    const entry = this.holders.get(holder);
    if (!entry) return;
    this.holders.delete(holder);
    this.exec.actions.push({ type: 'release-lock', holder });
    const sync = this.exec.status.synchronization;
    if (sync) {
      for (const lock of entry.locks) {
        if (isSemaphoreLock(lock.name)) {
          const found = sync.semaphore?.holding?.find((h) => h.semaphore === lock.name);
          if (found) found.holders = found.holders.filter((h) => h !== holder);
          if (sync.semaphore?.holding) sync.semaphore.holding = sync.semaphore.holding.filter((h) => h.holders.length > 0);
        } else if (sync.mutex?.holding) {
          sync.mutex.holding = sync.mutex.holding.filter((h) => !(h.mutex === lock.name && h.holder === holder));
        }
      }
    }
    this.stopWaiting(holder, entry);
    this.tidy();
  }

  /** A node was fulfilled: its locks go (Argo releases a template's locks when its node completes). */
  ended(node: NodeStatus): void {
    if (this.holders.size > 0) this.release(this.holderOf(node.id));
  }

  /** The run ended: every lock goes, its own and its nodes' (Argo's ReleaseAll). */
  releaseAll(): void {
    for (const holder of [...this.holders.keys()]) this.release(holder);
    delete this.exec.status.synchronization;
  }

  private stopWaiting(holder: string, entry: Holder): void {
    if (entry.waitingFor !== undefined) this.dropWaiting(entry.waitingFor, holder);
    entry.waitingFor = undefined;
    if (entry.node?.synchronizationStatus) {
      delete entry.node.synchronizationStatus;
      if (entry.node.message?.startsWith('Waiting for ')) delete entry.node.message;
      this.exec.touch(entry.node);
    } else if (!entry.node && this.exec.status.message?.startsWith('Waiting for ')) {
      delete this.exec.status.message;
    }
    this.tidy();
  }

  /** Removes the run's waiting entry for `lock` once none of its holders waits for it. */
  private dropWaiting(lock: string, except: string): void {
    for (const [key, other] of this.holders) if (key !== except && !other.held && other.waitingFor === lock) return;
    const sync = this.exec.status.synchronization;
    if (sync?.semaphore?.waiting) sync.semaphore.waiting = sync.semaphore.waiting.filter((w) => w.semaphore !== lock);
    if (sync?.mutex?.waiting) sync.mutex.waiting = sync.mutex.waiting.filter((w) => w.mutex !== lock);
  }

  private syncStatus(): SynchronizationStatus {
    return (this.exec.status.synchronization ??= {});
  }

  /** Leaves out empty lists, as Argo's omitempty does. */
  private tidy(): void {
    const sync = this.exec.status.synchronization;
    if (!sync) return;
    for (const kind of ['semaphore', 'mutex'] as const) {
      const part = sync[kind] as { holding?: unknown[]; waiting?: unknown[] } | undefined;
      if (!part) continue;
      if (part.holding?.length === 0) delete part.holding;
      if (part.waiting?.length === 0) delete part.waiting;
      if (!part.holding && !part.waiting) delete sync[kind];
    }
    if (!sync.semaphore && !sync.mutex) delete this.exec.status.synchronization;
  }
}
