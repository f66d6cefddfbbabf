import type { Workflow } from '../spec/model/workflow.js';
import type { RunKey } from './run-key.js';
import type { ParameterConfigMap } from '../engine/config-map-parameters.js';
import type { CacheConfigMap } from '../engine/memoization-caches.js';
import type { ReferencedTemplate } from '../engine/template-catalog.js';
import type { NodeStatus, WorkflowStatus } from '../engine/workflow-status.js';

/**
 * A run as saved: the workflow it executes (with the templates it refers to, and the ConfigMaps
 * its parameters read, as they were when it was submitted or retried) and its status.
 */
export interface StoredRun {
  /** `namespace/name` of its workflow (run-key.ts). */
  key: RunKey;
  workflow: Workflow;
  referenced?: ReferencedTemplate[];
  configMaps?: ParameterConfigMap[];
  /** The memoization caches its templates name, as they were when it was submitted or retried. */
  caches?: CacheConfigMap[];
  status: WorkflowStatus;
  /** Set when the run's driver cannot save its state and holds it (see RunStore.noteHeld): why, and since when. */
  held?: { problem: string; since: string };
}

/** The run-level fields of a status (everything but the nodes). */
export type RunFields = Omit<WorkflowStatus, 'nodes'>;

/**
 * One group-committed batch of changes to a run: the nodes created or changed (whole nodes,
 * so replay is "last write wins"), the run-level fields after the batch, and the workflow when
 * it changed (a stop or terminate sets `spec.shutdown`).
 */
export interface JournalRecord {
  nodes: NodeStatus[];
  run: RunFields;
  workflow?: Workflow;
}

/**
 * Where runs survive restarts. Every change is appended before its effects start (the driver
 * waits for `append` to resolve before it starts pods), so a run loaded after a crash never
 * misses a step it started nor repeats one recorded as finished.
 *
 * @example
 * await store.create({ key: 'ci/hello-x7k2p', workflow, status: newRunStatus() });
 * await store.append('ci/hello-x7k2p', { nodes: changed, run: { phase: 'Running' } });
 * const run = await store.load('ci/hello-x7k2p'); // snapshot with the journal replayed
 */
export interface RunStore {
  /** Keys of every saved run, finished or not. */
  list(): Promise<RunKey[]>;
  load(key: RunKey): Promise<StoredRun | undefined>;
  /**
   * Saves a new run; rejects with RunExistsError when a run of that namespace and name is there
   * already (the API server's create answers 409).
   */
  create(run: StoredRun): Promise<void>;
  /**
   * Saves a run whole: a new run, or a retried/resubmitted status, replacing what was there; or,
   * with `compaction`, the run as its records made it, after `append` asked for it.
   */
  save(run: StoredRun, options?: SaveOptions): Promise<void>;
  /**
   * Appends a batch of changes durably. Resolves true when the journal has outgrown its
   * snapshot: the caller should then `save` the whole run, which compacts it.
   */
  append(key: RunKey, record: JournalRecord): Promise<boolean>;
  /**
   * Notes that the run is held because its state cannot be written (`problem`), or no longer is
   * (`undefined`), where people looking at the run see it (`skiff get`). Best effort and optional:
   * the store that fails may fail this too.
   */
  noteHeld?(key: RunKey, problem: string | undefined): Promise<void>;
}

export interface SaveOptions {
  /**
   * The run is exactly what its appended records made it (the driver compacting its journal), not
   * a replacement. A store may then rebuild a damaged snapshot of it from the one before.
   */
  compaction?: boolean;
}

/** Applies a journal record to a status (replay). */
export function applyRecord(run: StoredRun, record: JournalRecord): void {
  for (const node of record.nodes) run.status.nodes[node.id] = node;
  const nodes = run.status.nodes;
  run.status = { ...record.run, nodes };
  if (record.workflow) run.workflow = record.workflow;
}

/** The run-level fields of a status. */
export function runFields(status: WorkflowStatus): RunFields {
  const { nodes: _nodes, ...fields } = status;
  return fields;
}

/** A run was to be created under a namespace and name that another run holds. */
export class RunExistsError extends Error {
  constructor(readonly key: RunKey) {
    const slash = key.indexOf('/');
    super(`a run named "${key.slice(slash + 1)}" already exists in namespace "${key.slice(0, slash)}"`);
    this.name = 'RunExistsError';
  }
}
