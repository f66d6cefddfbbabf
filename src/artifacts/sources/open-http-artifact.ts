import type { ArtifactLocation } from '../../spec/model/workflow.js';
import { ArtifactError, errorMessage } from '../artifact-error.js';

export type HttpLocation = NonNullable<ArtifactLocation['http']>;

/**
 * Starts downloading an http input artifact (with its `headers`, following redirects) and returns
 * the body as a stream, so it can be unpacked or written without being held in memory. A refused
 * connection, a 404 or a 401/403 becomes an `ArtifactError` saying so.
 *
 * @example
 *   const body = await openHttpArtifact({ url: 'https://example.com/data.tgz' });
 */
export async function openHttpArtifact(location: HttpLocation, fetchImpl: typeof fetch = fetch): Promise<AsyncIterable<Uint8Array>> {
  const headers = new Headers();
  for (const header of location.headers ?? []) headers.append(header.name, header.value);
  let response: Response;
  try {
    response = await fetchImpl(location.url, { headers, redirect: 'follow' });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause;
    throw new ArtifactError('unreachable', `http artifact ${location.url}: cannot connect (${cause?.code ?? errorMessage(err)})`, { cause: err });
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    const code = response.status === 404 || response.status === 410 ? 'not-found' : response.status === 401 || response.status === 403 ? 'access-denied' : 'io';
    throw new ArtifactError(code, `http artifact ${location.url}: the server answered ${response.status} ${response.statusText}`);
  }
  return response.body as unknown as AsyncIterable<Uint8Array>;
}
