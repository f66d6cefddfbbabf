/**
 * Failure messages that Argo's `retryPolicy: OnTransientError` retries. Argo wraps the failed
 * attempt's message in a plain error and asks its IsTransientErr; on a plain error only the
 * checks that look at the text can match (those that test Kubernetes or Go error types cannot),
 * so these substrings, plus the controller's `TRANSIENT_ERROR_PATTERN`, are the whole rule.
 * An exit code alone is never transient: a step that exits 1 is not retried by this policy.
 */
const TRANSIENT_SUBSTRINGS: readonly string[] = [
  // etcd behind the API server
  'etcdserver: leader changed',
  'etcdserver: request timed out',
  'etcdserver: too many requests',
  // the network
  'unexpected error when reading response body',
  'stream error when reading response body',
  'Connection closed by foreign host',
  'net/http: TLS handshake timeout',
  'i/o timeout',
  'connection timed out',
  'connection reset by peer',
  'http2: client connection lost',
  'http2: server sent GOAWAY and closed the connection',
  'request did not complete within requested timeout',
  'connect: connection refused',
  'invalid connection',
  // client-side rate limiting and a database driver's lost row
  'client rate limiter Wait returned an error',
  'upper: no more rows in',
  // The same network conditions as Node words them: Skiff's executor and local runtime are Node
  // programs, so a refused, reset or timed-out connection reaches the message in this form.
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
];

/**
 * Whether a failed attempt's message says its failure was transient.
 *
 * @example isTransientFailure('dial tcp 10.0.0.1:443: connect: connection refused') // true
 * @example isTransientFailure('Error (exit code 1)') // false
 * @example isTransientFailure('quota exceeded', /quota/) // true
 */
export function isTransientFailure(message: string | undefined, pattern?: RegExp): boolean {
  if (!message) return false;
  if (TRANSIENT_SUBSTRINGS.some((s) => message.includes(s))) return true;
  return pattern?.test(message) ?? false;
}

/**
 * The controller setting `TRANSIENT_ERROR_PATTERN` as a regular expression (Go's regexp syntax
 * and JavaScript's agree on the common subset). Empty means none, as in Argo.
 */
export function transientErrorPattern(text: string | undefined): RegExp | undefined {
  if (text === undefined || text === '') return undefined;
  try {
    return new RegExp(text);
  } catch (error) {
    throw new Error(`TRANSIENT_ERROR_PATTERN "${text}" is not a regular expression: ${(error as Error).message}`);
  }
}
