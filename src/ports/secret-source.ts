/**
 * Where S3 keys and git passwords come from: Kubernetes Secrets of the workflow's namespace in a
 * cluster, what `skiff apply` stored for local runs. Narrow on purpose: the artifact layer only ever
 * needs one value of one Secret.
 *
 * @example
 *   const secrets: SecretSource = { get: async (ns, name, key) => (ns === 'argo' && name === 'minio' ? values[key] : undefined) };
 *   await secrets.get('argo', 'my-minio-cred', 'accesskey'); // 'admin'
 */
export interface SecretSource {
  /** The decoded value of `key` in Secret `name` of `namespace`; `undefined` if either is missing. */
  get(namespace: string, name: string, key: string): Promise<string | undefined>;
}
