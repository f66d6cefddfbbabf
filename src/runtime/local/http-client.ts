import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** One HTTP request, as an http template makes it. */
export interface HttpClientRequest {
  method: string;
  url: URL;
  /** In order; a name may repeat. `Host` sets the host the request names (Go's `Request.Host`). */
  headers: Array<[string, string]>;
  body?: Buffer;
  /** Accept any TLS certificate (the template's `insecureSkipVerify`). */
  insecureSkipVerify: boolean;
  /** Aborted on timeout, on kill, or when the caller has read enough of the body. */
  signal: AbortSignal;
}

export interface HttpClientResponse {
  statusCode: number;
  /** As received, in order; a name may repeat. */
  headers: Array<[string, string]>;
  /** Read at most once; the caller stops early (and aborts) when the body is too large. */
  body: AsyncIterable<Uint8Array>;
}

/**
 * How the local runtime makes the request of an http template: one request, no redirects (the
 * caller follows them), the body as a stream so the caller can cap it. A port so tests can
 * answer requests for hosts this machine cannot reach.
 *
 * @example
 *   const response = await client({ method: 'GET', url: new URL('http://127.0.0.1:8080/'), headers: [], insecureSkipVerify: false, signal });
 */
export type HttpClient = (request: HttpClientRequest) => Promise<HttpClientResponse>;

/** The default client: Node's http and https modules (they allow `insecureSkipVerify` and a `Host` header, which fetch does not). */
export const nodeHttpClient: HttpClient = (request) =>
  new Promise<HttpClientResponse>((resolve, reject) => {
    const { url } = request;
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return reject(new Error(`unsupported protocol ${url.protocol}`));
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of request.headers) {
      const key = name.toLowerCase();
      const had = headers[key];
      headers[key] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [had, value];
    }
    if (request.body) headers['content-length'] = String(request.body.length);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      url,
      { method: request.method, headers, signal: request.signal, ...(url.protocol === 'https:' ? { rejectUnauthorized: !request.insecureSkipVerify } : {}) },
      (res: IncomingMessage) => {
        const pairs: Array<[string, string]> = [];
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) pairs.push([res.rawHeaders[i]!, res.rawHeaders[i + 1]!]);
        resolve({ statusCode: res.statusCode ?? 0, headers: pairs, body: res });
      },
    );
    req.on('error', reject);
    req.end(request.body);
  });
