import { randomUUID } from 'node:crypto';
import { readdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ClusterObjects } from '../ports/cluster-objects.js';
import type { TemplateKind } from '../ports/template-store.js';
import type { ConfigMap, KubernetesObject, Secret } from '../spec/model/kubernetes.js';
import type { WorkflowSpec } from '../spec/model/workflow.js';
import { applyAs, declaredPart, type FieldConflict, updateAs } from './local-field-managers.js';
import { makePrivateDir, openPrivate } from './private-files.js';

/** The kinds `skiff apply` keeps for local runs. */
export const STORED_KINDS = ['ConfigMap', 'Secret', 'WorkflowTemplate', 'ClusterWorkflowTemplate', 'CronWorkflow'] as const;
export type StoredKind = (typeof STORED_KINDS)[number];

/** ClusterWorkflowTemplates belong to no namespace; they are kept under this folder name. */
const CLUSTER_SCOPE = '_cluster';

export const DEFAULT_NAMESPACE = 'default';

export type ApplyResult = 'created' | 'configured' | 'unchanged';

/** The field manager `skiff apply` writes as (a plain write, as kubectl's client-side apply is). */
export const LOCAL_APPLY_MANAGER = 'skiff-apply';

/** What a server-side apply to the store did: the object as stored (or as it would be), or the fields another manager owns. */
export type FieldApplyResult = { object: KubernetesObject; result: ApplyResult } | { conflicts: FieldConflict[] };

export interface LocalObjectStoreOptions {
  /** The namespace templateRefs and pods are looked up in when the caller names none. */
  namespace?: string;
  /** fsync writes (default true). */
  sync?: boolean;
}

/**
 * The objects `skiff apply` stored for local runs, one JSON file per object at
 * `<dir>/<Kind>/<namespace>/<name>.json`, each written atomically (temporary file, rename), so a
 * reader never sees half an object. It is what a local run has instead of the cluster's API:
 * artifact-repository ConfigMaps, S3 keys in Secrets, ConfigMap/Secret volumes and env of pods,
 * and the WorkflowTemplates that `templateRef` and `workflowTemplateRef` name.
 *
 * @example
 * const objects = new LocalObjectStore(layout.objects);
 * await objects.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { a: '1' } }); // 'created'
 * await objects.configMap('default', 'settings'); // { a: '1' }
 */
export class LocalObjectStore implements ClusterObjects {
  readonly namespace: string;
  private readonly sync: boolean;

  constructor(
    private readonly dir: string,
    options: LocalObjectStoreOptions = {},
  ) {
    this.namespace = options.namespace ?? DEFAULT_NAMESPACE;
    this.sync = options.sync ?? true;
  }

  /**
   * Stores an object as kubectl apply would report it: created, configured (changed) or
   * unchanged. A plain write by `manager`: it replaces the object and owns the fields it changed.
   */
  async apply(object: KubernetesObject, manager = LOCAL_APPLY_MANAGER): Promise<ApplyResult> {
    const { kind, namespace, name } = this.identityOf(object);
    const previous = await this.getObject(kind, namespace, name);
    // As on a server with a status subresource, writing an object without status keeps the one it has (a CronWorkflow's runs).
    const { status: previousStatus } = (previous ?? {}) as { status?: unknown };
    const written = 'status' in object || previousStatus === undefined ? object : ({ ...object, status: previousStatus } as KubernetesObject);
    const updated = updateAs(previous, this.withIdentity(written, namespace), manager, new Date());
    if (previous && sameDeclared(previous, updated) && sameStatus(previous, updated)) return 'unchanged';
    await this.write(kind, namespace, name, { ...updated, metadata: { ...updated.metadata, ...this.serverMetadata(previous, updated) } });
    return previous ? 'configured' : 'created';
  }

  /**
   * Server-side apply as `manager` (see local-field-managers.ts): the fields declared are merged
   * into the stored object, and a field another manager owns with another value is a conflict
   * unless `force`. With `dryRun` nothing is stored. An object that would not change is not written.
   */
  async applyFields(object: KubernetesObject, manager: string, options: { force?: boolean; dryRun?: boolean } = {}): Promise<FieldApplyResult> {
    const { kind, namespace, name } = this.identityOf(object);
    const previous = await this.getObject(kind, namespace, name);
    const outcome = applyAs(previous, this.withIdentity(object, namespace), manager, { force: options.force === true, now: new Date() });
    if (!outcome.object) return { conflicts: outcome.conflicts };
    const unchanged = previous !== undefined && sameDeclared(previous, outcome.object) && sameOwners(previous, outcome.object);
    if (unchanged) return { object: previous, result: 'unchanged' };
    const stored = { ...outcome.object, metadata: { ...outcome.object.metadata, ...this.serverMetadata(previous, object) } };
    if (!options.dryRun) await this.write(kind, namespace, name, stored);
    return { object: stored, result: previous ? 'configured' : 'created' };
  }

  async getObject<T extends KubernetesObject>(kind: StoredKind, namespace: string | undefined, name: string): Promise<T | undefined> {
    return this.read<T>(this.pathOf(kind, kind === 'ClusterWorkflowTemplate' ? undefined : (namespace ?? this.namespace), name));
  }

  /** Every stored object of a kind (all namespaces), sorted by namespace and name. */
  async listObjects<T extends KubernetesObject>(kind: StoredKind): Promise<T[]> {
    const root = join(this.dir, kind);
    const out: T[] = [];
    for (const namespace of await names(root)) {
      for (const file of await names(join(root, namespace))) {
        if (!file.endsWith('.json')) continue;
        const object = await this.read<T>(join(root, namespace, file));
        if (object) out.push(object);
      }
    }
    return out;
  }

  /** Deletes an object; with `uid`, only if the stored object still has that uid (false otherwise, as when absent). */
  async deleteObject(kind: StoredKind, namespace: string | undefined, name: string, options: { uid?: string } = {}): Promise<boolean> {
    const path = this.pathOf(kind, kind === 'ClusterWorkflowTemplate' ? undefined : (namespace ?? this.namespace), name);
    const existing = await this.read<KubernetesObject>(path);
    if (existing === undefined) return false;
    if (options.uid !== undefined && existing.metadata?.uid !== options.uid) return false;
    await rm(path, { force: true });
    return true;
  }

  // TemplateStore
  async get(kind: TemplateKind, name: string): Promise<WorkflowSpec | undefined>;
  // ConfigMapSource
  async get(namespace: string, name: string): Promise<ConfigMap | undefined>;
  // SecretSource
  async get(namespace: string, name: string, key: string): Promise<string | undefined>;
  /**
   * One method name serves three ports (ConfigMapSource, SecretSource and TemplateStore all call
   * theirs `get`); the arguments tell them apart: a template kind first, or a third key argument.
   */
  async get(first: string, name: string, key?: string): Promise<ConfigMap | WorkflowSpec | string | undefined> {
    if (key !== undefined) return (await this.secret(first, name))?.[key];
    if (first === 'WorkflowTemplate') return (await this.getObject<{ spec: WorkflowSpec } & KubernetesObject>('WorkflowTemplate', this.namespace, name))?.spec;
    if (first === 'ClusterWorkflowTemplate')
      return (await this.getObject<{ spec: WorkflowSpec } & KubernetesObject>('ClusterWorkflowTemplate', undefined, name))?.spec;
    return this.getObject<ConfigMap>('ConfigMap', first, name);
  }

  /** Every ConfigMap stored in `namespace`, by name (ParameterConfigMapSource). */
  async listConfigMaps(namespace: string): Promise<ConfigMap[]> {
    const dir = dirname(this.pathOf('ConfigMap', namespace, 'any'));
    const out: ConfigMap[] = [];
    for (const file of await names(dir)) {
      if (!file.endsWith('.json')) continue;
      const object = await this.read<ConfigMap>(join(dir, file));
      if (object) out.push(object);
    }
    return out;
  }

  // PodObjectSource
  async configMap(namespace: string, name: string): Promise<Record<string, string> | undefined> {
    const object = await this.getObject<ConfigMap>('ConfigMap', namespace, name);
    if (!object) return undefined;
    const data: Record<string, string> = { ...(object.data ?? {}) };
    for (const [k, v] of Object.entries(object.binaryData ?? {})) data[k] = Buffer.from(v, 'base64').toString('latin1');
    return data;
  }

  /** A Secret's values decoded as Kubernetes does: `data` is base64, `stringData` plain and wins. */
  async secret(namespace: string, name: string): Promise<Record<string, string> | undefined> {
    const object = await this.getObject<Secret>('Secret', namespace, name);
    if (!object) return undefined;
    const data: Record<string, string> = {};
    for (const [k, v] of Object.entries(object.data ?? {})) data[k] = Buffer.from(String(v), 'base64').toString('utf8');
    for (const [k, v] of Object.entries(object.stringData ?? {})) data[k] = String(v);
    return data;
  }

  private identityOf(object: KubernetesObject): { kind: StoredKind; namespace: string | undefined; name: string } {
    const kind = storedKind(object.kind);
    if (!kind) throw new Error(`${object.kind} is not a kind the state directory keeps (${STORED_KINDS.join(', ')})`);
    const name = object.metadata?.name;
    if (!name) throw new Error(`${object.kind} has no metadata.name`);
    return { kind, namespace: kind === 'ClusterWorkflowTemplate' ? undefined : (object.metadata.namespace ?? this.namespace), name };
  }

  private withIdentity(object: KubernetesObject, namespace: string | undefined): KubernetesObject {
    return { ...object, metadata: { ...object.metadata, ...(namespace ? { namespace } : {}) } };
  }

  /**
   * What the store keeps about an object, as an API server does: a uid for its life, a version per
   * write, and its creation time (unlike a server, one the object brings is kept: objects exported
   * from a cluster keep theirs, and with it the CronWorkflow times already due).
   */
  private serverMetadata(previous: KubernetesObject | undefined, object: KubernetesObject): Record<string, string> {
    return {
      uid: previous?.metadata?.uid ?? randomUUID(),
      creationTimestamp: previous?.metadata?.creationTimestamp ?? object.metadata?.creationTimestamp ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      resourceVersion: String(Number(previous?.metadata?.resourceVersion ?? '0') + 1),
    };
  }

  private async write(kind: StoredKind, namespace: string | undefined, name: string, object: KubernetesObject): Promise<void> {
    await this.writeAtomic(this.pathOf(kind, namespace, name), `${JSON.stringify(object, null, 2)}\n`);
  }

  private pathOf(kind: StoredKind, namespace: string | undefined, name: string): string {
    for (const part of [namespace ?? CLUSTER_SCOPE, name]) {
      // Names become file names: keep them to what Kubernetes allows, so none can climb out.
      if (!/^[a-z0-9A-Z_]([-a-z0-9A-Z_.]*[a-z0-9A-Z_])?$/.test(part) || part.includes('..')) throw new Error(`invalid object name or namespace "${part}"`);
    }
    return join(this.dir, kind, namespace ?? CLUSTER_SCOPE, `${name}.json`);
  }

  private async read<T>(path: string): Promise<T | undefined> {
    try {
      return JSON.parse(await readFile(path, 'utf8')) as T;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  private async writeAtomic(path: string, text: string): Promise<void> {
    await makePrivateDir(dirname(path));
    const temporary = `${path}.${process.pid}.tmp`;
    const handle = await openPrivate(temporary, 'w');
    try {
      await handle.writeFile(text);
      if (this.sync) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  }
}

function sameDeclared(a: KubernetesObject, b: KubernetesObject): boolean {
  return JSON.stringify(declaredPart(a)) === JSON.stringify(declaredPart(b));
}

function sameStatus(a: KubernetesObject, b: KubernetesObject): boolean {
  return JSON.stringify((a as { status?: unknown }).status) === JSON.stringify((b as { status?: unknown }).status);
}

function sameOwners(a: KubernetesObject, b: KubernetesObject): boolean {
  const owners = (o: KubernetesObject) =>
    JSON.stringify(((o.metadata as { managedFields?: Array<{ manager: string; fieldsV1: unknown }> }).managedFields ?? []).map((e) => [e.manager, e.fieldsV1]));
  return owners(a) === owners(b);
}

function storedKind(kind: string): StoredKind | undefined {
  return (STORED_KINDS as readonly string[]).includes(kind) ? (kind as StoredKind) : undefined;
}

async function names(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}
