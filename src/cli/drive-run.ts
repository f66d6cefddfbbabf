import { RunDriver, type NodeChange } from '../runs/run-driver.js';
import type { StoredRun } from '../ports/run-store.js';
import { transientErrorPattern } from '../engine/transient-errors.js';
import { LocalMemoizationCache } from '../state/local-memoization-cache.js';
import { createRuntime } from './local-runtime-factory.js';
import type { LocalTarget } from './local-target.js';
import { acquireLease, leaseOwner } from './run-lease.js';
import { LocalRunControl } from '../state/local-run-control.js';
import { SharedLocks } from '../runs/shared-locks.js';
import { LocalLockTable } from '../state/local-lock-table.js';
import { describeRun, runArgs } from './describe-run.js';
import type { RunKey } from '../ports/run-key.js';

/** How often a run waiting for a lock looks whether another process freed it. */
const LOCK_POLL_MS = 250;

export interface DriveOptions {
  target: LocalTarget;
  env: NodeJS.ProcessEnv;
  runId: RunKey;
  /** Node changes as they are saved (progress output). */
  onChange?: (change: NodeChange) => void;
}

/**
 * Drives a saved run in this process until it finishes: takes the run's lease, starts (or
 * continues, after a crash) the run with the engine and the local runtime, obeys requests from
 * other `skiff` processes (stop, terminate, resume), and returns the finished run. Every run is
 * started this way, whether freshly submitted, retried, resubmitted or left behind by a killed
 * process: the engine continues from whatever the store holds.
 */
export async function driveRun(options: DriveOptions): Promise<StoredRun> {
  const { target, runId } = options;
  const lease = await acquireLease(target.layout, runId);
  if (!lease) throw new Error(`${describeRun(runId)} is being run by another skiff process (pid ${(await leaseOwner(target.layout, runId)) ?? '?'})`);
  let runtime: Awaited<ReturnType<typeof createRuntime>> | undefined;
  let requests: { close(): void } | undefined;
  let locks: SharedLocks | undefined;
  // Ctrl-C or a SIGTERM must not leave steps running in sandboxes nobody drives: end them, give
  // the run back, and say how to continue it. Steps that were cut short run again on resume; none
  // that finished does (the store has them).
  const interrupted = (signal: NodeJS.Signals): void => {
    void (async () => {
      requests?.close();
      await runtime?.close().catch(() => undefined);
      await target.runs.closeAll().catch(() => undefined);
      await lease.release().catch(() => undefined);
      process.stderr.write(`skiff: ${describeRun(runId)} interrupted by ${signal}; "skiff resume ${runArgs(runId)}" continues it\n`);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    })();
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    runtime = await createRuntime(target, options.env);
    // Runs of this state directory share their mutexes and semaphores, whichever process drives them.
    locks = new SharedLocks(new LocalLockTable(target.layout.locks), { pollMs: LOCK_POLL_MS });
    // As Argo's controller, TRANSIENT_ERROR_PATTERN widens what `retryPolicy: OnTransientError` retries.
    const pattern = options.env.TRANSIENT_ERROR_PATTERN;
    if (pattern) transientErrorPattern(pattern); // a bad pattern is refused here, with its reason, not mid-run
    const driver = new RunDriver({
      store: target.runs,
      runtime,
      locks,
      caches: new LocalMemoizationCache(target.objects),
      warn: (id, message) => process.stderr.write(`skiff: ${describeRun(id)}: ${message}\n`),
      ...(pattern ? { engine: { transientErrorPattern: pattern } } : {}),
    });
    if (options.onChange) driver.subscribe((change) => change.runId === runId && options.onChange!(change));
    await driver.resume(runId);
    requests = new LocalRunControl(target.layout).watch(runId, (signal) => driver.signal(runId, signal));
    await driver.wait(runId);
    const finished = await target.runs.load(runId);
    if (!finished) throw new Error(`${describeRun(runId)} disappeared while it ran`);
    return finished;
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    requests?.close();
    await locks?.close();
    await runtime?.close();
    await target.runs.closeAll();
    await lease.release();
  }
}
