import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { SecretSource } from '../ports/secret-source.js';
import type { S3Location } from '../spec/model/workflow.js';
import { ArtifactError } from './artifact-error.js';
import { s3ClientConfig } from './stores/s3-client-config.js';

/** SigV4 presigned URLs live 7 days at most. */
export const MAX_PRESIGN_SECONDS = 7 * 86_400;

/**
 * A presigned GET URL of one object of an S3 location, valid for `expiresInSeconds` (at most 7
 * days), signed with the location's keys (read from the namespace's Secrets, as a step reads
 * them) and asking S3 to serve it as an attachment named `fileName`, so a browser downloads it
 * rather than showing it. Signing is done here; no request is made to S3.
 *
 * @example await presignS3Get({ endpoint: 'minio:9000', insecure: true, bucket: 'b', key: 'k.tgz', accessKeySecret, secretKeySecret }, { secrets, namespace: 'ci', expiresInSeconds: 3600, fileName: 'out.tgz' })
 */
export async function presignS3Get(
  location: S3Location,
  options: { secrets: SecretSource; namespace: string; expiresInSeconds: number; fileName: string },
): Promise<string> {
  if (!location.bucket || !location.key) throw new ArtifactError('config', 'an S3 location to link to needs a bucket and a key');
  const client = new S3Client(await s3ClientConfig(location, { secrets: options.secrets, namespace: options.namespace, maxAttempts: 1 }));
  try {
    const command = new GetObjectCommand({
      Bucket: location.bucket,
      Key: location.key,
      ResponseContentDisposition: `attachment; filename="${options.fileName.replace(/[^\w.-]/g, '_')}"`,
    });
    return await getSignedUrl(client, command, { expiresIn: Math.min(Math.max(1, Math.floor(options.expiresInSeconds)), MAX_PRESIGN_SECONDS) });
  } finally {
    client.destroy();
  }
}
