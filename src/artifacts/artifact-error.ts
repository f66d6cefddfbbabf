/**
 * Why an artifact could not be saved, loaded or deleted. The code lets callers decide what to do
 * (an optional input that is `not-found` is skipped; `unreachable` may be retried) without parsing
 * messages; the message is written for the person reading the failed node.
 */
export type ArtifactErrorCode =
  | 'not-found' // the object, key, file or revision does not exist
  | 'unreachable' // the store's endpoint did not answer (DNS, refused, timeout)
  | 'access-denied' // the store answered but refused our credentials
  | 'corrupt' // the data is not what it claims to be (bad gzip, truncated or malformed tar)
  | 'unsafe' // an archive tried to write outside its target, or holds links/devices we refuse
  | 'unsupported' // a feature Skiff does not implement (zip, a storage kind)
  | 'config' // the repository or artifact is configured wrongly
  | 'io'; // anything else that went wrong on the way

export class ArtifactError extends Error {
  constructor(
    readonly code: ArtifactErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ArtifactError';
  }
}

export function isArtifactError(err: unknown, code?: ArtifactErrorCode): err is ArtifactError {
  return err instanceof ArtifactError && (code === undefined || err.code === code);
}

/** The message of anything thrown, for wrapping into a clearer one. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
