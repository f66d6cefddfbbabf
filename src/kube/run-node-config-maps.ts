import { createHash } from 'node:crypto';
import type { ConfigMap } from '../spec/model/kubernetes.js';
import type { Workflow } from '../spec/model/workflow.js';
import {
  RUN_CHUNK_LABEL,
  RUN_CHUNKS_LABEL,
  RUN_GENERATION_LABEL,
  RUN_PART_LABEL,
  RUN_RECORD_LABEL,
  RUN_UID_LABEL,
  RUN_WRITER_LABEL,
  SKIFF_INSTANCE_ID,
  CONTROLLER_INSTANCE_ID_LABEL,
} from './kube-names.js';

/** The data key of a chunk: binaryData, so the API server keeps gzip's bytes and not their base64. */
const CHUNK_KEY = 'chunk.json.gz';

export type RunPart = 'snapshot' | 'journal';

/** What a ConfigMap of a run's nodes is: its place in the snapshot or the journal, and its data. */
export interface RunChunk {
  part: RunPart;
  generation: number;
  /** The journal record's sequence number (0 for a snapshot). */
  record: number;
  chunk: number;
  chunks: number;
  /** gzip+base64 of a JSON list (packed-items.ts). */
  data: string;
  name: string;
}

/**
 * The ConfigMap holding one chunk of a run's nodes, owned by its Workflow so it goes when the
 * Workflow is deleted. Names stay valid for any Workflow name (at most 253 characters): a long
 * name is shortened and made unique with a hash of itself. `writer` marks which store wrote it.
 *
 * @example
 *   runChunkConfigMap(workflow, { part: 'journal', generation: 2, record: 7, chunk: 0, chunks: 1, data })
 *   // ConfigMap ci/build-x7k2p-skiff-j2-7-0, labelled skiff.dev/run-uid=<workflow uid>
 */
export function runChunkConfigMap(workflow: Workflow, chunk: Omit<RunChunk, 'name'>, writer?: string): ConfigMap {
  const { name = '', namespace, uid = '' } = workflow.metadata;
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: runChunkName(name, chunk),
      namespace,
      labels: {
        [CONTROLLER_INSTANCE_ID_LABEL]: SKIFF_INSTANCE_ID,
        [RUN_UID_LABEL]: uid,
        [RUN_PART_LABEL]: chunk.part,
        [RUN_GENERATION_LABEL]: String(chunk.generation),
        [RUN_RECORD_LABEL]: String(chunk.record),
        [RUN_CHUNK_LABEL]: String(chunk.chunk),
        [RUN_CHUNKS_LABEL]: String(chunk.chunks),
        ...(writer ? { [RUN_WRITER_LABEL]: writer } : {}),
      },
      ownerReferences: [{ apiVersion: workflow.apiVersion, kind: 'Workflow', name, uid, blockOwnerDeletion: false }],
    },
    binaryData: { [CHUNK_KEY]: chunk.data },
  };
}

/** The chunk a ConfigMap of runChunkConfigMap holds, or undefined for one that is not such. */
export function runChunkOf(configMap: ConfigMap): RunChunk | undefined {
  const labels = configMap.metadata.labels ?? {};
  const part = labels[RUN_PART_LABEL];
  const data = configMap.binaryData?.[CHUNK_KEY];
  if ((part !== 'snapshot' && part !== 'journal') || data === undefined) return undefined;
  const numbers = [labels[RUN_GENERATION_LABEL], labels[RUN_RECORD_LABEL], labels[RUN_CHUNK_LABEL], labels[RUN_CHUNKS_LABEL]].map(Number);
  if (!numbers.every((n) => Number.isInteger(n) && n >= 0)) return undefined;
  const [generation, record, chunk, chunks] = numbers as [number, number, number, number];
  return { part, generation, record, chunk, chunks, data, name: configMap.metadata.name ?? '' };
}

/** The label selector of every ConfigMap of the run whose Workflow has this uid. */
export function runChunkSelector(uid: string): string {
  return `${RUN_UID_LABEL}=${uid}`;
}

function runChunkName(workflowName: string, chunk: Omit<RunChunk, 'name' | 'data'>): string {
  const suffix = chunk.part === 'snapshot' ? `-skiff-s${chunk.generation}-${chunk.chunk}` : `-skiff-j${chunk.generation}-${chunk.record}-${chunk.chunk}`;
  if (workflowName.length + suffix.length <= 253) return `${workflowName}${suffix}`;
  const hash = createHash('sha256').update(workflowName).digest('hex').slice(0, 10);
  return `${workflowName.slice(0, 253 - suffix.length - 11)}-${hash}${suffix}`;
}
