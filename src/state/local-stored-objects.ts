import type { ManagedKind, StoredObjects } from '../ports/stored-objects.js';
import type { KubernetesObject } from '../spec/model/kubernetes.js';
import type { CronWorkflow } from '../spec/model/workflow.js';
import type { LocalObjectStore } from './local-object-store.js';

/** The state directory's WorkflowTemplates and CronWorkflows, as `skiff apply` stores them. */
export function localStoredObjects(store: LocalObjectStore): StoredObjects {
  return {
    namespace: store.namespace,
    updateHint: 'skiff apply updates it',
    async create<T extends KubernetesObject>(object: T): Promise<T | undefined> {
      const kind = object.kind as ManagedKind;
      const namespace = object.metadata.namespace ?? store.namespace;
      const name = object.metadata.name ?? '';
      if (await store.getObject(kind, namespace, name)) return undefined;
      await store.apply({ ...object, metadata: { ...object.metadata, namespace, creationTimestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') } });
      return store.getObject<T>(kind, namespace, name);
    },
    get: (kind, namespace, name) => store.getObject(kind, namespace, name),
    list: async <T extends KubernetesObject>(kind: ManagedKind, namespace: string | undefined) =>
      (await store.listObjects<T>(kind)).filter((o) => namespace === undefined || o.metadata.namespace === namespace),
    delete: (kind, namespace, name) => store.deleteObject(kind, namespace, name),
    async setSuspended(namespace: string, name: string, suspend: boolean): Promise<boolean> {
      const cron = await store.getObject<CronWorkflow>('CronWorkflow', namespace, name);
      if (!cron) return false;
      await store.apply({ ...cron, spec: { ...cron.spec, suspend } } as CronWorkflow);
      return true;
    },
  };
}
