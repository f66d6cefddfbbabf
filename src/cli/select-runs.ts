import type { StoredRun } from '../ports/run-store.js';
import { isWorkflowDone } from '../engine/workflow-status.js';
import { DamagedRunError } from '../state/damaged-run-error.js';
import { DEFAULT_NAMESPACE } from '../state/local-object-store.js';
import type { RunTarget } from './run-target.js';
import { runKey, splitRunKey, type RunKey } from '../ports/run-key.js';

export interface RunListing {
  /** Newest first (by start; runs not started yet first of all). */
  runs: StoredRun[];
  /** Runs whose files are damaged: key and what is wrong (file and record). */
  damaged: Array<{ key: RunKey; reason: string }>;
}

/** What `argo list` (and delete, stop, wait with `-l`) select runs by; every field optional. */
export interface RunFilter {
  /** One namespace; undefined for all (`-A`). */
  namespace?: string | undefined;
  /** Phases, any of (`--status Failed,Error`). */
  phases?: string[] | undefined;
  running?: boolean | undefined;
  completed?: boolean | undefined;
  prefix?: string | undefined;
  /** Started at most this long ago (ms). */
  since?: number | undefined;
  /** Finished at least this long ago (ms); only finished runs match. */
  older?: number | undefined;
  labels?: ((labels: Record<string, string> | undefined) => boolean) | undefined;
}

/** Every run of the target, damaged ones apart, so none keeps the others from showing. */
export async function readAllRuns(target: RunTarget, namespace?: string, options: { chunkSize?: number } = {}): Promise<RunListing> {
  const listing: RunListing = { runs: [], damaged: [] };
  for (const key of await target.listRuns(namespace, options)) {
    try {
      const run = await target.readRun(key);
      if (run) listing.runs.push(run);
    } catch (error) {
      const reason = error instanceof DamagedRunError ? target.damageOf(error) : (error as Error).message;
      listing.damaged.push({ key, reason });
    }
  }
  listing.runs.sort((a, b) => createdAt(b).localeCompare(createdAt(a)));
  return listing;
}

/** When the run was created (submitted), else started; runs of neither sort first. */
function createdAt(run: StoredRun): string {
  return run.workflow.metadata.creationTimestamp ?? run.status.startedAt ?? '\uffff';
}

export function namespaceOf(run: StoredRun): string {
  return run.workflow.metadata.namespace ?? DEFAULT_NAMESPACE;
}

/** Whether a run matches every field of the filter given. */
export function matchesRun(run: StoredRun, filter: RunFilter, now: number): boolean {
  const done = isWorkflowDone(run.status.phase);
  if (filter.namespace !== undefined && namespaceOf(run) !== filter.namespace) return false;
  if (filter.phases && !filter.phases.some((p) => p.toLowerCase() === run.status.phase.toLowerCase())) return false;
  if (filter.running && done) return false;
  if (filter.completed && !done) return false;
  if (filter.prefix !== undefined && !splitRunKey(run.key).name.startsWith(filter.prefix)) return false;
  if (filter.since !== undefined && (run.status.startedAt === undefined || Date.parse(run.status.startedAt) < now - filter.since)) return false;
  if (filter.older !== undefined && (!done || run.status.finishedAt === undefined || Date.parse(run.status.finishedAt) > now - filter.older)) return false;
  if (filter.labels && !filter.labels(run.workflow.metadata.labels)) return false;
  return true;
}

/**
 * The run a person named: in `namespace` (`-n`) when given; else in the one namespace that has a
 * run of that name (two namespaces may each have one: then they must say which). A name no
 * namespace has is looked for in the target's namespace, where the caller finds it missing.
 * `@latest` is the newest run (of `namespace`, if given), as in argo get and argo logs.
 */
export async function resolveRunName(target: RunTarget, name: string, given?: string): Promise<RunKey> {
  // In a cluster, as with kubectl, no -n means the context's namespace (not a search of every namespace).
  const namespace = given ?? (target.kind === 'cluster' ? target.namespace : undefined);
  if (name === '@latest') {
    const { runs } = await readAllRuns(target, namespace);
    const latest = runs.find((run) => namespace === undefined || namespaceOf(run) === namespace);
    if (!latest) throw new Error(namespace === undefined ? '@latest: there are no runs' : `@latest: there are no runs in namespace "${namespace}"`);
    return latest.key;
  }
  if (namespace !== undefined) return runKey(namespace, name);
  const namespaces = (await target.listRuns())
    .map(splitRunKey)
    .filter((k) => k.name === name)
    .map((k) => k.namespace);
  if (namespaces.length === 1) return runKey(namespaces[0]!, name);
  if (namespaces.length > 1) throw new Error(`run "${name}" exists in namespaces ${namespaces.map((n) => `"${n}"`).join(', ')}: name one with -n NAMESPACE`);
  return runKey(target.namespace, name);
}

/** The flags by which stop, terminate, wait and delete pick runs besides by name. */
export const SELECT_OPTIONS = { selector: { type: 'string', short: 'l' } } as const;

/**
 * The runs a command acts on: those named (`@latest` too; in `namespace`, else as resolveRunName finds them), then those the filter selects (`-l`,
 * delete's --all, --completed, ...), each once. No filter and no name is a usage error; a filter
 * that selects nothing is an empty list.
 */
export async function namedOrSelected(
  target: RunTarget,
  names: string[],
  filter: RunFilter | undefined,
  now = Date.now(),
  namespace?: string,
): Promise<RunKey[]> {
  const chosen: RunKey[] = [];
  for (const name of names) chosen.push(await resolveRunName(target, name, namespace));
  if (filter) for (const run of (await readAllRuns(target, filter.namespace)).runs) if (matchesRun(run, filter, now)) chosen.push(run.key);
  return [...new Set(chosen)];
}
