import type { WorkflowSpec } from '../spec/model/workflow.js';
import { errorMessage } from './artifact-error.js';
import type { ArtifactDriver } from './artifact-driver.js';
import { inputLocation } from './artifact-keys.js';
import { describeLocation, type StorageLocation } from './artifact-location.js';
import { forEachConcurrent } from '../shared/map-ordered.js';
import type { GCItem, GCPlan } from './plan-artifact-gc.js';

export interface GCOutcome {
  deleted: GCItem[];
  failed: Array<GCItem & { message: string }>;
  /**
   * Whether the workflow may now go (Argo's GC finalizer may be removed): everything due was
   * deleted, or `spec.artifactGC.forceFinalizerRemoval` says to let go despite failures.
   */
  finalizerRemovable: boolean;
}

export interface CollectGarbageOptions {
  driver: ArtifactDriver;
  /** The archive location of the node's template, for artifacts recorded by key only. */
  archiveLocationFor: (nodeId: string) => StorageLocation | undefined;
  spec: Pick<WorkflowSpec, 'artifactGC'>;
  concurrency?: number;
}

/**
 * Deletes what `planArtifactGC` chose, through the driver. Failures are collected, never thrown,
 * so one unreachable bucket does not stop the rest; the caller marks deleted artifacts
 * (`deleted: true`) and the plan's strategies as processed.
 *
 * @example
 *   const outcome = await collectArtifactGarbage(plan, { driver, archiveLocationFor: () => archive, spec: wf.spec });
 */
export async function collectArtifactGarbage(plan: GCPlan, options: CollectGarbageOptions): Promise<GCOutcome> {
  const outcome: GCOutcome = { deleted: [], failed: [], finalizerRemovable: true };
  await forEachConcurrent(plan.items, options.concurrency ?? 8, async (item) => {
    try {
      const location = inputLocation(item.artifact, options.archiveLocationFor(item.nodeId));
      if (!location) throw new Error('it has no location or key');
      await options.driver.delete(location);
      outcome.deleted.push(item);
    } catch (err) {
      const where = safeDescribe(item, options);
      outcome.failed.push({
        ...item,
        message: `artifact GC could not delete ${JSON.stringify(item.artifact.name)} of node ${item.nodeId}${where}: ${errorMessage(err)}`,
      });
    }
  });
  outcome.finalizerRemovable = outcome.failed.length === 0 || Boolean(options.spec.artifactGC?.forceFinalizerRemoval);
  return outcome;
}

function safeDescribe(item: GCItem, options: CollectGarbageOptions): string {
  try {
    const location = inputLocation(item.artifact, options.archiveLocationFor(item.nodeId));
    return location ? ` (${describeLocation(location)})` : '';
  } catch {
    return '';
  }
}
