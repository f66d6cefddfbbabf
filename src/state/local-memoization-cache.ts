import type { CacheEntry } from '../engine/memoization-caches.js';
import type { MemoizationCacheStore } from '../ports/memoization-cache-store.js';
import { CACHE_CONFIG_MAP_TYPE, CONFIG_MAP_TYPE_LABEL } from '../spec/model/config-map-type.js';
import type { ConfigMap } from '../spec/model/kubernetes.js';
import type { LocalObjectStore } from './local-object-store.js';

/** Kubernetes refuses a ConfigMap whose values add up to more than this many bytes. */
export const CONFIG_MAP_MAX_BYTES = 1024 * 1024;
const CONFIG_MAP_KEY_MAX = 253;

/**
 * Memoization caches of local runs: ConfigMaps in the objects `skiff apply` keeps, written as
 * Argo's controller writes them in the cluster (one key per cache key, the entry as JSON, the
 * ConfigMap created with the Cache label when absent). So `skiff get configmap`-style tooling,
 * a later `skiff apply` of an edited cache, and deleting the ConfigMap to clear it all work as
 * they do with Argo. Saves in this process go one after another, so none overwrites another.
 *
 * @example
 * const caches = new LocalMemoizationCache(objects);
 * await caches.save('default', 'cache-config', 'cache-key', entry);
 */
export class LocalMemoizationCache implements MemoizationCacheStore {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly objects: LocalObjectStore) {}

  save(namespace: string, name: string, key: string, entry: CacheEntry): Promise<void> {
    const next = this.queue.then(() => this.write(namespace, name, key, entry));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async write(namespace: string, name: string, key: string, entry: CacheEntry): Promise<void> {
    const where = `ConfigMap "${name}" in namespace "${namespace}"`;
    // Kubernetes' limit for a ConfigMap key; Argo's key rule sets none, the API server refuses it.
    if (key.length > CONFIG_MAP_KEY_MAX)
      throw new Error(`cache key "${key.slice(0, 40)}..." is ${key.length} characters long; a key of ${where} may have at most ${CONFIG_MAP_KEY_MAX}`);
    const existing = await this.objects.getObject<ConfigMap>('ConfigMap', namespace, name);
    const type = existing?.metadata?.labels?.[CONFIG_MAP_TYPE_LABEL];
    if (existing && type !== CACHE_CONFIG_MAP_TYPE) {
      throw new Error(`${where} is not labelled ${CONFIG_MAP_TYPE_LABEL}: ${CACHE_CONFIG_MAP_TYPE}; refusing to use it as a memoization cache`);
    }
    const data: Record<string, string> = { ...(existing?.data ?? {}) };
    // The field order of Argo's entries, so either side reads the other's.
    data[key] = JSON.stringify({
      nodeID: entry.nodeID,
      outputs: entry.outputs ?? null,
      creationTimestamp: entry.creationTimestamp,
      lastHitTimestamp: entry.lastHitTimestamp,
    });
    const bytes = [...Object.values(data), ...Object.values(existing?.binaryData ?? {})].reduce((sum, value) => sum + Buffer.byteLength(value), 0);
    if (bytes > CONFIG_MAP_MAX_BYTES) {
      throw new Error(
        `${where} would hold ${bytes} bytes, more than the ${CONFIG_MAP_MAX_BYTES} a ConfigMap may; delete the ConfigMap to clear the cache, or use smaller outputs or another cache`,
      );
    }
    const metadata = {
      ...(existing?.metadata ?? {}),
      name,
      namespace,
      labels: { ...(existing?.metadata?.labels ?? {}), [CONFIG_MAP_TYPE_LABEL]: CACHE_CONFIG_MAP_TYPE },
    };
    await this.objects.apply({ ...(existing ?? {}), apiVersion: 'v1', kind: 'ConfigMap', metadata, data } as ConfigMap);
  }
}
