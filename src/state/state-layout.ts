import { homedir } from 'node:os';
import { join } from 'node:path';
import { splitRunKey, type RunKey } from '../ports/run-key.js';

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

  /** Runs: a folder per namespace, in it a folder per run, as LocalRunStore keeps it. */
  get runs(): string {
    return join(this.root, 'runs');
  }

  /** A run's own folder, `runs/<namespace>/<name>`: its snapshot, journal, lease and requests. */
  runDir(key: RunKey): string {
    return join(this.runs, ...runPath(key));
  }

  /** Objects stored by `skiff apply`: ConfigMaps, Secrets, WorkflowTemplates, ... */
  get objects(): string {
    return join(this.root, 'objects');
  }

  /** The mutexes and semaphores every local run of this state directory shares. */
  get locks(): string {
    return join(this.root, 'locks');
  }

  /** One lease file per repository that a `skiff sync` is applying to this state directory. */
  get syncLocks(): string {
    return join(this.root, 'sync-locks');
  }

  /** The embedded default artifact repository (a directory repository). */
  get artifacts(): string {
    return join(this.root, 'artifacts');
  }

  /** The directories of a run's pods, `pods/<namespace>/<name>`. */
  runPodsDir(key: RunKey): string {
    return join(this.root, 'pods', ...runPath(key));
  }

  /** A pod's own directory: its volumes and its containers' logs. */
  podDir(key: RunKey, podName: string): string {
    if (!SEGMENT.test(podName)) throw new Error(`invalid pod name "${podName}"`);
    return join(this.runPodsDir(key), podName);
  }

  /** A container's log, as `skiff logs` reads it. */
  containerLog(key: RunKey, podName: string, container: string): string {
    return join(this.podDir(key, podName), 'logs', `${container}.log`);
  }

  /** Directories of a run's volumeClaimTemplates, shared by its pods, removed when it ends. */
  claimsDir(key: RunKey): string {
    return join(this.root, 'claims', ...runPath(key));
  }
}

/** A namespace, run or pod name as a path segment: DNS-like, never `.`, `..` nor a `/`. */
const SEGMENT = /^[a-z0-9][-a-z0-9.]*$/;

/** Whether `name` can be a namespace's or a run's folder. */
export function isPathSegment(name: string): boolean {
  return SEGMENT.test(name);
}

/** The namespace and name of a key as two path segments; throws for a key that would leave its folder. */
export function runPath(key: RunKey): [string, string] {
  const { namespace, name } = splitRunKey(key);
  if (!SEGMENT.test(namespace) || !SEGMENT.test(name)) throw new Error(`invalid run "${key}"`);
  return [namespace, name];
}
