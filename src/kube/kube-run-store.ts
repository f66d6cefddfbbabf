import { randomUUID } from 'node:crypto';
import { type RunKey, runKey, splitRunKey } from '../ports/run-key.js';
import { type JournalRecord, RunExistsError, type RunStore, type SaveOptions, type StoredRun } from '../ports/run-store.js';
import { KeyedSerializer } from '../shared/keyed-serializer.js';
import type { ConfigMap } from '../spec/model/kubernetes.js';
import type { Workflow } from '../spec/model/workflow.js';
import type { KubeClient } from './kube-client.js';
import { KubeAlreadyExistsError, KubeConflictError, KubeGoneError, KubeNotFoundError } from './kube-errors.js';
import { CONTROLLER_INSTANCE_ID_LABEL, HELD_ANNOTATION, RUN_GENERATION_LABEL, RUN_WRITER_LABEL, SKIFF_INSTANCE_ID } from './kube-names.js';
import { encodeCompressedJson, packItems } from './packed-items.js';
import { type RecordHead, type RunDefinition, readKubeRun } from './read-kube-run.js';
import { type RunPart, runChunkConfigMap, runChunkSelector } from './run-node-config-maps.js';
import { generationOf, WORKFLOW_API, workflowObject, workflowRef, workflowWithRecord } from './run-workflow-object.js';
import { RunWriterConflictError } from './run-writer-conflict-error.js';
import { DamagedRunError } from '../state/damaged-run-error.js';

/** How often a write that met a 409 Conflict is tried again on fresh state before giving up. */
const CONFLICT_RETRIES = 5;

/** The most a new run's compressed nodes may take in the Workflow it is created as (etcd takes objects up to 1.5 MiB). */
const INLINE_NODES_BYTES = 512 * 1024;
/** How many times a list read in chunks starts again after its continue token expired. */
const LIST_RESTARTS = 3;

export interface KubeRunStoreOptions {
  /**
   * The namespaces whose runs `list` returns; all namespaces when unset, which needs a ClusterRole
   * to list Workflows (the chart grants Roles in its `watchNamespaces` only).
   */
  namespaces?: string[];
  /** The instance id whose runs `list` returns (the Workflows' `controller-instanceid` label); default `skiff`. */
  instanceId?: string;
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
 *   step) and still outgrow 1 MiB: 100,000 engine-like nodes are 57 MB of JSON, 8 MB gzipped
 *   and base64'd. So the snapshot is gzipped node lists in chunks of at most 640 KiB
 *   (packed-items.ts; sixteen ConfigMaps of ~530 KB for those 100,000 nodes, the Workflow ~1.3 KB),
 *   and each appended batch is one more small ConfigMap with just the changed nodes (~1.5 KB for
 *   one node): O(changed nodes) per append. The journal is compacted into a new snapshot after
 *   `compactRecords` records, bounding the objects a load reads, or once it outweighs the snapshot.
 *   Argo's tools thus see the run's phase, message and progress, not its nodes (as with Argo's own
 *   offloaded node status, whose database they would need).
 * - A new snapshot generation is written completely before the Workflow's annotation points at it,
 *   and the old one is deleted after: a crash at any point leaves one whole generation to load.
 * - The run-definition extras (referenced templates, parameter ConfigMaps, caches) are the first
 *   item of the snapshot: kept out of Argo's status, and rewritten only by `save`.
 *
 * One process drives a run (the controller's leader Lease), so a 409 Conflict on the Workflow is
 * someone's label, annotation or `kubectl edit`, and is retried on a freshly read Workflow rather
 * than failing the run. Should a second Skiff write the same run anyway, the resourceVersion
 * preconditions are what catch it: every Workflow write is conditional, a retry goes ahead only
 * while the Workflow still points at the snapshot this store writes on, and a journal record
 * number already taken by another store's ConfigMap is not overwritten; either way the write
 * fails with RunWriterConflictError. Secrets are never read or written here.
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
  /** Marks the ConfigMaps this store writes, so a record number taken by another writer is told from our own retry. */
  private readonly writer = randomUUID();

  constructor(
    private readonly client: KubeClient,
    private readonly options: KubeRunStoreOptions = {},
  ) {
    this.compactBytes = options.compactBytes ?? 1 << 20;
    this.compactRecords = options.compactRecords ?? 200;
  }

  /**
   * Every run's key. With `chunkSize`, the Workflows are asked for that many at a time (the API's
   * `limit` and `continue`, as `argo list --chunk-size`), so a long list never makes one huge
   * answer. A continue token can expire between pages (410 Gone, once the server compacted the
   * version the list began at): the list then starts again, a few times, before it gives up saying so.
   */
  async list(options: { chunkSize?: number } = {}): Promise<RunKey[]> {
    const labelSelector = `${CONTROLLER_INSTANCE_ID_LABEL}=${this.options.instanceId ?? SKIFF_INSTANCE_ID}`;
    const keys: RunKey[] = [];
    for (const namespace of this.options.namespaces ?? [undefined]) {
      for (let attempt = 1; ; attempt++) {
        try {
          const { items } = await this.client.list<Workflow>(WORKFLOW_API, 'Workflow', namespace, {
            labelSelector,
            ...(options.chunkSize ? { limit: options.chunkSize } : {}),
          });
          for (const item of items) keys.push(runKey(item.metadata.namespace ?? 'default', item.metadata.name ?? ''));
          break;
        } catch (error) {
          if (!(error instanceof KubeGoneError) || !options.chunkSize) throw error;
          if (attempt >= LIST_RESTARTS)
            throw new Error(
              `the Workflows changed faster than they could be listed ${options.chunkSize} at a time (the API server's continue token expired ${attempt} times); list again, with a larger --chunk-size`,
            );
        }
      }
    }
    return keys.sort();
  }

  async load(key: RunKey): Promise<StoredRun | undefined> {
    return this.serial.run(key, async () => {
      try {
        const open = await this.read(key);
        return open.run;
      } catch (error) {
        if (error instanceof KubeNotFoundError && error.object?.kind === 'Workflow') return undefined;
        throw error;
      }
    });
  }

  /**
   * The run as the cluster has it, for those who only look (`skiff get`, `list`, `wait`): unlike
   * `load` it takes nothing over and deletes nothing, so it is safe while a controller drives the
   * run (a snapshot generation being written is not yet the Workflow's, and must not go).
   */
  async peek(key: RunKey): Promise<StoredRun | undefined> {
    for (let attempt = 0; ; attempt++) {
      let live: Workflow;
      try {
        live = await this.client.get<Workflow>(workflowRef(key));
      } catch (error) {
        if (error instanceof KubeNotFoundError) return undefined;
        throw error;
      }
      try {
        return readKubeRun(live, await this.chunksOf(live)).run;
      } catch (error) {
        // A compaction between the two reads deletes the generation just read: read again.
        if (!(error instanceof DamagedRunError) || attempt >= 2) throw error;
      }
    }
  }

  /**
   * Lets go of what this store keeps of a run (where its journal stands), after the writes queued
   * for it: for a long-lived process, once the run has ended or was deleted. A later load reads it anew.
   */
  async release(key: RunKey): Promise<void> {
    await this.serial.run(key, async () => {
      this.open.delete(key);
    });
  }

  async create(run: StoredRun): Promise<void> {
    await this.serial.run(run.key, async () => {
      let live: Workflow;
      // A run born with nodes (resubmitted with memoized ones) has them in the object it is created
      // as, compressed as Argo compresses nodes: a controller may take the run up the moment it is
      // there, and must find them. Only nodes too many for one object go to a first snapshot below.
      const object = workflowObject(run, undefined, { generation: 0, chunks: 0 });
      const hasNodes = Object.keys(run.status.nodes).length > 0;
      const extras = run.referenced !== undefined || run.configMaps !== undefined || run.caches !== undefined;
      const compressed = hasNodes && !extras ? encodeCompressedJson(run.status.nodes) : undefined;
      const inline = compressed !== undefined && compressed.length <= INLINE_NODES_BYTES;
      if (inline) object.status = { ...object.status, compressedNodes: compressed } as Workflow['status'];
      try {
        // Argo's CRD has no status subresource (charts/skiff/crds), so the status goes with the create.
        live = await this.client.create<Workflow>(object);
      } catch (error) {
        if (error instanceof KubeAlreadyExistsError) throw new RunExistsError(run.key);
        throw error;
      }
      this.open.set(run.key, { live, generation: 0, record: 0, snapshotBytes: 0, journalBytes: 0 });
      // Extras, or too many nodes, need a first snapshot; should this process die before it is
      // written, the run is there without them.
      if (!inline && (hasNodes || extras)) await this.snapshot(run);
    });
  }

  async save(run: StoredRun, _options: SaveOptions = {}): Promise<void> {
    await this.serial.run(run.key, async () => {
      if (!this.open.has(run.key)) {
        try {
          await this.read(run.key);
        } catch (error) {
          if (!(error instanceof KubeNotFoundError && error.object?.kind === 'Workflow')) throw error;
          const live = await this.client.create<Workflow>(workflowObject(run, undefined, { generation: 0, chunks: 0 }));
          this.open.set(run.key, { live, generation: 0, record: 0, snapshotBytes: 0, journalBytes: 0 });
        }
      }
      await this.snapshot(run);
    });
  }

  async append(key: RunKey, record: JournalRecord): Promise<boolean> {
    return this.serial.run(key, async () => {
      const open = this.open.get(key) ?? (await this.read(key));
      const number = open.record + 1;
      const head: RecordHead = { run: record.run, ...(record.workflow ? { workflow: record.workflow } : {}) };
      const bytes = await this.writeChunks(key, open, 'journal', open.generation, number, [head, ...record.nodes]);
      open.record = number;
      open.journalBytes += bytes;
      // The run-level fields on the Workflow are for people and Argo's tools; the record above is
      // what a load replays, so a crash between the two writes loses nothing.
      await this.updateWorkflow(key, open.generation, (live) => workflowWithRecord(live, record));
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

  /** Reads the run from the cluster and takes it over: ConfigMaps no part of it are deleted. */
  private async read(key: RunKey): Promise<OpenRun & { run: StoredRun }> {
    const live = await this.client.get<Workflow>(workflowRef(key));
    const { run, stale, ...where } = readKubeRun(live, await this.chunksOf(live));
    await this.deleteConfigMaps(key, stale);
    // The run itself is not kept: its driver owns it, and a store of many runs must not hold them all.
    const open = { live, ...where };
    this.open.set(key, open);
    return { ...open, run };
  }

  /** Writes a new snapshot generation, points the Workflow at it, then deletes the generations before. */
  private async snapshot(run: StoredRun): Promise<void> {
    const open = this.open.get(run.key)!;
    const generation = open.generation + 1;
    const definition: RunDefinition = {
      ...(run.referenced ? { referenced: run.referenced } : {}),
      ...(run.configMaps ? { configMaps: run.configMaps } : {}),
      ...(run.caches ? { caches: run.caches } : {}),
    };
    const items = [definition, ...Object.values(run.status.nodes)];
    const chunks: number[] = [];
    const bytes = await this.writeChunks(run.key, open, 'snapshot', generation, 0, items, chunks);
    await this.updateWorkflow(run.key, open.generation, (live) => workflowObject(run, live, { generation, chunks: chunks.length }));
    Object.assign(open, { generation, record: 0, snapshotBytes: bytes, journalBytes: 0 });
    const old = await this.chunksOf(open.live, `${RUN_GENERATION_LABEL}!=${generation}`);
    await this.deleteConfigMaps(
      run.key,
      old.map((c) => c.metadata.name ?? ''),
    );
  }

  /**
   * Packs items into ConfigMaps of the run; returns their bytes, and one entry per chunk in `count`.
   * A ConfigMap of that name may be there already: this store's own, from a write whose answer was
   * lost, or a snapshot generation no Workflow points at (a crash before it did); those are
   * replaced. One written by another store under a number this store meant to take is another
   * writer at work on the run: that fails with RunWriterConflictError instead of overwriting it.
   */
  private async writeChunks(
    key: RunKey,
    open: OpenRun,
    part: RunPart,
    generation: number,
    record: number,
    items: unknown[],
    count: number[] = [],
  ): Promise<number> {
    const chunks = packItems(items);
    let bytes = 0;
    let replaced = false;
    for (const [index, data] of chunks.entries()) {
      const configMap = runChunkConfigMap(open.live, { part, generation, record, chunk: index, chunks: chunks.length, data }, this.writer);
      try {
        await this.client.create(configMap);
      } catch (error) {
        if (!(error instanceof KubeAlreadyExistsError)) throw error;
        const there = await this.client.get<ConfigMap>({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          namespace: configMap.metadata.namespace,
          name: configMap.metadata.name!,
        });
        const ours = there.metadata.labels?.[RUN_WRITER_LABEL] === this.writer;
        const unreferenced = part === 'snapshot' && generationOf(await this.client.get<Workflow>(workflowRef(key))) < generation;
        if (!ours && !unreferenced) throw new RunWriterConflictError(key, `${configMap.metadata.name} was written by another writer`);
        await this.client.replace({ ...configMap, metadata: { ...configMap.metadata, resourceVersion: there.metadata.resourceVersion } });
        replaced = true;
      }
      bytes += data.length;
      count.push(index);
    }
    // The earlier attempt may have packed into more chunks; one left over would make this record
    // (or snapshot) look incomplete to a load.
    if (replaced) await this.deleteChunksFrom(key, open, { part, generation, record, chunk: chunks.length });
    return bytes;
  }

  /** Deletes chunks `chunk`, `chunk + 1`, ... of a record or snapshot, up to the first that is not there. */
  private async deleteChunksFrom(key: RunKey, open: OpenRun, from: { part: RunPart; generation: number; record: number; chunk: number }): Promise<void> {
    const { namespace } = splitRunKey(key);
    for (let chunk = from.chunk; ; chunk++) {
      const name = runChunkConfigMap(open.live, { ...from, chunk, chunks: 0, data: '' }).metadata.name!;
      try {
        await this.client.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name });
      } catch (error) {
        if (error instanceof KubeNotFoundError) return;
        throw error;
      }
    }
  }

  /**
   * Replaces the Workflow with `change(live)`, conditional on the resourceVersion last seen. On 409
   * Conflict it re-reads the Workflow and tries again, so that someone's label or annotation does
   * not fail the run; but only while the Workflow still points at the snapshot `generation` this
   * store writes on: another store that compacted the run has taken it over (RunWriterConflictError).
   */
  private async updateWorkflow(key: RunKey, generation: number, change: (live: Workflow) => Workflow): Promise<void> {
    const open = this.open.get(key)!;
    for (let attempt = 0; ; attempt++) {
      try {
        open.live = await this.client.replace<Workflow>(change(open.live));
        return;
      } catch (error) {
        if (!(error instanceof KubeConflictError) || attempt >= CONFLICT_RETRIES) throw error;
        open.live = await this.client.get<Workflow>(workflowRef(key));
        if (generationOf(open.live) !== generation) throw new RunWriterConflictError(key, 'another writer saved the run since this store read it');
      }
    }
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
