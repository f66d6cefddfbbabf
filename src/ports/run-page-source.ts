import type { ArtifactDriver, Repository } from '../artifacts/index.js';
import type { RunKey } from './run-key.js';
import type { StoredRun } from './run-store.js';

/** One container's log of a step: the run, the step's node, its pod and the container's name. */
export interface LogRef {
  key: RunKey;
  nodeId: string;
  pod: string;
  container: string;
}

/** The end of a log as far as it is written: at most the asked bytes before `end`. */
export interface LogBytes {
  bytes: Buffer;
  /** Where `bytes` starts in the log. */
  start: number;
  /** How long the log was when read. */
  size: number;
  /** Why there is no log to show (its pod is gone), or where the log shown comes from (the archived copy of a pod that is gone). */
  note?: string;
}

/** Where a run's artifacts are read: the driver of its storage and the repository the run saved to. */
export interface ArtifactAccess {
  driver: ArtifactDriver;
  repository: Repository | undefined;
  close(): void;
}

/**
 * What the run page reads of runs, wherever they are: the state directory's files (a local run)
 * or a cluster's Workflows and pods' logs. The page's own code (rendering, links, streams) is
 * written once against this; each kind of place fills it in.
 */
export interface RunPageSource {
  /** Where the runs are, for people (`the state directory /var/skiff`, `the cluster at https://…`). */
  readonly description: string;
  /** The run as it is now; undefined when there is no such run. */
  readRun(key: RunKey): Promise<StoredRun | undefined>;
  /**
   * A short text that changes whenever the run does (file sizes and times, a resourceVersion), so
   * the page keeps one parse of a large run while it stays the same; undefined when unknown.
   */
  runVersion(key: RunKey): Promise<string | undefined>;
  /** Calls `onChange` when the run may have changed (a file or an object watch, not a fast poll), until closed. */
  watchRun(key: RunKey, onChange: () => void): { close(): void };
  /** The values of a Secret the run reads, to hide them; undefined when it cannot be read. */
  secret(namespace: string, name: string): Promise<Record<string, string> | undefined>;
  /** The last `maxBytes` of a container's log before byte `end` (default: its end); empty when not written yet. */
  readLog(ref: LogRef, maxBytes: number, end?: number): Promise<LogBytes>;
  /**
   * A container's log from byte `from`; with `follow`, what it writes next too, until `finished`
   * says the step has ended and all it wrote was given (or `signal` aborts). Without `follow`, what
   * is written now.
   */
  streamLog(ref: LogRef, options: { from: number; follow: boolean; signal: AbortSignal; finished: () => Promise<boolean> }): AsyncIterable<Buffer>;
  /** The driver and repository through which the run's artifacts are read (close it after). */
  artifactAccess(run: StoredRun): Promise<ArtifactAccess>;
}
