import type { ArtifactGCStrategy, WorkflowSpec } from '../spec/model/workflow.js';
import type { SkiffArtifact } from './artifact-location.js';

/** A strategy that deletes something; `Never` (and no strategy at all) keep everything. */
export type DeletingStrategy = 'OnWorkflowCompletion' | 'OnWorkflowDeletion';

/** The node fields GC reads (a subset of Argo's node status). */
export interface GCNode {
  id: string;
  /** Argo's node type: only `Pod` nodes produce artifacts. */
  type: string;
  outputs?: { artifacts?: SkiffArtifact[] };
}

export interface GCState {
  /** The workflow has finished (Argo: the `workflows.argoproj.io/completed` label). */
  completed: boolean;
  /** The workflow is being deleted (Argo: a deletion timestamp). */
  deleting: boolean;
  /** Strategies already processed for this workflow (Argo: `status.artifactGCStatus`). */
  processed: ReadonlySet<DeletingStrategy>;
}

export interface GCItem {
  nodeId: string;
  artifact: SkiffArtifact;
  strategy: DeletingStrategy;
}

export interface GCPlan {
  /** Strategies due now: mark them processed once their items are handled. */
  strategies: DeletingStrategy[];
  /** Artifacts to delete now. */
  items: GCItem[];
}

/**
 * An artifact's GC strategy as Argo decides it (`Workflow.GetArtifactGCStrategy`): its own
 * `artifactGC.strategy` if set, else the workflow's `spec.artifactGC.strategy`, else `Never`.
 *
 * @example
 *   artifactGCStrategy({ name: 'a', artifactGC: { strategy: 'Never' } }, { artifactGC: { strategy: 'OnWorkflowDeletion' } }); // 'Never'
 */
export function artifactGCStrategy(artifact: SkiffArtifact, spec: Pick<WorkflowSpec, 'artifactGC'>): Exclude<ArtifactGCStrategy, ''> {
  const own = artifact.artifactGC?.strategy;
  const strategy = own ? own : spec.artifactGC?.strategy;
  return strategy ? strategy : 'Never';
}

/**
 * What artifact GC should delete now (Argo's controller `garbageCollectArtifacts`): on completion,
 * the `OnWorkflowCompletion` artifacts; on deletion, the `OnWorkflowDeletion` ones and, if not done
 * yet, the `OnWorkflowCompletion` ones; each strategy once. Only output artifacts of pod nodes count,
 * and ones already marked `deleted` are left out. Pure: the caller deletes and records.
 *
 * @example
 *   planArtifactGC(nodes, spec, { completed: true, deleting: false, processed: new Set() });
 *   // { strategies: ['OnWorkflowCompletion'], items: [...] }
 */
export function planArtifactGC(nodes: Iterable<GCNode>, spec: Pick<WorkflowSpec, 'artifactGC'>, state: GCState): GCPlan {
  const strategies: DeletingStrategy[] = [];
  if ((state.completed || state.deleting) && !state.processed.has('OnWorkflowCompletion')) strategies.push('OnWorkflowCompletion');
  if (state.deleting && !state.processed.has('OnWorkflowDeletion')) strategies.push('OnWorkflowDeletion');
  const items: GCItem[] = [];
  if (strategies.length === 0) return { strategies, items };
  for (const node of nodes) {
    if (node.type !== 'Pod') continue;
    for (const artifact of node.outputs?.artifacts ?? []) {
      if (artifact.deleted) continue;
      const strategy = artifactGCStrategy(artifact, spec);
      if (strategy !== 'Never' && strategies.includes(strategy)) items.push({ nodeId: node.id, artifact, strategy });
    }
  }
  return { strategies, items };
}

/** Whether a workflow needs GC at all (Argo adds its GC finalizer only then). */
export function needsArtifactGC(artifacts: Iterable<SkiffArtifact>, spec: Pick<WorkflowSpec, 'artifactGC'>): boolean {
  for (const artifact of artifacts) if (artifactGCStrategy(artifact, spec) !== 'Never') return true;
  return false;
}
