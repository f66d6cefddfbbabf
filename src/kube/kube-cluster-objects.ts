import type { ClusterObjects } from '../ports/cluster-objects.js';
import type { TemplateKind } from '../ports/template-store.js';
import type { ConfigMap, KubernetesObject, Secret } from '../spec/model/kubernetes.js';
import { ARGO_API_VERSION, type WorkflowSpec } from '../spec/model/workflow.js';
import type { KubeClient, ResourceRef } from './kube-client.js';
import { KubeNotFoundError } from './kube-errors.js';

export interface KubeClusterObjectsOptions {
  /** The namespace WorkflowTemplates are looked up in (the run's); defaults to the connection's. */
  namespace?: string;
}

type TemplateObject = KubernetesObject & { spec?: WorkflowSpec };

/**
 * What a run reads of the cluster, from the API server: the cluster adapter of ClusterObjects, as
 * LocalObjectStore is the local one. An object that is not there is `undefined`; any other failure
 * (forbidden, unreachable, a CRD not installed) throws a KubeError, so a run never mistakes "I may
 * not read it" for "it does not exist".
 *
 * @example
 *   const objects = new KubeClusterObjects(KubeConnection.load(), { namespace: 'ci' });
 *   await objects.get('ci', 'artifact-repositories'); // the ConfigMap, or undefined
 *   await objects.get('ci', 'minio-creds', 'accesskey'); // 'admin' (decoded)
 *   await objects.get('WorkflowTemplate', 'build-steps'); // { templates: [...] }
 */
export class KubeClusterObjects implements ClusterObjects {
  readonly namespace: string;

  constructor(
    private readonly client: KubeClient,
    options: KubeClusterObjectsOptions = {},
  ) {
    this.namespace = options.namespace ?? client.namespace;
  }

  // TemplateStore
  async get(kind: TemplateKind, name: string): Promise<WorkflowSpec | undefined>;
  // ConfigMapSource
  async get(namespace: string, name: string): Promise<ConfigMap | undefined>;
  // SecretSource
  async get(namespace: string, name: string, key: string): Promise<string | undefined>;
  /**
   * One method name serves three ports, as in LocalObjectStore: a template kind first (no namespace
   * is spelled so), or a third key argument for a Secret's value.
   */
  async get(first: string, name: string, key?: string): Promise<ConfigMap | WorkflowSpec | string | undefined> {
    if (key !== undefined) return (await this.secret(first, name))?.[key];
    if (first === 'WorkflowTemplate' || first === 'ClusterWorkflowTemplate') {
      const namespace = first === 'WorkflowTemplate' ? this.namespace : undefined;
      return (await this.read<TemplateObject>({ apiVersion: ARGO_API_VERSION, kind: first, namespace, name }))?.spec;
    }
    return this.read<ConfigMap>({ apiVersion: 'v1', kind: 'ConfigMap', namespace: first, name });
  }

  async listConfigMaps(namespace: string): Promise<ConfigMap[]> {
    return (await this.client.list<ConfigMap>('v1', 'ConfigMap', namespace)).items;
  }

  // PodObjectSource
  async configMap(namespace: string, name: string): Promise<Record<string, string> | undefined> {
    const object = await this.read<ConfigMap>({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name });
    if (!object) return undefined;
    const data: Record<string, string> = { ...(object.data ?? {}) };
    // As LocalObjectStore: binary values as latin1, one byte per character, so no byte is lost.
    for (const [k, v] of Object.entries(object.binaryData ?? {})) data[k] = Buffer.from(v, 'base64').toString('latin1');
    return data;
  }

  /** A Secret's values, decoded. The server keeps only `data` (base64); `stringData` is write-only. */
  async secret(namespace: string, name: string): Promise<Record<string, string> | undefined> {
    const object = await this.read<Secret>({ apiVersion: 'v1', kind: 'Secret', namespace, name });
    if (!object) return undefined;
    const data: Record<string, string> = {};
    for (const [k, v] of Object.entries(object.data ?? {})) data[k] = Buffer.from(String(v), 'base64').toString('utf8');
    return data;
  }

  private async read<T extends KubernetesObject>(ref: ResourceRef): Promise<T | undefined> {
    try {
      return await this.client.get<T>(ref);
    } catch (error) {
      if (error instanceof KubeNotFoundError) return undefined;
      throw error;
    }
  }
}
