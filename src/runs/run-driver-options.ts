import type { EngineOptions } from '../engine/execution.js';
import type { ConfigMapSource } from '../ports/config-map-source.js';
import type { LockManager } from '../ports/lock-manager.js';
import type { MemoizationCacheStore } from '../ports/memoization-cache-store.js';
import type { RunStore } from '../ports/run-store.js';
import type { Runtime } from '../ports/runtime.js';

/** What a RunDriver is built from: its store and runtime, and the optional ports and clocks. */
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
  configMaps?: ConfigMapSource;
  /**
   * Where memoized outputs are saved (`save-cache`). The caches a run reads are loaded from
   * `configMaps` when it is submitted, retried or resubmitted; a restart reuses what was read.
   */
  caches?: MemoizationCacheStore;
  /** Told of what went wrong without failing the run (a cache entry that could not be saved, a store that fails). */
  warn?: (runId: string, message: string) => void;
  /**
   * The mutexes and semaphores of `synchronization`, shared by the runs this driver drives (and,
   * with a shared table, by other processes). Default: shared by this driver's runs only.
   */
  locks?: LockManager;
  /** Timers: tests and benchmarks may replace setTimeout. */
  setTimer?: (callback: () => void, ms: number) => { cancel(): void };
  /** How long a held run waits before its state is written again: first wait and the cap, in ms (default 100 and 30,000). */
  storeRetry?: { firstMs?: number; maxMs?: number };
}
