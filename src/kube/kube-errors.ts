/**
 * Failures of the Kubernetes API as typed errors. The client library throws one `ApiException`
 * for every status with the server's `Status` in its body (and node-fetch's `FetchError` when the
 * connection fails); callers need to tell apart "not there", "someone else changed it", "your
 * watch is too old", "the object is invalid" and "try again", and people need to know which
 * object it was about. `toKubeError` does that once, at the edge (kube-connection), so the rest of
 * kube/ and its users only ever see these classes.
 */

/** The object a request was about: enough to name it in a message. */
export interface ObjectRef {
  kind: string;
  namespace?: string | undefined;
  name?: string | undefined;
}

/** One entry of a `Status`'s `details.causes`: which field, and what is wrong with it. */
export interface KubeErrorCause {
  field?: string;
  reason?: string;
  message: string;
}

/** The parts of a Kubernetes `Status` (metav1.Status) that are read here. */
export interface KubeStatus {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    causes?: { type?: string; reason?: string; field?: string; message?: string }[];
    retryAfterSeconds?: number;
  };
}

interface KubeErrorInit {
  status: number | undefined;
  reason: string;
  object: ObjectRef | undefined;
  serverMessage: string;
  causes?: KubeErrorCause[];
  retryable?: boolean;
  cause?: unknown;
}

/** Any failure of a request to the API server. `status` is the HTTP code when the server answered. */
export class KubeError extends Error {
  /** The HTTP status, or undefined when no answer came (connection refused or reset). */
  readonly status: number | undefined;
  /** The Status `reason` (`NotFound`, `AlreadyExists`, `Conflict`, `Invalid`, ...) or a network error code. */
  readonly reason: string;
  readonly object: ObjectRef | undefined;
  /** What the server said, without the object's name in front (already redacted for Secrets). */
  readonly serverMessage: string;
  readonly causes: readonly KubeErrorCause[];
  /** The same request may succeed if sent again unchanged, after a pause. */
  readonly retryable: boolean;

  constructor(summary: string, init: KubeErrorInit) {
    super(`${init.object ? `${describeObject(init.object)}: ` : ''}${summary}${init.serverMessage ? ` (${init.serverMessage})` : ''}`, {
      cause: init.cause,
    });
    this.name = new.target.name;
    this.status = init.status;
    this.reason = init.reason;
    this.object = init.object;
    this.serverMessage = init.serverMessage;
    this.causes = init.causes ?? [];
    this.retryable = init.retryable ?? false;
  }
}

/** 404: the object (or its namespace) does not exist. */
export class KubeNotFoundError extends KubeError {}

/** 409 `AlreadyExists`: a create named an object that exists. */
export class KubeAlreadyExistsError extends KubeError {}

/**
 * 409 `Conflict`: an update carried a stale `resourceVersion`, or a server-side apply would take
 * fields another field manager owns (`fieldConflicts` then lists them). Re-read and decide; sending
 * the same request again cannot succeed.
 */
export class KubeConflictError extends KubeError {
  /** For an apply: the fields owned by another manager (`.data.key`), from the Status causes. */
  get fieldConflicts(): readonly KubeErrorCause[] {
    return this.causes.filter((c) => c.reason === 'FieldManagerConflict');
  }
}

/** 410: a watch or list asked for a resourceVersion the server has compacted away; list again. */
export class KubeGoneError extends KubeError {}

/** 422: the object failed validation; `causes` name the fields. */
export class KubeInvalidError extends KubeError {}

/** 403: RBAC (or an admission policy) refused the request. */
export class KubeForbiddenError extends KubeError {}

/** 401: the credentials were missing, expired or not accepted. */
export class KubeUnauthorizedError extends KubeError {}

/**
 * The server was busy or unreachable: 429, 500 `ServerTimeout`, 503, 504, or a connection that was
 * refused or reset. Always retryable; `retryAfterSeconds` is the server's hint when it gave one.
 */
export class KubeUnavailableError extends KubeError {
  readonly retryAfterSeconds: number | undefined;

  constructor(summary: string, init: KubeErrorInit & { retryAfterSeconds?: number | undefined }) {
    super(summary, { ...init, retryable: true });
    this.retryAfterSeconds = init.retryAfterSeconds;
  }
}

/** The API server serves no resource of this apiVersion and kind (a CRD not installed). */
export class KubeUnknownKindError extends KubeError {}

/**
 * `ConfigMap ci/settings`, `ClusterWorkflowTemplate shared-steps`, `ConfigMaps in ci`: how messages
 * name the object a request was about.
 *
 * @example describeObject({ kind: 'Secret', namespace: 'argo', name: 'minio' }) // 'Secret argo/minio'
 */
export function describeObject(object: ObjectRef): string {
  if (object.name === undefined) return object.namespace ? `${object.kind} in ${object.namespace}` : object.kind;
  return `${object.kind} ${object.namespace ? `${object.namespace}/` : ''}${object.name}`;
}

// Node's codes for a connection that failed in a way a later attempt may not; node-fetch reports a
// stream (a watch) cut off mid-response as ERR_STREAM_PREMATURE_CLOSE.
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

/**
 * The typed error for anything a request to the API server threw: an `ApiException` (its `code`
 * and `Status` body), an error with a `statusCode` (the library's watch), a network error, or
 * anything else (kept as a plain `KubeError`, not retryable). A KubeError passes through unchanged.
 *
 * @example
 *   try { await client.get(ref) } catch (error) { throw toKubeError(error, ref) }
 *   // KubeNotFoundError: ConfigMap ci/settings: not found (configmaps "settings" not found)
 */
export function toKubeError(error: unknown, object?: ObjectRef): KubeError {
  if (error instanceof KubeError) return error;
  const status = httpStatusOf(error);
  if (status !== undefined) {
    const body = statusBodyOf(error);
    return fromStatus({ ...body, code: body.code ?? status }, object, retryAfterHeader(error));
  }
  const code = networkCodeOf(error);
  if (code !== undefined) {
    return new KubeUnavailableError('the API server could not be reached', {
      status: undefined,
      reason: code,
      object,
      serverMessage: error instanceof Error ? error.message : String(error),
      cause: error,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  if (message.includes('Unrecognized API version and kind')) {
    return new KubeUnknownKindError('the API server serves no such kind', { status: undefined, reason: 'UnknownKind', object, serverMessage: message });
  }
  return new KubeError('request failed', { status: undefined, reason: 'Unknown', object, serverMessage: message, cause: error });
}

/**
 * The typed error a `Status` (from an error response, or a watch's ERROR event) stands for.
 *
 * @example
 *   fromStatus({ kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version: 5 (90)' }) // KubeGoneError
 */
export function fromStatus(body: KubeStatus, object?: ObjectRef, retryAfterSeconds?: number): KubeError {
  const status = body.code;
  const reason = body.reason ?? '';
  const secret = isSecret(object, body);
  const serverMessage = redact(body.message ?? '', secret);
  const causes: KubeErrorCause[] = (body.details?.causes ?? []).map((c) => ({
    ...(c.field ? { field: c.field } : {}),
    ...(c.reason || c.type ? { reason: (c.reason ?? c.type)! } : {}),
    message: redact(c.message ?? '', secret),
  }));
  const init: KubeErrorInit = { status, reason, object, serverMessage, causes };
  switch (status) {
    case 404:
      return new KubeNotFoundError('not found', init);
    case 409:
      return reason === 'AlreadyExists' ? new KubeAlreadyExistsError('already exists', init) : new KubeConflictError(conflictSummary(causes), init);
    case 410:
      return new KubeGoneError('resource version expired (410 Gone); list again', init);
    case 422:
      return new KubeInvalidError(invalidSummary(causes), init);
    case 403:
      return new KubeForbiddenError('forbidden', init);
    case 401:
      return new KubeUnauthorizedError('unauthorized: the API server did not accept the credentials', init);
    case 429:
    case 503:
    case 504:
      return new KubeUnavailableError(`the API server is busy (${status}${reason ? ` ${reason}` : ''})`, {
        ...init,
        retryAfterSeconds: body.details?.retryAfterSeconds ?? retryAfterSeconds,
      });
    case 500:
      if (reason === 'ServerTimeout')
        return new KubeUnavailableError('the API server timed out (500 ServerTimeout)', { ...init, retryAfterSeconds: body.details?.retryAfterSeconds });
      return new KubeError(`the API server failed (500${reason ? ` ${reason}` : ''})`, init);
    default:
      return new KubeError(`request failed (${status ?? 'no status'}${reason ? ` ${reason}` : ''})`, init);
  }
}

/**
 * Whether sending the same request again, after a pause, may succeed: the server was overloaded,
 * timed out, or the connection dropped. A conflict is not retryable as such (re-read first).
 *
 * @example isRetryable(toKubeError(new ApiException(503, '', '{}', {}))) // true
 */
export function isRetryable(error: unknown): boolean {
  return toKubeError(error).retryable;
}

/** True when the error means the object is not there (404). */
export function isNotFound(error: unknown): boolean {
  return toKubeError(error) instanceof KubeNotFoundError;
}

function conflictSummary(causes: KubeErrorCause[]): string {
  const fields = causes.filter((c) => c.reason === 'FieldManagerConflict');
  if (fields.length === 0) return 'conflict: the object was changed since it was read';
  return `apply conflict: fields owned by another field manager: ${fields.map((c) => `${c.field ?? '?'} (${c.message})`).join(', ')}`;
}

function invalidSummary(causes: KubeErrorCause[]): string {
  if (causes.length === 0) return 'invalid';
  return `invalid: ${causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message)).join('; ')}`;
}

function isSecret(object: ObjectRef | undefined, body: KubeStatus): boolean {
  return object?.kind === 'Secret' || object?.kind === 'SecretList' || body.details?.kind === 'secrets' || body.details?.kind === 'Secret';
}

// Validation messages quote the value they refused (`Invalid value: "..."`); for a Secret that may
// be secret data, so a Secret's messages keep the field and the rule but never the value.
function redact(message: string, secret: boolean): string {
  return secret ? message.replace(/Invalid value: (?:"(?:[^"\\]|\\.)*"|\S+)/g, 'Invalid value: <redacted>') : message;
}

function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const record = error as { code?: unknown; statusCode?: unknown; body?: unknown };
  // ApiException's `code` is the HTTP status; a network error's `code` is a string like ECONNRESET.
  if (typeof record.code === 'number') return record.code;
  if (typeof record.statusCode === 'number') return record.statusCode;
  return undefined;
}

function statusBodyOf(error: unknown): KubeStatus {
  let body = (error as { body?: unknown }).body;
  if (Buffer.isBuffer(body)) body = body.toString('utf8');
  if (typeof body === 'string') {
    const text = body;
    try {
      body = JSON.parse(text);
    } catch {
      // Not a Status (a proxy's HTML page, say): show a little of it, never the whole page.
      return { message: text.trim().slice(0, 200) };
    }
  }
  if (typeof body !== 'object' || body === null) return {};
  return body as KubeStatus;
}

function retryAfterHeader(error: unknown): number | undefined {
  const headers = (error as { headers?: Record<string, string> }).headers;
  const value = headers?.['retry-after'] ?? headers?.['Retry-After'];
  const seconds = value === undefined ? Number.NaN : Number(value);
  return Number.isFinite(seconds) ? seconds : undefined;
}

function networkCodeOf(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current && typeof current === 'object' && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
