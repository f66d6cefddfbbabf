import { type RunKey, splitRunKey } from '../ports/run-key.js';
import { type JournalRecord, runFields, type StoredRun } from '../ports/run-store.js';
import type { ObjectMeta } from '../spec/model/kubernetes.js';
import type { Workflow } from '../spec/model/workflow.js';
import type { ResourceRef } from './kube-client.js';
import {
  ARTIFACT_GC_FINALIZER,
  COMPLETED_LABEL,
  CONTROLLER_INSTANCE_ID_LABEL,
  HELD_ANNOTATION,
  NODES_CHUNKS_ANNOTATION,
  NODES_GENERATION_ANNOTATION,
  PHASE_LABEL,
  RETRIED_PODS_ANNOTATION,
  SKIFF_INSTANCE_ID,
} from './kube-names.js';

/**
 * The Workflow objects KubeRunStore writes: the run's workflow with Skiff's labels and its
 * run-level status in Argo's format (no nodes: those are in ConfigMaps, run-node-config-maps.ts).
 */

export const WORKFLOW_API = 'argoproj.io/v1alpha1';

/** The API reference of a run's Workflow. */
export function workflowRef(key: RunKey): ResourceRef {
  const { namespace, name } = splitRunKey(key);
  return { apiVersion: WORKFLOW_API, kind: 'Workflow', namespace, name };
}

/**
 * The Workflow object of a run saved whole, pointing at its node snapshot `generation` of `chunks`
 * chunks; `live`, the object as the server has it, gives the resourceVersion the write is
 * conditional on and the held note, which is no part of the run's workflow.
 *
 * @example workflowObject(run, live, { generation: 3, chunks: 16 }).metadata.annotations['skiff.dev/nodes-generation'] // '3'
 */
export function workflowObject(run: StoredRun, live: Workflow | undefined, snapshot: { generation: number; chunks: number }): Workflow {
  const { namespace, name } = splitRunKey(run.key);
  const metadata: ObjectMeta = {
    ...run.workflow.metadata,
    name,
    namespace,
    labels: runLabels(run.workflow.metadata.labels, run.status.phase),
    annotations: {
      ...run.workflow.metadata.annotations,
      ...pickKeys(live?.metadata.annotations, [HELD_ANNOTATION, RETRIED_PODS_ANNOTATION]),
      [NODES_GENERATION_ANNOTATION]: String(snapshot.generation),
      [NODES_CHUNKS_ANNOTATION]: String(snapshot.chunks),
    },
    ...(live ? { resourceVersion: live.metadata.resourceVersion, uid: live.metadata.uid } : {}),
  };
  // Finalizers are their adders' (the artifact-GC one is added after the run was read): a save keeps the live ones.
  if (live) {
    if (live.metadata.finalizers) metadata.finalizers = live.metadata.finalizers;
    else delete metadata.finalizers;
  }
  return { ...run.workflow, apiVersion: WORKFLOW_API, kind: 'Workflow', metadata, status: { ...runFields(run.status) } };
}

/**
 * The live Workflow after a journal record: its run-level fields as status, and the record's
 * workflow when a stop or terminate changed it (spec.shutdown, the shutdown message annotation).
 */
export function workflowWithRecord(live: Workflow, record: JournalRecord): Workflow {
  const workflow = record.workflow ?? live;
  const labels = { ...live.metadata.labels, ...record.workflow?.metadata.labels };
  const annotations = { ...live.metadata.annotations, ...record.workflow?.metadata.annotations };
  return {
    ...live,
    spec: workflow.spec,
    metadata: { ...live.metadata, labels: runLabels(labels, record.run.phase), annotations },
    // A Workflow written by others keeps its nodes in status (generation 0) until the first save.
    status: { ...record.run, ...pickKeys(live.status, ['nodes', 'compressedNodes']) },
  };
}

/** Whether a Workflow is held by Argo's artifact-GC finalizer (see controller/artifact-gc-finalizer.ts). */
export function hasArtifactGCFinalizer(workflow: Workflow): boolean {
  return ((workflow.metadata.finalizers as string[] | undefined) ?? []).includes(ARTIFACT_GC_FINALIZER);
}

/** The generation of node snapshot a Workflow points at (0: none yet). */
export function generationOf(live: Workflow): number {
  return Number(live.metadata.annotations?.[NODES_GENERATION_ANNOTATION] ?? 0) || 0;
}

/** Skiff's instance id, and Argo's phase and completed labels, which selectors of active runs read. */
function runLabels(labels: Record<string, string> | undefined, phase: string): Record<string, string> {
  const done = phase === 'Succeeded' || phase === 'Failed' || phase === 'Error';
  // A run of another Skiff instance id (`skiff controller --instance-id`) keeps its own.
  return { [CONTROLLER_INSTANCE_ID_LABEL]: SKIFF_INSTANCE_ID, ...labels, [PHASE_LABEL]: phase, [COMPLETED_LABEL]: String(done) };
}

function pickKeys<T>(record: Record<string, T> | undefined, keys: string[]): Record<string, T> {
  return Object.fromEntries(keys.filter((k) => record?.[k] !== undefined).map((k) => [k, record![k]!]));
}
