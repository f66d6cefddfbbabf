import { type RunKey, runKey, splitRunKey } from '../ports/run-key.js';
import { type JournalRecord, RunExistsError, type RunStore, runFields, type SaveOptions, type StoredRun } from '../ports/run-store.js';
import type { ConfigMap } from '../spec/model/kubernetes.js';
import type { Workflow } from '../spec/model/workflow.js';
import { KeyedSerializer } from '../shared/keyed-serializer.js';
import type { KubeClient, ResourceRef } from './kube-client.js';
import { KubeAlreadyExistsError, KubeConflictError, KubeNotFoundError } from './kube-errors.js';
import {
  COMPLETED_LABEL,
  CONTROLLER_INSTANCE_ID_LABEL,
  HELD_ANNOTATION,
  NODES_CHUNKS_ANNOTATION,
  NODES_GENERATION_ANNOTATION,
  PHASE_LABEL,
  RUN_GENERATION_LABEL,
  SKIFF_INSTANCE_ID,
} from './kube-names.js';
import { packItems } from './packed-items.js';
import { type RecordHead, type RunDefinition, readKubeRun } from './read-kube-run.js';
import { type RunPart, runChunkConfigMap, runChunkSelector } from './run-node-config-maps.js';

const WORKFLOW_API = 'argoproj.io/v1alpha1';
/** How often a write that met a 409 Conflict is tried again on fresh state before giving up. */
const CONFLICT_RETRIES = 5;

export interface KubeRunStoreOptions {
  /** The namespaces whose runs `list` returns; all namespaces when unset. */
  namespaces?: string[];
  /** Journal bytes (gzipped) from which `append` asks for a compaction (at least twice the snapshot's). */
  compactBytes?: number;
  /** Journal records from which `append` asks for a compaction: each is a ConfigMap that `load` reads. */
  compactRecords?: number;
}

/** Where this process stands with a run it has read or written. */
interface OpenRun {
  /** The Workflow as the API server last returned it: its resourceVersion is the precondition of the next write. */
  live: Workflow;
  generation: number;
  record: number;
  snapshotBytes: number;
  journalBytes: number;
}

/**
 * Runs as Argo Workflows in the cluster, labelled `workflows.argoproj.io/controller-instanceid:
 * skiff` so a default Argo controller leaves them alone. The Workflow holds the spec and the
 * run-level status in Argo's format (`kubectl get wf` shows the phase); the nodes live in
 * ConfigMaps owned by the Workflow (run-node-config-maps.ts), as a snapshot plus a journal, like
 * the state directory's files:
 *
 * - Argo's `compressedNodes` alone would rewrite every node on every batch (O(all nodes) per
 *   step) and still outgrow 1 MiB: 100,000 nodes are some 4 MiB gzipped. So the snapshot is
 *   gzipped node lists in chunks of at most 640 KiB (packed-items.ts), and each appended batch is
 *   one more small ConfigMap with just the changed nodes: O(changed nodes) per append.
 * - A new snapshot generation is written completely before the Workflow's annotation points at it,
 *   and the old one is deleted after: a crash at any point leaves one whole generation to load.
 * - The run-definition extras (referenced templates, parameter ConfigMaps, caches) are the first
 *   item of the snapshot: kept out of Argo's status, and rewritten only by `save`.
 *
 * Writes of the Workflow carry its resourceVersion, and a 409 Conflict is retried on a freshly read
 * Workflow: someone else's label, annotation or `kubectl edit` must not fail a run. This is safe
 * only because one process drives a run (the controller's leader Lease): a second writer would have
 * its status overwritten, not detected. Secrets are never read or written here.
 *
 * @example
 *   const store = new KubeRunStore(KubeConnection.load(), { namespaces: ['ci'] });
 *   const driver = new RunDriver({ store, runtime });
 */
export class KubeRunStore implements RunStore {
  private readonly open = new Map<RunKey, OpenRun>();
  private readonly serial = new KeyedSerializer();
  private readonly compactBytes: number;
  private readonly compactRecords: number;

  constructor(
    private readonly client: KubeClient,
    private readonly options: KubeRunStoreOptions = {},
  ) {
    this.compactBytes = options.compactBytes ?? 1 << 20;
    this.compactRecords = options.compactRecords ?? 200;
  }

  async list(): Promise<RunKey[]> {
    const labelSelector = `${CONTROLLER_INSTANCE_ID_LABEL}=${SKIFF_INSTANCE_ID}`;
    const keys: RunKey[] = [];
    for (const namespace of this.options.namespaces ?? [undefined]) {
      const { items } = await this.client.list<Workflow>(WORKFLOW_API, 'Workflow', namespace, { labelSelector });
      for (const item of items) keys.push(runKey(item.metadata.namespace ?? 'default', item.metadata.name ?? ''));
    }
    return keys.sort();
  }

  async load(key: RunKey): Promise<StoredRun | undefined> {
    return this.serial.run(key, async () => {
      let live: Workflow;
      try {
        live = await this.client.get<Workflow>(workflowRef(key));
      } catch (error) {
        if (error instanceof KubeNotFoundError) return undefined;
        throw error;
      }
      const read = readKubeRun(live, await this.chunksOf(live));
      await this.deleteConfigMaps(key, read.stale);
      this.open.set(key, { live, ...read });
      return read.run;
    });
  }

  async create(run: StoredRun): Promise<void> {
    await this.serial.run(run.key, async () => {
      const desired = workflowObject(run, undefined);
      let live: Workflow;
      try {
        // No status subresource on Argo's CRD (charts/skiff/crds), so the status goes with the create.
        live = await this.client.create<Workflow>({ ...desired, metadata: { ...desired.metadata, annotations: generationAnnotations(desired, 0, 0) } });
      } catch (error) {
        if (error instanceof KubeAlreadyExistsError) throw new RunExistsError(run.key);
        throw error;
      }
      this.open.set(run.key, { live, generation: 0, record: 0, snapshotBytes: 0, journalBytes: 0 });
      // A run born with nodes (resubmitted with memoized ones) or extras needs its first snapshot.
      if (Object.keys(run.status.nodes).length > 0 || run.referenced || run.configMaps || run.caches) await this.snapshot(run);
    });
  }

  async save(run: StoredRun, _options: SaveOptions = {}): Promise<void> {
    await this.serial.run(run.key, async () => {
      if (!this.open.has(run.key)) {
        try {
          const live = await this.client.get<Workflow>(workflowRef(run.key));
          const read = readKubeRun(live, await this.chunksOf(live));
          this.open.set(run.key, { live, ...read });
        } catch (error) {
          if (!(error instanceof KubeNotFoundError)) throw error;
          const live = await this.client.create<Workflow>(workflowObject(run, undefined));
          this.open.set(run.key, { live, generation: 0, record: 0, snapshotBytes: 0, journalBytes: 0 });
        }
      }
      await this.snapshot(run);
    });
  }

  async append(key: RunKey, record: JournalRecord): Promise<boolean> {
    return this.serial.run(key, async () => {
      const open = await this.opened(key);
      const number = open.record + 1;
      const head: RecordHead = { run: record.run, ...(record.workflow ? { workflow: record.workflow } : {}) };
      const bytes = await this.writeChunks(open, 'journal', number, [head, ...record.nodes]);
      open.record = number;
      open.journalBytes += bytes;
      // The run-level fields on the Workflow are for people and Argo's tools; the record above is
      // what a load replays, so a crash between the two writes loses nothing.
      await this.updateWorkflow(key, (live) => {
        // A stop sets spec.shutdown and its message annotation (SHUTDOWN_MESSAGE_ANNOTATION).
        const workflow = record.workflow ?? live;
        const labels = { ...live.metadata.labels, ...record.workflow?.metadata.labels };
        const annotations = { ...live.metadata.annotations, ...record.workflow?.metadata.annotations };
        return {
          ...live,
          spec: workflow.spec,
          metadata: { ...live.metadata, labels: runLabels(labels, record.run.phase), annotations },
          // A Workflow written by others keeps its nodes in status (generation 0) until the first save.
          status: { ...record.run, ...pick(live.status, ['nodes', 'compressedNodes']) },
        };
      });
      return open.journalBytes > Math.max(this.compactBytes, 2 * open.snapshotBytes) || open.record >= this.compactRecords;
    });
  }

  async noteHeld(key: RunKey, problem: string | undefined): Promise<void> {
    await this.serial.run(key, async () => {
      const value = problem === undefined ? null : JSON.stringify({ problem, since: new Date().toISOString() });
      const live = await this.client.patch<Workflow>(workflowRef(key), { metadata: { annotations: { [HELD_ANNOTATION]: value } } }, 'merge');
      const open = this.open.get(key);
      if (open) open.live = live;
    });
  }

  /** Writes a new snapshot generation, points the Workflow at it, then deletes the generation before. */
  private async snapshot(run: StoredRun): Promise<void> {
    const open = await this.opened(run.key);
    const generation = open.generation + 1;
    const definition: RunDefinition = {
      ...(run.referenced ? { referenced: run.referenced } : {}),
      ...(run.configMaps ? { configMaps: run.configMaps } : {}),
      ...(run.caches ? { caches: run.caches } : {}),
    };
    const chunks: number[] = [];
    const bytes = await this.writeChunks({ ...open, generation }, 'snapshot', 0, [definition, ...Object.values(run.status.nodes)], chunks);
    await this.updateWorkflow(run.key, (live) => {
      const desired = workflowObject(run, live);
      return { ...desired, metadata: { ...desired.metadata, annotations: generationAnnotations(desired, generation, chunks.length) } };
    });
    Object.assign(open, { generation, record: 0, snapshotBytes: bytes, journalBytes: 0 });
    const old = await this.chunksOf(open.live, `${RUN_GENERATION_LABEL}!=${generation}`);
    await this.deleteConfigMaps(
      run.key,
      old.map((c) => c.metadata.name ?? ''),
    );
  }

  /** Packs items into ConfigMaps of the run; returns their bytes. `count` receives one entry per chunk. */
  private async writeChunks(open: OpenRun, part: RunPart, record: number, items: unknown[], count: number[] = []): Promise<number> {
    const chunks = packItems(items);
    let bytes = 0;
    for (const [index, data] of chunks.entries()) {
      const configMap = runChunkConfigMap(open.live, { part, generation: open.generation, record, chunk: index, chunks: chunks.length, data });
      try {
        await this.client.create(configMap);
      } catch (error) {
        // Left by a write that failed after the server took it, or by a crash before the Workflow
        // pointed at it: nothing reads it, so it is replaced.
        if (!(error instanceof KubeAlreadyExistsError)) throw error;
        await this.client.replace(configMap);
      }
      bytes += data.length;
      count.push(index);
    }
    return bytes;
  }

  /** Replaces the Workflow with `change(live)`, re-reading it and trying again on 409 Conflict. */
  private async updateWorkflow(key: RunKey, change: (live: Workflow) => Workflow): Promise<void> {
    const open = await this.opened(key);
    for (let attempt = 0; ; attempt++) {
      try {
        open.live = await this.client.replace<Workflow>(change(open.live));
        return;
      } catch (error) {
        if (!(error instanceof KubeConflictError) || attempt >= CONFLICT_RETRIES) throw error;
        open.live = await this.client.get<Workflow>(workflowRef(key));
      }
    }
  }

  private async opened(key: RunKey): Promise<OpenRun> {
    const known = this.open.get(key);
    if (known) return known;
    const live = await this.client.get<Workflow>(workflowRef(key));
    const read = readKubeRun(live, await this.chunksOf(live));
    const open = { live, ...read };
    this.open.set(key, open);
    return open;
  }

  /** The run's node ConfigMaps, all or (`also`, a label selector) some. */
  private async chunksOf(live: Workflow, also?: string): Promise<ConfigMap[]> {
    const uid = live.metadata.uid;
    if (!uid) return [];
    const labelSelector = also ? `${runChunkSelector(uid)},${also}` : runChunkSelector(uid);
    return (await this.client.list<ConfigMap>('v1', 'ConfigMap', live.metadata.namespace ?? 'default', { labelSelector })).items;
  }

  private async deleteConfigMaps(key: RunKey, names: string[]): Promise<void> {
    const { namespace } = splitRunKey(key);
    for (const name of names) {
      try {
        await this.client.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name });
      } catch (error) {
        if (!(error instanceof KubeNotFoundError)) throw error;
      }
    }
  }
}

function workflowRef(key: RunKey): ResourceRef {
  const { namespace, name } = splitRunKey(key);
  return { apiVersion: WORKFLOW_API, kind: 'Workflow', namespace, name };
}

/** The Workflow object of a run: its workflow, Skiff's labels, its run-level status; `live` gives the server's bookkeeping. */
function workflowObject(run: StoredRun, live: Workflow | undefined): Workflow {
  const { namespace, name } = splitRunKey(run.key);
  const metadata = {
    ...run.workflow.metadata,
    name,
    namespace,
    labels: runLabels(run.workflow.metadata.labels, run.status.phase),
    ...(live
      ? {
          resourceVersion: live.metadata.resourceVersion,
          uid: live.metadata.uid,
          annotations: { ...run.workflow.metadata.annotations, ...pick(live.metadata.annotations, [HELD_ANNOTATION]) },
        }
      : {}),
  };
  return { ...run.workflow, apiVersion: WORKFLOW_API, kind: 'Workflow', metadata, status: { ...runFields(run.status) } };
}

/** Skiff's instance id, and Argo's phase and completed labels, which selectors of active runs read. */
function runLabels(labels: Record<string, string> | undefined, phase: string): Record<string, string> {
  const done = phase === 'Succeeded' || phase === 'Failed' || phase === 'Error';
  return { ...labels, [CONTROLLER_INSTANCE_ID_LABEL]: SKIFF_INSTANCE_ID, [PHASE_LABEL]: phase, [COMPLETED_LABEL]: String(done) };
}

function generationAnnotations(workflow: Workflow, generation: number, chunks: number): Record<string, string> {
  return { ...workflow.metadata.annotations, [NODES_GENERATION_ANNOTATION]: String(generation), [NODES_CHUNKS_ANNOTATION]: String(chunks) };
}

function pick<T>(record: Record<string, T> | undefined, keys: string[]): Record<string, T> {
  return Object.fromEntries(keys.filter((k) => record?.[k] !== undefined).map((k) => [k, record![k]!]));
}
