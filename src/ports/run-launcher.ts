import type { NodeStatus } from '../engine/workflow-status.js';
import type { Workflow } from '../spec/model/workflow.js';
import type { RunKey } from './run-key.js';
import type { StoredRun } from './run-store.js';

/**
 * How the GitHub App starts and watches runs, whichever runtime runs them: the local state
 * directory and sandbox on one machine, a cluster otherwise. Runs go on without the App: it
 * starts them and reads them back, so a restart of the App loses none.
 *
 * @example
 *   const key = await launcher.submit(workflow, { 'skiff.dev/check-run': '42' });
 *   const run = await launcher.read(key); // later: run.status.phase
 */
export interface RunLauncher {
  /** Saves a new run of `workflow` with `labels` added and starts it. Rejects with the reason it cannot run. */
  submit(workflow: Workflow, labels: Record<string, string>): Promise<RunKey>;
  /**
   * Runs a finished run's failed steps again (or the named ones), in place, and starts it;
   * `labels` are added to the run in the same write as the retry (what retried it).
   */
  retry(key: RunKey, options: RetryLaunch): Promise<void>;
  /** Ends a run that is still going at once (Argo's terminate: no exit handlers), with `message` on it. Rejects when it has finished. */
  terminate(key: RunKey, message: string): Promise<void>;
  read(key: RunKey): Promise<StoredRun | undefined>;
  /** The runs carrying every one of `labels`. */
  find(labels: Record<string, string>): Promise<StoredRun[]>;
  /** The last `lines` lines of a step's main log; undefined when it has none. */
  logTail(run: StoredRun, node: NodeStatus, lines: number): Promise<string | undefined>;
  /** The values of the secrets the run's workflow refers to: what reports must never show. */
  secretValues(run: StoredRun): Promise<string[]>;
  /**
   * A feed of one run's changes, where the runtime can tell of them (a cluster's watch of its
   * Workflows): a follower then reads the run again when it changed, not on a timer. Absent:
   * followers read on a timer.
   */
  changes?(key: RunKey): RunChanges;
}

/** What a retry through the launcher asks for. */
export interface RetryLaunch {
  nodes?: string[];
  restartSuccessful?: boolean;
  labels?: Record<string, string>;
}

/** One run's changes, as a follower waits for them. */
export interface RunChanges {
  /** Resolves when the run changed since the last call (at once if it did), on `close()`, or after `timeoutMs`. */
  next(timeoutMs: number): Promise<void>;
  close(): void;
}
