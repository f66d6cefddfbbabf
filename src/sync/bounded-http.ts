import type { HttpClient } from 'isomorphic-git';

/**
 * Wraps a git HTTP client so that no fetch receives more than `maxBytes` of response bodies: an
 * untrusted repository (a fork's pull request) cannot fill the disk or memory with one push.
 *
 * @example bounded(http, 512 * 1024 * 1024)
 */
export function boundedHttp(inner: HttpClient, maxBytes: number): HttpClient {
  return {
    async request(request) {
      const response = await inner.request(request);
      const body = response.body;
      if (!body) return response;
      let received = 0;
      async function* counted(): AsyncIterableIterator<Uint8Array> {
        for await (const chunk of body as AsyncIterable<Uint8Array>) {
          received += chunk.length;
          if (received > maxBytes) throw new Error(`the repository sent more than ${maxBytes} bytes; refusing to fetch it`);
          yield chunk;
        }
      }
      return { ...response, body: counted() };
    },
  };
}
