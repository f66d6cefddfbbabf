import type { SecretSource } from '../../artifacts/index.js';
import type { PodRequest } from '../../engine/engine-events.js';
import type { RuntimeEvent } from '../../ports/runtime.js';
import { evaluateExpression } from '../../expr/index.js';
import type { HttpClient, HttpClientResponse } from './http-client.js';

export interface HttpTemplateOptions {
  client: HttpClient;
  /** Where `valueFrom.secretKeyRef` headers come from (what `skiff apply` stored). */
  secrets: SecretSource;
  namespace: string;
  /** Ends the request (the node was killed). */
  signal: AbortSignal;
  /** Largest response body accepted; a larger one fails the node. Default 1 MiB. */
  maxBodyBytes?: number;
  /** The time allowed when the template gives no `timeoutSeconds` (Argo documents 30 s). */
  defaultTimeoutMs?: number;
}

interface HttpSpec {
  url?: unknown;
  method?: unknown;
  headers?: unknown;
  body?: unknown;
  bodyFrom?: { bytes?: unknown } | null;
  timeoutSeconds?: unknown;
  successCondition?: unknown;
  insecureSkipVerify?: unknown;
}

type Finished = Extract<RuntimeEvent, { type: 'pod-finished' }>;

const MAX_REDIRECTS = 10;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Runs an http template on this machine, as Argo's agent does (workflow/executor/agent.go): one
 * request with the template's method (GET by default), headers (values, or Secret keys), body
 * and `timeoutSeconds`, redirects followed as Go's client follows them; then `successCondition`
 * (an expression over `request.*` and `response.statusCode/body/headers`) or, without one, a 2xx
 * status decides. The node succeeds or fails with Argo's messages, and its `outputs.result` is the
 * response body. Never throws: whatever goes wrong becomes a failed node with the reason. The body
 * is capped and the whole exchange is bounded in time.
 *
 * @example
 *   const event = await runHttpTemplate(pod, { client: nodeHttpClient, secrets, namespace: 'default', signal });
 */
export async function runHttpTemplate(pod: PodRequest, options: HttpTemplateOptions): Promise<Finished> {
  const failed = (message: string, result?: string): Finished => ({
    type: 'pod-finished',
    nodeId: pod.nodeId,
    exitCode: 1,
    message,
    ...(result !== undefined ? { outputs: { result } } : {}),
  });
  const spec = (pod.template.http ?? {}) as HttpSpec;
  const where = `http template "${pod.template.name}"`;

  if (typeof spec.url !== 'string' || spec.url === '') return failed(`${where}: url is missing`);
  let url: URL;
  try {
    url = new URL(spec.url);
  } catch {
    return failed(`${where}: url "${spec.url}" is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return failed(`${where}: url "${spec.url}" is not http or https`);
  const method = spec.method === undefined || spec.method === '' ? 'GET' : spec.method;
  if (typeof method !== 'string' || !TOKEN.test(method)) return failed(`${where}: method ${JSON.stringify(method)} is not an HTTP method`);

  const headers: Array<[string, string]> = [];
  // The request as successCondition sees it: headers with a value given in the template (Argo leaves out Secret ones).
  const shownHeaders: Record<string, string[]> = {};
  for (const [index, header] of (Array.isArray(spec.headers) ? spec.headers : []).entries()) {
    const h = (header ?? {}) as { name?: unknown; value?: unknown; valueFrom?: { secretKeyRef?: { name?: unknown; key?: unknown } } };
    if (typeof h.name !== 'string' || !TOKEN.test(h.name)) return failed(`${where}: headers[${index}] has no valid name`);
    let value: string;
    const ref = h.valueFrom?.secretKeyRef;
    if (ref) {
      if (typeof ref.name !== 'string' || typeof ref.key !== 'string') return failed(`${where}: header "${h.name}": secretKeyRef needs a name and a key`);
      let secret: string | undefined;
      try {
        secret = await options.secrets.get(options.namespace, ref.name, ref.key);
      } catch (error) {
        return failed(`${where}: header "${h.name}": cannot read secret "${ref.name}": ${(error as Error).message}`);
      }
      if (secret === undefined)
        return failed(
          `${where}: header "${h.name}": secret "${ref.name}" in namespace "${options.namespace}" has no key "${ref.key}" (store it with skiff apply)`,
        );
      value = secret;
    } else {
      value = h.value === undefined || h.value === null ? '' : String(h.value);
      shownHeaders[canonicalHeader(h.name)] = [value];
    }
    if (/[\r\n\0]/.test(value)) return failed(`${where}: header "${h.name}" has a line break or NUL in its value`);
    headers.push([h.name, value]);
  }

  let body: Buffer | undefined;
  if (spec.bodyFrom?.bytes !== undefined && spec.bodyFrom.bytes !== null) {
    if (typeof spec.bodyFrom.bytes !== 'string') return failed(`${where}: bodyFrom.bytes must be base64 text`);
    body = Buffer.from(spec.bodyFrom.bytes, 'base64');
  } else if (spec.body !== undefined && spec.body !== null && spec.body !== '') body = Buffer.from(String(spec.body));

  let timeoutMs = options.defaultTimeoutMs ?? 30_000;
  if (spec.timeoutSeconds !== undefined && spec.timeoutSeconds !== null) {
    const seconds = Number(spec.timeoutSeconds);
    if (!Number.isFinite(seconds) || seconds <= 0) return failed(`${where}: timeoutSeconds ${JSON.stringify(spec.timeoutSeconds)} is not a positive number`);
    timeoutMs = seconds * 1000;
  }
  const condition = spec.successCondition === undefined || spec.successCondition === null ? '' : String(spec.successCondition);

  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error('timeout')), timeoutMs);
  const onKill = (): void => controller.abort(new Error('killed'));
  options.signal.addEventListener('abort', onKill, { once: true });
  const describe = (error: unknown): string => {
    if (controller.signal.aborted && (controller.signal.reason as Error | undefined)?.message === 'timeout')
      return `no complete response within ${timeoutMs / 1000}s (timeoutSeconds)`;
    return networkError(error);
  };
  try {
    let response: HttpClientResponse;
    let current = url;
    let currentMethod = method;
    let currentBody = body;
    let currentHeaders = headers;
    for (let redirects = 0; ; redirects++) {
      try {
        response = await options.client({
          method: currentMethod,
          url: current,
          headers: currentHeaders,
          ...(currentBody ? { body: currentBody } : {}),
          insecureSkipVerify: spec.insecureSkipVerify === true,
          signal: controller.signal,
        });
      } catch (error) {
        return failed(`${currentMethod} ${current.href}: ${describe(error)}`);
      }
      const location = headerValue(response.headers, 'location');
      if (![301, 302, 303, 307, 308].includes(response.statusCode) || location === undefined) break;
      await drain(response.body);
      if (redirects + 1 >= MAX_REDIRECTS) return failed(`${method} ${url.href}: stopped after ${MAX_REDIRECTS} redirects`);
      let next: URL;
      try {
        next = new URL(location, current);
      } catch {
        return failed(`${currentMethod} ${current.href}: redirected to an invalid URL "${location}"`);
      }
      if (next.protocol !== 'http:' && next.protocol !== 'https:')
        return failed(`${currentMethod} ${current.href}: redirected to "${next.href}", which is not http or https`);
      // As Go: 301/302/303 turn into a GET without a body; credentials are not sent to another host.
      if ([301, 302, 303].includes(response.statusCode) && currentMethod !== 'HEAD') {
        currentMethod = 'GET';
        currentBody = undefined;
      }
      if (next.host !== current.host)
        currentHeaders = currentHeaders.filter(([name]) => !['authorization', 'cookie', 'www-authenticate'].includes(name.toLowerCase()));
      current = next;
    }

    const limit = options.maxBodyBytes ?? 1024 * 1024;
    let text: string;
    try {
      const read = await readCapped(response.body, limit);
      if (read === undefined) {
        controller.abort(new Error('too large'));
        return failed(`${method} ${url.href}: the response body is larger than ${limit} bytes, the most an http template may receive here`);
      }
      text = read;
    } catch (error) {
      return failed(`${method} ${url.href}: reading the response: ${describe(error)}`);
    }

    if (condition === '') {
      if (response.statusCode >= 200 && response.statusCode < 300) return { type: 'pod-finished', nodeId: pod.nodeId, exitCode: 0, outputs: { result: text } };
      return failed(`received non-2xx response code: ${response.statusCode}`, text);
    }
    const env = {
      request: {
        method,
        url: url.href,
        body: body && !spec.bodyFrom ? body.toString() : '',
        bodyBytes: spec.bodyFrom ? (body ?? null) : null,
        headers: shownHeaders,
      },
      response: { statusCode: response.statusCode, body: text, headers: headerMap(response.headers) },
    };
    let success: unknown;
    try {
      success = evaluateExpression(condition, env, { now: Date.now() });
    } catch (error) {
      return failed(`successCondition '${condition}' cannot be evaluated: ${(error as Error).message}`, text);
    }
    if (typeof success !== 'boolean') return failed(`successCondition '${condition}' must give true or false`, text);
    if (!success) return failed(`successCondition '${condition}' evaluated false`, text);
    return { type: 'pod-finished', nodeId: pod.nodeId, exitCode: 0, outputs: { result: text } };
  } finally {
    clearTimeout(timer);
    options.signal.removeEventListener('abort', onKill);
    if (!controller.signal.aborted) controller.abort(new Error('done'));
  }
}

/** The body as text, or undefined when it is longer than `limit` bytes (reading stops there). */
async function readCapped(body: AsyncIterable<Uint8Array>, limit: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > limit) return undefined;
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function drain(body: AsyncIterable<Uint8Array>): Promise<void> {
  let size = 0;
  for await (const chunk of body) if ((size += chunk.length) > 64 * 1024) break;
}

/** Go's CanonicalMIMEHeaderKey: `content-type` → `Content-Type`, as successCondition sees header names. */
export function canonicalHeader(name: string): string {
  return name.toLowerCase().replace(/(^|-)([a-z])/g, (_, dash: string, letter: string) => dash + letter.toUpperCase());
}

function headerMap(pairs: Array<[string, string]>): Record<string, string[]> {
  const map: Record<string, string[]> = {};
  for (const [name, value] of pairs) {
    const key = canonicalHeader(name);
    if (!Object.hasOwn(map, key)) Object.defineProperty(map, key, { value: [], enumerable: true, writable: true, configurable: true });
    map[key]!.push(value);
  }
  return map;
}

function headerValue(pairs: Array<[string, string]>, name: string): string | undefined {
  return pairs.find(([n]) => n.toLowerCase() === name)?.[1];
}

/** A connection error in words, with Node's code (ECONNREFUSED, ENOTFOUND, ...) when there is one. */
function networkError(error: unknown): string {
  const err = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = err.code ?? err.cause?.code;
  const known: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'host name lookup failed',
    ECONNRESET: 'connection reset by the server',
    ETIMEDOUT: 'connection timed out',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
    CERT_HAS_EXPIRED: 'the server certificate has expired (insecureSkipVerify: true accepts it)',
    DEPTH_ZERO_SELF_SIGNED_CERT: 'the server certificate is self-signed (insecureSkipVerify: true accepts it)',
    SELF_SIGNED_CERT_IN_CHAIN: 'the server certificate chain is self-signed (insecureSkipVerify: true accepts it)',
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the server certificate cannot be verified (insecureSkipVerify: true accepts it)',
  };
  if (code && known[code]) return `${known[code]} (${code})`;
  return err.message ?? String(error);
}
