import type { RunKey } from './run-key.js';

/** One holder of a lock, or one waiting for it. */
export interface LockEntry {
  holder: string;
  /** The run of the holder (`namespace/name`). */
  runKey: RunKey;
  /** The process that drives the holder's run: when it is gone, so is the entry. */
  owner: number;
  priority: number;
  createdAt: string;
  /** Order of arrival, across every process sharing the table. */
  seq: number;
}

/** Every lock in use: its holders and its queue. */
export interface LockTableState {
  seq: number;
  locks: Record<string, { holders: LockEntry[]; waiting: LockEntry[] }>;
}

/**
 * Where the state of shared locks lives: in memory for one process, in the state directory for
 * every `skiff` process using it. `update` runs `change` with no other update in between, in this
 * process or any other, and keeps what it leaves.
 *
 * @example
 * const granted = await table.update((state) => { state.seq++; return true; });
 */
export interface LockTable {
  update<T>(change: (state: LockTableState) => T): Promise<T>;
}
