import type { ConfigMap } from '../spec/model/kubernetes.js';

/**
 * Where ConfigMaps come from: the cluster's API, or what `skiff apply` stored for local runs. Read
 * for artifact repositories (`artifact-repositories`), `configMapKeyRef` parameters and
 * memoization caches.
 *
 * @example
 *   const configMaps: ConfigMapSource = { get: async (ns, name) => applied.find((cm) => cm.metadata.namespace === ns && cm.metadata.name === name) };
 */
export interface ConfigMapSource {
  /** ConfigMap `name` of `namespace`, or `undefined` if there is none. Other failures throw. */
  get(namespace: string, name: string): Promise<ConfigMap | undefined>;
  /** Every ConfigMap of `namespace`: read when a ConfigMap is only named at run time. */
  listConfigMaps?(namespace: string): Promise<ConfigMap[]>;
}
