import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where everything of local runs lives, under one state directory: `--state-dir`, else
 * `$SKIFF_STATE_DIR`, else `$XDG_STATE_HOME/skiff`, else `~/.local/state/skiff`. One place names
 * every path, so the run store, the local runtime and the CLI agree without knowing each other.
 */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SKIFF_STATE_DIR) return env.SKIFF_STATE_DIR;
  const base = env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(base, 'skiff');
}

export class StateLayout {
  constructor(readonly root: string) {}

  /** Runs: a folder per run, as LocalRunStore keeps it. */
  get runs(): string {
    return join(this.root, 'runs');
  }

  /** Objects stored by `skiff apply`: ConfigMaps, Secrets, WorkflowTemplates, ... */
  get objects(): string {
    return join(this.root, 'objects');
  }

  /** The mutexes and semaphores every local run of this state directory shares. */
  get locks(): string {
    return join(this.root, 'locks');
  }

  /** The embedded default artifact repository (a directory repository). */
  get artifacts(): string {
    return join(this.root, 'artifacts');
  }

  /** A pod's own directory: its volumes and its containers' logs. */
  podDir(runId: string, podName: string): string {
    return join(this.root, 'pods', runId, podName);
  }

  /** A container's log, as `skiff logs` reads it. */
  containerLog(runId: string, podName: string, container: string): string {
    return join(this.podDir(runId, podName), 'logs', `${container}.log`);
  }

  /** Directories of a run's volumeClaimTemplates, shared by its pods, removed when it ends. */
  claimsDir(runId: string): string {
    return join(this.root, 'claims', runId);
  }
}
