import type { CacheEntry } from '../engine/memoization-caches.js';

/**
 * Where memoized outputs are saved: cache ConfigMaps in the cluster, or those `skiff apply` keeps
 * for local runs. The engine asks for saves with `save-cache` actions; reads come from the
 * snapshot the run was given (see `loadMemoizationCaches`).
 *
 * @example await caches.save('default', 'cache-config', 'cache-key', { nodeID, outputs, creationTimestamp: t, lastHitTimestamp: t });
 */
export interface MemoizationCacheStore {
  /**
   * Stores `entry` as key `key` of ConfigMap `name`, creating the ConfigMap (labelled
   * `workflows.argoproj.io/configmap-type: Cache`) when there is none. Rejects with the reason
   * when the ConfigMap is not labelled as a cache, or would outgrow Kubernetes' 1 MiB.
   */
  save(namespace: string, name: string, key: string, entry: CacheEntry): Promise<void>;
}
