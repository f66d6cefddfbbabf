import type { RunSignal } from '../ports/run-control.js';
import type { RunKey } from '../ports/run-key.js';
import type { StoredRun } from '../ports/run-store.js';
import type { DamagedRunError } from '../state/damaged-run-error.js';
import type { CliIO } from './cli-io.js';

/**
 * Where the run commands find and change runs: the local state directory (LocalTarget, the
 * default) or a cluster (ClusterTarget, with --kubeconfig or --context). Each command is written
 * once against this; what differs — how a run is read, signalled, deleted — is here.
 */
export interface RunTarget {
  readonly kind: 'local' | 'cluster';
  /** The namespace of runs when none is named: the state directory's default, or the kubeconfig context's. */
  readonly namespace: string;
  /** Where the runs are, for "not found in ..." (the state directory); none for a cluster. */
  readonly location?: string;
  /**
   * Every run's key, finished or not: of one namespace, or of all when undefined. `chunkSize`
   * pages a cluster's list (`--chunk-size`); the state directory is read whole.
   */
  listRuns(namespace?: string, options?: { chunkSize?: number }): Promise<RunKey[]>;
  /** A run as saved, without taking it over; throws DamagedRunError for a damaged one. */
  readRun(key: RunKey): Promise<StoredRun | undefined>;
  /** Where a damaged run is damaged, as `skiff list` shows it. */
  damageOf(error: DamagedRunError): string;
  /** Why an unfinished run is not moving, when nothing drives it (`skiff list`'s message); undefined otherwise. */
  undrivenNote(key: RunKey): Promise<string | undefined>;
  /** Stops, terminates or resumes a run; resolves once the request is taken (see RunControl). */
  control(io: CliIO, key: RunKey, signal: RunSignal): Promise<void>;
  /** Deletes a run, saying what it did (or on standard error why not); false if it was not deleted. */
  deleteRun(io: CliIO, key: RunKey): Promise<boolean>;
}

/** `--kubeconfig` and `--context`: the options by which a run command works against a cluster. */
export const CLUSTER_TARGET_OPTIONS = { kubeconfig: { type: 'string' }, context: { type: 'string' } } as const;

export const CLUSTER_TARGET_HELP = `      --kubeconfig FILE     work with the runs of this cluster instead of the state directory
      --context NAME        work with the runs of this context of the kubeconfig ($KUBECONFIG,
                            ~/.kube/config) instead of the state directory; in a cluster, -n
                            defaults to the context's namespace, as kubectl's does`;
