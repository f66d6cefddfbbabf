import type { EngineEvent, LockRequest } from '../../src/engine/engine-events.js';

type LockEvent = Extract<EngineEvent, { type: 'lock-acquired' | 'lock-waiting' }>;

/**
 * A synchronous lock manager for simulations: holders and a first-come queue per lock, a
 * request granted all at once when the free places reach its turn in every queue (the rule of
 * SharedLocks, without a table or processes). Returns the events to deliver instead of calling back.
 */
export class FakeLocks {
  private readonly locks = new Map<string, { holders: string[]; waiting: string[] }>();
  private readonly requests = new Map<string, LockRequest>();
  /** Every grant, in order: [holder, lock names]. */
  readonly grants: Array<[string, string[]]> = [];

  acquire(request: LockRequest): LockEvent[] {
    this.requests.set(request.holder, request);
    for (const ref of request.locks) {
      const lock = this.lock(ref.name);
      if (lock.holders.includes(request.holder) || lock.waiting.includes(request.holder)) continue;
      (request.reacquire ? lock.holders : lock.waiting).push(request.holder);
    }
    return this.grant();
  }

  release(holder: string): LockEvent[] {
    this.requests.delete(holder);
    for (const lock of this.locks.values()) {
      lock.holders = lock.holders.filter((h) => h !== holder);
      lock.waiting = lock.waiting.filter((h) => h !== holder);
    }
    return this.grant();
  }

  holdersOf(name: string): string[] {
    return [...(this.locks.get(name)?.holders ?? [])];
  }

  private lock(name: string): { holders: string[]; waiting: string[] } {
    let lock = this.locks.get(name);
    if (!lock) this.locks.set(name, (lock = { holders: [], waiting: [] }));
    return lock;
  }

  private grant(): LockEvent[] {
    const events: LockEvent[] = [];
    for (const request of this.requests.values()) {
      if (request.locks.every((ref) => this.lock(ref.name).holders.includes(request.holder))) continue;
      const blocked = request.locks.find((ref) => {
        const lock = this.lock(ref.name);
        return !lock.holders.includes(request.holder) && lock.holders.length + lock.waiting.indexOf(request.holder) >= ref.limit;
      });
      if (blocked) {
        events.push({ type: 'lock-waiting', holder: request.holder, lock: blocked.name, holders: this.holdersOf(blocked.name) });
        continue;
      }
      for (const ref of request.locks) {
        const lock = this.lock(ref.name);
        lock.waiting = lock.waiting.filter((h) => h !== request.holder);
        if (!lock.holders.includes(request.holder)) lock.holders.push(request.holder);
      }
      this.grants.push([request.holder, request.locks.map((l) => l.name)]);
      events.push({ type: 'lock-acquired', holder: request.holder });
    }
    return events;
  }
}
