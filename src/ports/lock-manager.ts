import type { EngineEvent, LockRequest } from '../engine/engine-events.js';
import type { RunKey } from './run-key.js';

/** What a lock manager reports about a request. */
export type LockEvent = Extract<EngineEvent, { type: 'lock-acquired' | 'lock-waiting' }>;

/**
 * Carries out the engine's `acquire-lock` and `release-lock` actions: the mutexes and semaphores
 * that runs share (every run a driver drives; locally, every run of the state directory). The
 * engine never takes a lock itself; it hears back through `report`.
 *
 * @example
 * locks.acquire(request, (event) => driver.send(request.runKey, event));
 * locks.release('default/my-run/my-run-1234');
 */
export interface LockManager {
  /** Queues `request`; reports `lock-waiting` while it waits and `lock-acquired` once it holds every lock. */
  acquire(request: LockRequest, report: (event: LockEvent) => void): void;
  /** Gives up what `holder` holds or waits for. */
  release(holder: string): void;
  /** Gives up everything of run `key` (it ended, however it ended). */
  releaseRun(key: RunKey): void;
  /** Finishes what was asked (releases included) and stops watching for freed locks. */
  close(): Promise<void>;
}
