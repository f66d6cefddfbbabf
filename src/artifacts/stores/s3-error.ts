import { ArtifactError, errorMessage } from '../artifact-error.js';

export interface S3ErrorContext {
  key: string;
  /** upload, download, list, delete */
  operation: string;
  /** `s3://bucket at endpoint` */
  store: string;
  bucket: string;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ECONNABORTED']);
const AUTH_NAMES = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'AccessDenied',
  'ExpiredToken',
  'InvalidToken',
  'InvalidClientTokenId',
  'AllAccessDisabled',
]);

/**
 * Turns what the AWS SDK throws into an `ArtifactError` a person can act on: which store, which
 * key, and what to check. The SDK's own message is kept at the end.
 */
export function s3Error(err: unknown, context: S3ErrorContext): ArtifactError {
  if (err instanceof ArtifactError) return err;
  const e = err as { name?: string; code?: string; Code?: string; $metadata?: { httpStatusCode?: number }; cause?: { code?: string } };
  const name = e.name ?? '';
  const status = e.$metadata?.httpStatusCode;
  const code = e.code ?? e.cause?.code ?? '';
  const detail = errorMessage(err) || name || `HTTP ${status ?? '?'}`;
  const what = `cannot ${context.operation} ${JSON.stringify(context.key)} (${context.store})`;
  if (name === 'NoSuchBucket') {
    return new ArtifactError('config', `${what}: bucket ${JSON.stringify(context.bucket)} does not exist`, { cause: err });
  }
  if (name === 'NoSuchKey' || name === 'NotFound' || status === 404) {
    return new ArtifactError('not-found', `${what}: no such key`, { cause: err });
  }
  if (AUTH_NAMES.has(name) || status === 403 || status === 401) {
    return new ArtifactError(
      'access-denied',
      `${what}: the store refused the credentials (${name || `HTTP ${status}`}); check accessKeySecret/secretKeySecret`,
      { cause: err },
    );
  }
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(detail)) {
    return new ArtifactError(
      'config',
      `${what}: no S3 credentials: set accessKeySecret and secretKeySecret on the repository, or provide the AWS SDK's (useSDKCreds)`,
      { cause: err },
    );
  }
  if (NETWORK_CODES.has(code) || name === 'TimeoutError' || /ECONNREFUSED|ENOTFOUND|socket hang up|connect ETIMEDOUT/.test(detail)) {
    return new ArtifactError(
      'unreachable',
      `${what}: the S3 endpoint is unreachable (${code || name || detail}); check the endpoint, and insecure: true for plain http`,
      { cause: err },
    );
  }
  return new ArtifactError('io', `${what}: ${detail}`, { cause: err });
}
