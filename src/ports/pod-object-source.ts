/**
 * Where a pod's ConfigMaps and Secrets come from: the cluster's API for the test node, what
 * `skiff apply` stored for local runs. Values are plain text (Secrets already decoded).
 *
 * @example
 *   const objects: PodObjectSource = { configMap: async (ns, name) => ({ key: 'value' }), secret: async () => undefined };
 */
export interface PodObjectSource {
  configMap(namespace: string, name: string): Promise<Record<string, string> | undefined>;
  secret(namespace: string, name: string): Promise<Record<string, string> | undefined>;
}
