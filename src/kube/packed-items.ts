import { gunzipSync, gzipSync } from 'node:zlib';

/**
 * The most base64 text one packed chunk may hold. etcd refuses values over 1.5 MiB and the API
 * server objects over ~1 MiB of request body; a chunk this size leaves room for the metadata of
 * the ConfigMap that carries it, whatever the data compresses to.
 */
export const MAX_CHUNK_BYTES = 640 * 1024;

/** One item alone is larger, gzipped, than a chunk may be. */
export class ItemTooLargeError extends Error {
  constructor(
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`one item is ${bytes} bytes gzipped, more than a chunk of ${limit} bytes holds`);
    this.name = 'ItemTooLargeError';
  }
}

/**
 * Packs a list of JSON values into as few gzip+base64 chunks as fit under `maxBytes` each, keeping
 * their order. Node records compress about sevenfold: the common run needs one chunk, a run of
 * 100,000 nodes some sixteen, and no chunk ever exceeds the limit however badly its data compresses.
 *
 * @example
 *   const chunks = packItems(Object.values(status.nodes)); // ['H4sIAAAA...']
 *   unpackItems(chunks); // the same nodes, in order
 */
export function packItems(items: readonly unknown[], maxBytes = MAX_CHUNK_BYTES): string[] {
  if (items.length === 0) return [];
  const chunks: string[] = [];
  // The whole list gzipped says how many chunks it needs; slices of that many are then halved only
  // where the data compresses worse than on average. About twice the gzip work of the list itself.
  const pack = (from: number, to: number, encoded = encodeChunk(items.slice(from, to))): void => {
    if (encoded.length <= maxBytes) {
      chunks.push(encoded);
      return;
    }
    if (to - from === 1) throw new ItemTooLargeError(encoded.length, maxBytes);
    const slices = Math.min(to - from, Math.max(2, Math.ceil(encoded.length / (maxBytes * 0.85))));
    const size = Math.ceil((to - from) / slices);
    for (let start = from; start < to; start += size) pack(start, Math.min(to, start + size));
  };
  pack(0, items.length);
  return chunks;
}

/** The values of chunks made by packItems, in order. Throws on a chunk that is not one. */
export function unpackItems<T = unknown>(chunks: readonly string[]): T[] {
  const items: T[] = [];
  for (const chunk of chunks) {
    const value = decodeCompressedJson(chunk);
    if (!Array.isArray(value)) throw new Error('a packed chunk does not hold a list');
    for (const item of value) items.push(item as T);
  }
  return items;
}

/**
 * gzip+base64 of a value's JSON: the encoding of Argo's `status.compressedNodes`, used for
 * chunks and journal records too, so one decoder reads them all.
 *
 * @example decodeCompressedJson(encodeCompressedJson({ a: 1 })) // { a: 1 }
 */
export function encodeCompressedJson(value: unknown): string {
  return gzipSync(JSON.stringify(value)).toString('base64');
}

export function decodeCompressedJson(text: string): unknown {
  return JSON.parse(gunzipSync(Buffer.from(text, 'base64')).toString('utf8'));
}

function encodeChunk(items: readonly unknown[]): string {
  return encodeCompressedJson(items);
}
