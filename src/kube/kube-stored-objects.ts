import type { ManagedKind, StoredObjects } from '../ports/stored-objects.js';
import type { KubernetesObject, ObjectMeta } from '../spec/model/kubernetes.js';
import { ARGO_API_VERSION } from '../spec/model/workflow.js';
import type { KubeClient, ResourceRef } from './kube-client.js';
import { KubeAlreadyExistsError, KubeNotFoundError } from './kube-errors.js';
import { CONTROLLER_INSTANCE_ID_LABEL, SKIFF_INSTANCE_ID } from './kube-names.js';

/**
 * A cluster's WorkflowTemplates and CronWorkflows (argoproj.io/v1alpha1), through the API server:
 * what `argo template` and `argo cron` manage there. A missing object is `undefined`/false; any
 * other failure (forbidden, CRD not installed) throws its KubeError, so "may not" never reads as
 * "not there".
 */
export function kubeStoredObjects(client: KubeClient, namespace: string): StoredObjects {
  const ref = (kind: ManagedKind, ns: string, name: string): ResourceRef => ({ apiVersion: ARGO_API_VERSION, kind, namespace: ns, name });
  const absentAs = async <T>(call: () => Promise<T>, absent: T): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      if (error instanceof KubeNotFoundError) return absent;
      throw error;
    }
  };
  return {
    namespace,
    updateHint: 'kubectl apply updates it',
    async create<T extends KubernetesObject>(object: T): Promise<T | undefined> {
      // What the server keeps for itself (uid, versions, status) is not taken from a file; a
      // CronWorkflow gets Skiff's instance id, so `skiff controller` schedules it.
      const { uid: _uid, resourceVersion: _rv, creationTimestamp: _ct, managedFields: _mf, ...metadata }: ObjectMeta = object.metadata;
      const { status: _status, ...rest } = object as T & { status?: unknown };
      const labels = object.kind === 'CronWorkflow' ? { ...metadata.labels, [CONTROLLER_INSTANCE_ID_LABEL]: SKIFF_INSTANCE_ID } : metadata.labels;
      const fresh = { ...rest, metadata: { ...metadata, namespace: metadata.namespace ?? namespace, ...(labels ? { labels } : {}) } } as unknown as T;
      try {
        return await client.create(fresh);
      } catch (error) {
        if (error instanceof KubeAlreadyExistsError) return undefined;
        throw error;
      }
    },
    get: <T extends KubernetesObject>(kind: ManagedKind, ns: string, name: string) => absentAs(() => client.get<T>(ref(kind, ns, name)), undefined),
    async list<T extends KubernetesObject>(kind: ManagedKind, ns: string | undefined): Promise<T[]> {
      const { items } = await client.list<T>(ARGO_API_VERSION, kind, ns);
      const key = (o: T): string => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
      return items.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    },
    delete: (kind, ns, name) =>
      absentAs(async () => {
        await client.delete(ref(kind, ns, name));
        return true;
      }, false),
    setSuspended: (ns, name, suspend) =>
      absentAs(async () => {
        await client.patch(ref('CronWorkflow', ns, name), { spec: { suspend } }, 'merge');
        return true;
      }, false),
  };
}
