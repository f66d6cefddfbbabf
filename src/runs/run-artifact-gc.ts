import { type ArtifactDriver, collectArtifactGarbage, planArtifactGC, type Repository, type StorageLocation } from '../artifacts/index.js';
import type { RunStatusChanges } from '../ports/runtime.js';
import type { ArtifactGCStatus, NodeStatus, WorkflowStatus } from '../engine/workflow-status.js';
import type { Workflow } from '../spec/model/workflow.js';

export interface RunGarbageOptions {
  /** On `skiff delete`: OnWorkflowDeletion, and OnWorkflowCompletion if it has not run yet. */
  deleting: boolean;
  driver: ArtifactDriver;
  /** The run's repository, for artifacts recorded by key only. */
  repository: Repository | undefined;
}

/** What one GC pass changed, for the caller to record in the run's status. */
export interface RunGarbage {
  /** Copies of the nodes whose artifacts were deleted, with those artifacts marked `deleted: true`. */
  nodes: NodeStatus[];
  artifactGCStatus: ArtifactGCStatus;
  /** One line per artifact that could not be deleted (Argo: an `ArtifactGCError` condition). */
  failures: string[];
  /** Everything due was deleted, or `forceFinalizerRemoval` lets the run go despite failures. */
  finalizerRemovable: boolean;
}

/**
 * Runs the artifact GC a run is due (Argo's controller `garbageCollectArtifacts`): plans it from
 * the status, deletes through the driver, and returns the status changes Argo would make — the
 * deleted artifacts marked `deleted: true` on their nodes, the strategies marked processed. A
 * strategy with failures is still marked processed, as Argo does; the failures are reported.
 * Undefined when nothing is due. Does not change `status`.
 *
 * @example
 *   const garbage = await collectRunGarbage(workflow, status, { deleting: false, driver, repository });
 */
export async function collectRunGarbage(workflow: Workflow, status: WorkflowStatus, options: RunGarbageOptions): Promise<RunGarbage | undefined> {
  const plan = planRunGarbage(workflow, status, options.deleting);
  if (plan.strategies.length === 0) return undefined;
  const root = options.repository ? repositoryRoot(options.repository) : undefined;
  const outcome = await collectArtifactGarbage(plan, { driver: options.driver, archiveLocationFor: () => root, spec: workflow.spec });
  const changed = new Map<string, NodeStatus>();
  for (const item of outcome.deleted) {
    const node = status.nodes[item.nodeId];
    if (!node) continue;
    let copy = changed.get(node.id);
    if (!copy) changed.set(node.id, (copy = JSON.parse(JSON.stringify(node)) as NodeStatus));
    for (const artifact of copy.outputs?.artifacts ?? []) if (artifact.name === item.artifact.name) artifact.deleted = true;
  }
  const strategiesProcessed = { ...status.artifactGCStatus?.strategiesProcessed };
  for (const strategy of plan.strategies) strategiesProcessed[strategy] = true;
  return {
    nodes: [...changed.values()],
    artifactGCStatus: { ...status.artifactGCStatus, strategiesProcessed },
    failures: outcome.failed.map((f) => f.message),
    finalizerRemovable: outcome.finalizerRemovable,
  };
}

/**
 * Whether a finished run still owes its OnWorkflowCompletion GC artifacts to delete: the `skiff`
 * that finished it ended before recording the GC. Such a run is driven once more, which does only
 * the GC.
 */
export function completionGarbagePending(workflow: Workflow, status: WorkflowStatus): boolean {
  return planRunGarbage(workflow, status, false).items.length > 0;
}

function planRunGarbage(workflow: Workflow, status: WorkflowStatus, deleting: boolean): ReturnType<typeof planArtifactGC> {
  const processed = new Set(
    Object.entries(status.artifactGCStatus?.strategiesProcessed ?? {})
      .filter(([, done]) => done)
      .map(([s]) => s as 'OnWorkflowCompletion'),
  );
  return planArtifactGC(Object.values(status.nodes), workflow.spec, { completed: true, deleting, processed });
}

/** One GC pass of a run, as its caller records it. */
export interface RunGarbagePass {
  /** Status changes to record (artifacts now `deleted`, strategies processed, an `ArtifactGCError` condition); undefined when nothing was due. */
  changes: RunStatusChanges | undefined;
  /** One line per artifact (or the whole pass) that failed. */
  failures: string[];
  /** Nothing due is left undeleted, or `spec.artifactGC.forceFinalizerRemoval` lets the run go anyway. */
  finalizerRemovable: boolean;
}

/**
 * The GC pass every runtime makes of a finished (or, with `deleting`, a deleted) run, through
 * `driver`: the repository is looked up only when there is something to delete, and a pass that fails as a
 * whole (the repository or its credentials unreadable) becomes an `ArtifactGCError` condition
 * like a failed artifact, never a rejection. The caller makes and closes the driver.
 *
 * @example
 *   const pass = await runGarbagePass(workflow, status, { deleting: false, driver, repository: async () => recorded });
 *   if (pass.changes) record(pass.changes);
 */
export async function runGarbagePass(
  workflow: Workflow,
  status: WorkflowStatus,
  options: { deleting: boolean; driver: ArtifactDriver; repository: () => Promise<Repository | undefined> },
): Promise<RunGarbagePass> {
  try {
    const plan = planRunGarbage(workflow, status, options.deleting);
    if (plan.strategies.length === 0) return { changes: undefined, failures: [], finalizerRemovable: true };
    // A strategy with nothing to delete is only marked processed: no repository needed.
    const repository = plan.items.length > 0 ? await options.repository() : undefined;
    const garbage = await collectRunGarbage(workflow, status, { deleting: options.deleting, driver: options.driver, repository });
    if (!garbage) return { changes: undefined, failures: [], finalizerRemovable: true };
    return { changes: garbageChanges(status, garbage), failures: garbage.failures, finalizerRemovable: garbage.finalizerRemovable };
  } catch (error) {
    const message = `artifact GC failed: ${(error as Error).message}`;
    const others = (status.conditions ?? []).filter((c) => c.type !== 'ArtifactGCError');
    return {
      changes: { nodes: [], run: { conditions: [...others, { type: 'ArtifactGCError', status: 'True', message }] } },
      failures: [message],
      finalizerRemovable: Boolean(workflow.spec.artifactGC?.forceFinalizerRemoval),
    };
  }
}

/** A GC pass as status changes (nodes, GC status, an `ArtifactGCError` condition on failures), for `RunStatusChanges` or to apply in place. */
export function garbageChanges(status: WorkflowStatus, garbage: RunGarbage): RunStatusChanges {
  const run: RunStatusChanges['run'] = { artifactGCStatus: garbage.artifactGCStatus };
  if (garbage.failures.length > 0) {
    const others = (status.conditions ?? []).filter((c) => c.type !== 'ArtifactGCError');
    run.conditions = [...others, { type: 'ArtifactGCError', status: 'True', message: garbage.failures.join('; ') }];
  }
  return { nodes: garbage.nodes, run };
}

/** The repository as a location without a key: where key-only artifacts live. */
function repositoryRoot(repository: Repository): StorageLocation | undefined {
  const strip = <T extends { keyFormat?: string; keyPrefix?: string }>(storage: T): Omit<T, 'keyFormat' | 'keyPrefix'> => {
    const { keyFormat: _format, keyPrefix: _prefix, ...rest } = storage;
    return rest;
  };
  if (repository.s3) return { s3: strip(repository.s3) } as StorageLocation;
  if (repository.local) return { local: strip(repository.local) } as StorageLocation;
  return undefined;
}
