import type { LockTable, LockTableState } from '../ports/lock-table.js';

/** Locks shared by the runs of one process only (tests, and a driver with nobody to share with). */
export class MemoryLockTable implements LockTable {
  private readonly state: LockTableState = { seq: 0, locks: {} };

  update<T>(change: (state: LockTableState) => T): Promise<T> {
    return Promise.resolve(change(this.state));
  }
}
