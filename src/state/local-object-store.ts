import { readdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ClusterObjects } from '../ports/cluster-objects.js';
import type { TemplateKind } from '../ports/template-store.js';
import type { ConfigMap, KubernetesObject, Secret } from '../spec/model/kubernetes.js';
import type { WorkflowSpec } from '../spec/model/workflow.js';
import { makePrivateDir, openPrivate } from './private-files.js';

/** The kinds `skiff apply` keeps for local runs. */
export const STORED_KINDS = ['ConfigMap', 'Secret', 'WorkflowTemplate', 'ClusterWorkflowTemplate', 'CronWorkflow'] as const;
export type StoredKind = (typeof STORED_KINDS)[number];

/** ClusterWorkflowTemplates belong to no namespace; they are kept under this folder name. */
const CLUSTER_SCOPE = '_cluster';

export const DEFAULT_NAMESPACE = 'default';

export type ApplyResult = 'created' | 'configured' | 'unchanged';

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

  /** Stores an object as kubectl apply would report it: created, configured (changed) or unchanged. */
  async apply(object: KubernetesObject): Promise<ApplyResult> {
    const kind = storedKind(object.kind);
    if (!kind) throw new Error(`${object.kind} is not a kind skiff apply stores (${STORED_KINDS.join(', ')})`);
    const name = object.metadata?.name;
    if (!name) throw new Error(`${object.kind} has no metadata.name`);
    const namespace = kind === 'ClusterWorkflowTemplate' ? undefined : (object.metadata.namespace ?? this.namespace);
    const stored: KubernetesObject = { ...object, metadata: { ...object.metadata, ...(namespace ? { namespace } : {}) } };
    const path = this.pathOf(kind, namespace, name);
    const previous = await this.read<KubernetesObject>(path);
    const text = `${JSON.stringify(stored, null, 2)}\n`;
    if (previous && `${JSON.stringify(previous, null, 2)}\n` === text) return 'unchanged';
    await this.writeAtomic(path, text);
    return previous ? 'configured' : 'created';
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

  async deleteObject(kind: StoredKind, namespace: string | undefined, name: string): Promise<boolean> {
    const path = this.pathOf(kind, kind === 'ClusterWorkflowTemplate' ? undefined : (namespace ?? this.namespace), name);
    const existed = (await this.read(path)) !== undefined;
    await rm(path, { force: true });
    return existed;
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
