import type { KubeClient } from '../../src/kube/kube-client.js';
import type { KubernetesObject } from '../../src/spec/model/kubernetes.js';
import type { MinioServer } from '../env/minio/start-minio.js';

/** An `s3:` artifact repository in MinIO's bucket, its keys read from the Secret `minio-cred`; `extra` adds lines (`keyFormat: ...`). */
export function minioS3Repository(minio: MinioServer, extra: string[] = []): string {
  return [
    's3:',
    `  bucket: ${minio.bucket}`,
    `  endpoint: ${minio.endpoint.replace('http://', '')}`,
    '  insecure: true',
    ...extra.map((line) => `  ${line}`),
    '  accessKeySecret: {name: minio-cred, key: accesskey}',
    '  secretKeySecret: {name: minio-cred, key: secretkey}',
    '',
  ].join('\n');
}

/** A Secret holding MinIO's keys as `accesskey` and `secretkey`, as minioS3Repository's entries read them. */
export function minioSecret(minio: MinioServer, namespace: string, name = 'minio-cred'): KubernetesObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace },
    stringData: { accesskey: minio.accessKey, secretkey: minio.secretKey },
  } as KubernetesObject;
}

/**
 * Makes MinIO the artifact repository of `namespace` as a cluster holds one: the Secret
 * `minio-cred` with its keys, and the `artifact-repositories` ConfigMap with `repositories`
 * (default: one, `minio`) and the first of them as the default.
 */
export async function createMinioRepository(
  client: KubeClient,
  minio: MinioServer,
  namespace: string,
  repositories: Record<string, string> = { minio: minioS3Repository(minio) },
): Promise<void> {
  await client.create(minioSecret(minio, namespace));
  await client.create({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'artifact-repositories',
      namespace,
      annotations: { 'workflows.argoproj.io/default-artifact-repository': Object.keys(repositories)[0]! },
    },
    data: repositories,
  } as KubernetesObject);
}
