import type { ConfigMap } from '../spec/model/kubernetes.js';
import type { KubeClient } from './kube-client.js';
import { KubeNotFoundError } from './kube-errors.js';
import { runChunkSelector } from './run-node-config-maps.js';

/**
 * Deletes the node ConfigMaps of the run whose Workflow had `uid`, once that Workflow is deleted.
 * They are owned by it, so a cluster's garbage collector deletes them too; deleting them here
 * leaves nothing behind where no collector runs.
 */
export async function deleteRunNodeConfigMaps(client: KubeClient, namespace: string, uid: string): Promise<void> {
  const chunks = await client.list<ConfigMap>('v1', 'ConfigMap', namespace, { labelSelector: runChunkSelector(uid) });
  for (const chunk of chunks.items) {
    try {
      await client.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name: chunk.metadata.name! });
    } catch (error) {
      if (!(error instanceof KubeNotFoundError)) throw error;
    }
  }
}
