import type { NodeStatus, WorkflowStatus } from '../engine/workflow-status.js';
import { runKeyOf } from '../ports/run-key.js';
import { applyRecord, type JournalRecord, type RunFields, type StoredRun } from '../ports/run-store.js';
import type { ConfigMap } from '../spec/model/kubernetes.js';
import type { Workflow } from '../spec/model/workflow.js';
import { DamagedRunError } from '../state/damaged-run-error.js';
import {
  COMPLETED_LABEL,
  HELD_ANNOTATION,
  NODES_CHUNKS_ANNOTATION,
  NODES_GENERATION_ANNOTATION,
  PHASE_LABEL,
  RESUME_REQUEST_ANNOTATION,
  RETRIED_PODS_ANNOTATION,
} from './kube-names.js';
import { decodeCompressedJson, unpackItems } from './packed-items.js';
import { type RunChunk, runChunkOf } from './run-node-config-maps.js';

/** The first item of a snapshot: the run-definition extras of StoredRun, which are no part of Argo's status. */
export type RunDefinition = Pick<StoredRun, 'referenced' | 'configMaps' | 'caches'>;

/** The first item of a journal record: everything of it but its nodes, which follow. */
export type RecordHead = Omit<JournalRecord, 'nodes'>;

/** A run read from its Workflow and its node ConfigMaps, with where its journal stands. */
export interface KubeRunRead {
  run: StoredRun;
  /** The generation of the snapshot in use (0: none, the nodes were in the Workflow's status). */
  generation: number;
  /** The last complete journal record's number in that generation (0: none). */
  record: number;
  snapshotBytes: number;
  journalBytes: number;
  /** ConfigMaps that are no part of the run as read: older generations, a record cut short by a crash. */
  stale: string[];
}

/**
 * Assembles a run from its Workflow (spec, run-level status, annotations) and the ConfigMaps
 * labelled with its uid: the snapshot's chunks of the Workflow's generation, then its journal
 * records in order. A Workflow never pointed at a snapshot (generation 0: created by kubectl or
 * Argo's CLI) has its nodes in `status.nodes`, or gzipped in Argo's `status.compressedNodes`.
 * A last record with chunks missing is a crash during its append, before the driver acted on
 * it, and is left out; anything else missing makes the run damaged.
 *
 * @example
 *   const { run, record } = readKubeRun(workflow, configMapsLabelledWithItsUid);
 */
export function readKubeRun(live: Workflow, configMaps: readonly ConfigMap[]): KubeRunRead {
  const key = runKeyOf(live);
  const annotations = live.metadata.annotations ?? {};
  const generation = Number(annotations[NODES_GENERATION_ANNOTATION] ?? 0) || 0;
  const chunks = configMaps.map(runChunkOf).filter((chunk): chunk is RunChunk => chunk !== undefined);
  const stale = chunks.filter((c) => c.generation !== generation).map((c) => c.name);
  const ours = chunks.filter((c) => c.generation === generation);
  const damaged = (what: string, problem: string) => new DamagedRunError(key, `Workflow ${key}`, what, problem);

  const { nodes: statusNodes, compressedNodes, ...fields } = (live.status ?? {}) as Partial<WorkflowStatus> & { compressedNodes?: string };
  let definition: RunDefinition = {};
  let nodes: Record<string, NodeStatus> = statusNodes ?? {};
  let snapshotBytes = 0;
  if (generation > 0) {
    const snapshot = ours.filter((c) => c.part === 'snapshot').sort((a, b) => a.chunk - b.chunk);
    const expected = Number(annotations[NODES_CHUNKS_ANNOTATION]);
    if (snapshot.length !== expected || snapshot.some((c, i) => c.chunk !== i))
      throw damaged(`snapshot ${generation}`, `${snapshot.length} of its ${expected} chunks are there`);
    const [head, ...items] = unpackItems(snapshot.map((c) => c.data));
    definition = (head ?? {}) as RunDefinition;
    nodes = Object.fromEntries((items as NodeStatus[]).map((n) => [n.id, n]));
    snapshotBytes = snapshot.reduce((sum, c) => sum + c.data.length, 0);
  } else if (compressedNodes) {
    nodes = decodeCompressedJson(compressedNodes) as Record<string, NodeStatus>;
  }

  const workflow = storedWorkflowOf(live);
  const run: StoredRun = { key, workflow, ...definition, status: { ...(fields as RunFields), phase: fields.phase ?? 'Pending', nodes } };
  const held = annotations[HELD_ANNOTATION];
  if (held) run.held = JSON.parse(held) as StoredRun['held'];

  const records = new Map<number, RunChunk[]>();
  for (const chunk of ours) if (chunk.part === 'journal') records.set(chunk.record, [...(records.get(chunk.record) ?? []), chunk]);
  const numbers = [...records.keys()].sort((a, b) => a - b);
  let record = 0;
  let journalBytes = 0;
  for (const [index, number] of numbers.entries()) {
    const parts = records.get(number)!.sort((a, b) => a.chunk - b.chunk);
    const complete = parts.length === parts[0]!.chunks && parts.every((c, i) => c.chunk === i && c.chunks === parts.length);
    if (!complete || number !== index + 1) {
      if (index === numbers.length - 1 && number === index + 1) {
        stale.push(...parts.map((c) => c.name));
        break;
      }
      throw damaged(`journal record ${number}`, complete ? `record ${index + 1} is missing` : 'chunks are missing');
    }
    const [head, ...items] = unpackItems(parts.map((c) => c.data));
    applyRecord(run, { ...(head as RecordHead), nodes: items as NodeStatus[] });
    record = number;
    journalBytes += parts.reduce((sum, c) => sum + c.data.length, 0);
  }
  return { run, generation, record, snapshotBytes, journalBytes, stale };
}

/**
 * The workflow as the run was saved: without what the API server fills in (resourceVersion, uid,
 * managedFields, ...), the status (a StoredRun keeps it apart), and the labels and annotations
 * the store itself keeps on the object.
 */
export function storedWorkflowOf(live: Workflow): Workflow {
  const {
    resourceVersion: _version,
    uid: _uid,
    creationTimestamp: _created,
    generation: _generation,
    managedFields: _fields,
    annotations = {},
    labels = {},
    ...metadata
  } = live.metadata;
  // A resume request and the retried pods are notes to the controller, not part of the run: kept,
  // a later save would write them again.
  const {
    [NODES_GENERATION_ANNOTATION]: _g,
    [NODES_CHUNKS_ANNOTATION]: _c,
    [HELD_ANNOTATION]: _h,
    [RESUME_REQUEST_ANNOTATION]: _r,
    [RETRIED_PODS_ANNOTATION]: _p,
    ...userAnnotations
  } = annotations;
  const { [COMPLETED_LABEL]: _done, [PHASE_LABEL]: _phase, ...userLabels } = labels;
  const { status: _status, ...workflow } = live;
  return {
    ...workflow,
    metadata: {
      ...metadata,
      ...(Object.keys(userLabels).length > 0 ? { labels: userLabels } : {}),
      ...(Object.keys(userAnnotations).length > 0 ? { annotations: userAnnotations } : {}),
    },
  };
}
