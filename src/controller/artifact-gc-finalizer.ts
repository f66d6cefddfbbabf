import { collectKubeRunGarbage } from '../kube/kube-run-garbage.js';
import { deleteRunNodeConfigMaps } from '../kube/delete-run-node-config-maps.js';
import type { KubeClient } from '../kube/kube-client.js';
import type { KubeClusterObjects } from '../kube/kube-cluster-objects.js';
import { KubeConflictError, KubeNotFoundError } from '../kube/kube-errors.js';
import { ARTIFACT_GC_FINALIZER } from '../kube/kube-names.js';
import type { KubeRunStore } from '../kube/kube-run-store.js';
import { hasArtifactGCFinalizer, workflowRef } from '../kube/run-workflow-object.js';
import type { WorkflowStatus } from '../engine/workflow-status.js';
import { describeRun, type RunKey, splitRunKey } from '../ports/run-key.js';
import type { StoredRun } from '../ports/run-store.js';
import type { Workflow } from '../spec/model/workflow.js';
import { DamagedRunError } from '../state/damaged-run-error.js';

/** How often a finalizer change that met a 409 Conflict is tried again on a fresh read. */
const CONFLICT_RETRIES = 5;

/**
 * Whether a run's artifacts may be due for deletion when its Workflow is deleted (an
 * `OnWorkflowDeletion` strategy on the workflow or on an output artifact of a template it has
 * or refers to): such a Workflow carries Argo's artifact-GC finalizer, so that it stays until
 * the controller has deleted them.
 */
export function deletesArtifactsWithWorkflow(run: Pick<StoredRun, 'workflow' | 'referenced'>): boolean {
  if (run.workflow.spec?.artifactGC?.strategy === 'OnWorkflowDeletion') return true;
  const specs = [run.workflow.spec, ...(run.referenced ?? []).map((r) => r.spec)];
  // Read before the engine has checked the spec: a malformed one is the engine's to report.
  const list = <T>(value: T[] | undefined): T[] => (Array.isArray(value) ? value : []);
  return specs.some((spec) => list(spec?.templates).some((t) => list(t?.outputs?.artifacts).some((a) => a?.artifactGC?.strategy === 'OnWorkflowDeletion')));
}

/** Adds (or, `present: false`, removes) the artifact-GC finalizer, keeping everyone else's. */
export async function setArtifactGCFinalizer(client: KubeClient, key: RunKey, present: boolean): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    let live: Workflow;
    try {
      live = await client.get<Workflow>(workflowRef(key));
    } catch (error) {
      if (error instanceof KubeNotFoundError) return;
      throw error;
    }
    const finalizers = ((live.metadata.finalizers as string[] | undefined) ?? []).filter((f) => f !== ARTIFACT_GC_FINALIZER);
    if (hasArtifactGCFinalizer(live) === present) return;
    // The resourceVersion makes the patch conditional: a list of finalizers is replaced whole.
    const patch = { metadata: { resourceVersion: live.metadata.resourceVersion, finalizers: present ? [...finalizers, ARTIFACT_GC_FINALIZER] : finalizers } };
    try {
      await client.patch(workflowRef(key), patch, 'merge');
      return;
    } catch (error) {
      if (!(error instanceof KubeConflictError) || attempt >= CONFLICT_RETRIES) throw error;
    }
  }
}

export interface DeletionGCContext {
  client: KubeClient;
  store: KubeRunStore;
  /** The cluster's Secrets and ConfigMaps: the run's namespace's credentials and repositories. */
  objects: KubeClusterObjects;
  log: (line: string) => void;
}

/**
 * A Workflow with the artifact-GC finalizer is being deleted: its deletion-time artifact GC runs
 * (OnWorkflowDeletion, and OnWorkflowCompletion if its end did not get to it), then the finalizer
 * goes, the API server deletes the Workflow, and its node ConfigMaps go with it. If an artifact
 * cannot be deleted, the pass is recorded in the run (an `ArtifactGCError` condition, the
 * strategies processed, as Argo does) and the finalizer stays, unless
 * `spec.artifactGC.forceFinalizerRemoval`; setting that later (or removing the finalizer by
 * hand) lets the Workflow go.
 */
export async function collectDeletedRunGarbage(context: DeletionGCContext, key: RunKey, live: Workflow): Promise<void> {
  const { client, store, log } = context;
  const uid = live.metadata.uid;
  let run: StoredRun | undefined;
  try {
    run = await store.load(key);
  } catch (error) {
    // Its node ConfigMaps went first (a foreground deletion): nothing says where its artifacts are.
    if (!(error instanceof DamagedRunError)) throw error;
    log(`${describeRun(key)} is being deleted: its artifacts cannot be garbage collected (${error.message})`);
    if (!live.spec?.artifactGC?.forceFinalizerRemoval) return;
  } finally {
    await store.release(key);
  }
  // Gone already, or unreadable and let go by forceFinalizerRemoval.
  if (!run) {
    await setArtifactGCFinalizer(client, key, false);
    if (uid) await deleteRunNodeConfigMaps(client, splitRunKey(key).namespace, uid);
    return;
  }
  if (!hasArtifactGCFinalizer(run.workflow)) return;
  const pass = await collectKubeRunGarbage(context.objects, run, true);
  const force = Boolean(run.workflow.spec?.artifactGC?.forceFinalizerRemoval);
  // Nothing due: an earlier pass ran; one that failed holds the Workflow until told otherwise.
  const removable = pass.changes ? pass.finalizerRemovable : force || !failedBefore(run.status);
  for (const failure of pass.failures) log(`${describeRun(key)}: ${failure}`);
  if (!removable) {
    if (pass.changes) {
      for (const node of pass.changes.nodes) run.status.nodes[node.id] = node;
      Object.assign(run.status, pass.changes.run);
      try {
        await store.save(run);
      } finally {
        await store.release(key);
      }
    }
    log(
      `${describeRun(key)} is being deleted: kept, its artifacts could not all be garbage collected (set spec.artifactGC.forceFinalizerRemoval: true to let it go)`,
    );
    return;
  }
  await setArtifactGCFinalizer(client, key, false);
  if (uid) await deleteRunNodeConfigMaps(client, splitRunKey(key).namespace, uid);
  log(`${describeRun(key)} deleted, after its artifact garbage collection`);
}

function failedBefore(status: WorkflowStatus): boolean {
  return (status.conditions ?? []).some((c) => c.type === 'ArtifactGCError' && c.status === 'True');
}
