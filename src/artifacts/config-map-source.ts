import type { ConfigMap } from '../spec/model/kubernetes.js';

/**
 * Where artifact-repository ConfigMaps come from: the cluster's API, or what `skiff apply` stored
 * for local runs.
 *
 * @example
 *   const configMaps: ConfigMapSource = { get: async (ns, name) => applied.find((cm) => cm.metadata.namespace === ns && cm.metadata.name === name) };
 */
export interface ConfigMapSource {
  /** ConfigMap `name` of `namespace`, or `undefined` if there is none. Other failures throw. */
  get(namespace: string, name: string): Promise<ConfigMap | undefined>;
}
