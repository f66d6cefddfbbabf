import type { Outputs, Parameter, Artifact, TemplateRef } from '../spec/model/workflow.js';

/**
 * The run's status in Argo's shape (`status` of an argoproj.io/v1alpha1 Workflow), so that
 * `kubectl get wf`, Argo's UI and our reporters read the same object. Field names and phase
 * strings are Argo's (pkg/apis/workflow/v1alpha1/workflow_types.go, NodeStatus).
 */

export type NodePhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Error' | 'Skipped' | 'Omitted';
export type NodeType = 'Pod' | 'Container' | 'Steps' | 'StepGroup' | 'DAG' | 'TaskGroup' | 'Retry' | 'Skipped' | 'Suspend' | 'HTTP';
export type WorkflowPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Error';

export interface NodeInputs {
  parameters?: Parameter[];
  artifacts?: Artifact[];
}

export interface NodeStatus {
  id: string;
  name: string;
  displayName: string;
  type: NodeType;
  templateName?: string;
  templateRef?: TemplateRef;
  phase: NodePhase;
  boundaryID?: string;
  message?: string;
  startedAt?: string;
  finishedAt?: string;
  inputs?: NodeInputs;
  outputs?: Outputs;
  children?: string[];
  outboundNodes?: string[];
  /** Argo's NodeFlag: `hooked` for exit handlers and hooks, `retried` for attempts under a Retry node. */
  nodeFlag?: { hooked?: boolean; retried?: boolean };
  /** A daemon that is running and ready: it counts as done for what comes after it, and runs until its scope ends. */
  daemoned?: boolean;
  /** Where other pods reach a daemon pod (Argo records it for daemoned nodes only). */
  podIP?: string;
  /** The machine (Kubernetes node) a pod ran on. */
  hostNodeName?: string;
  /** The lock this node waits for before it may run (Argo's NodeSynchronizationStatus). */
  synchronizationStatus?: { waiting?: string };
  /**
   * A memoized template's node (`memoize`): `hit` when its outputs came from cache `cacheName` under
   * `key` and it ran nothing. Also set on nodes kept from an earlier run by resubmit (key: the old node's id).
   */
  memoizationStatus?: { hit: boolean; key: string; cacheName: string };
}

export interface WorkflowStatus {
  phase: WorkflowPhase;
  startedAt?: string;
  finishedAt?: string;
  message?: string;
  nodes: Record<string, NodeStatus>;
  /** Global outputs (`globalName` parameters), as `workflow.outputs.parameters.<name>`. */
  outputs?: Outputs;
  /** Argo's progress summary `succeeded/total` of pod nodes. */
  progress?: string;
  /** The artifact repository the run uses, recorded once so a ConfigMap changed later does not move it (Argo's ArtifactRepositoryRefStatus). */
  artifactRepositoryRef?: ArtifactRepositoryRefStatus;
  /** Which artifact GC strategies have run (Argo's ArtGCStatus). */
  artifactGCStatus?: ArtifactGCStatus;
  /**
   * The mutexes and semaphores the run holds and waits for (Argo's SynchronizationStatus), by
   * holder key: `<namespace>/<workflow>` for the workflow's own locks, `<namespace>/<workflow>/<node id>`
   * for a template's. A hold recorded here is re-established when the run is picked up again.
   */
  synchronization?: SynchronizationStatus;
  /** Argo's workflow conditions; Skiff sets `ArtifactGCError` when GC could not delete something. */
  conditions?: Array<{ type: string; status: 'True' | 'False'; message?: string }>;
}

/** Argo's `status.artifactRepositoryRef`: where the repository came from, and the repository itself. */
export interface ArtifactRepositoryRefStatus {
  namespace?: string;
  configMap?: string;
  key?: string;
  /** True when no ConfigMap was used (the controller's or Skiff's default). */
  default?: boolean;
  /** The repository as resolved (shape of artifacts' `Repository`; kept opaque here). */
  artifactRepository?: Record<string, unknown>;
}

/** Argo's `status.synchronization`. */
export interface SynchronizationStatus {
  semaphore?: { holding?: Array<{ semaphore: string; holders: string[] }>; waiting?: Array<{ semaphore: string; holders: string[] }> };
  mutex?: { holding?: Array<{ mutex: string; holder: string }>; waiting?: Array<{ mutex: string; holder: string }> };
}

/** Argo's `status.artifactGCStatus`. */
export interface ArtifactGCStatus {
  strategiesProcessed?: Partial<Record<'OnWorkflowCompletion' | 'OnWorkflowDeletion', boolean>>;
  notSpecified?: boolean;
}

const FULFILLED: ReadonlySet<NodePhase> = new Set(['Succeeded', 'Failed', 'Error', 'Skipped', 'Omitted']);

/** Argo's Fulfilled: the node will not change any more (finished, skipped or omitted). */
export function isFulfilled(phase: NodePhase): boolean {
  return FULFILLED.has(phase);
}

/**
 * Argo's NodeStatus.Fulfilled: the node will not change any more, or it is a daemon that is
 * ready, which the steps and tasks after it need not wait for.
 */
export function isSettled(node: NodeStatus): boolean {
  return isFulfilled(node.phase) || (node.daemoned === true && node.phase !== 'Pending');
}

/** Argo's FailedOrError. */
export function isFailedOrError(phase: NodePhase): boolean {
  return phase === 'Failed' || phase === 'Error';
}

export function isWorkflowDone(phase: WorkflowPhase): boolean {
  return phase === 'Succeeded' || phase === 'Failed' || phase === 'Error';
}

/** A deep copy through JSON: statuses hold only JSON values. */
export function cloneStatus(status: WorkflowStatus): WorkflowStatus {
  return JSON.parse(JSON.stringify(status)) as WorkflowStatus;
}
