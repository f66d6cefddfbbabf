/**
 * Re-cuts a chunked stream into Buffers of exactly `size` bytes (the last may be shorter): the
 * unit of a gzip block or an S3 part. Holds at most one block.
 *
 * @example
 *   for await (const part of rechunk(stream, 8 * 1024 * 1024)) await uploadPart(part);
 */
export async function* rechunk(source: AsyncIterable<Uint8Array>, size: number): AsyncGenerator<Buffer> {
  let parts: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of source) {
    let rest = chunk;
    while (length + rest.length >= size) {
      const take = size - length;
      parts.push(rest.subarray(0, take));
      yield Buffer.concat(parts, size);
      parts = [];
      length = 0;
      rest = rest.subarray(take);
    }
    if (rest.length > 0) {
      parts.push(rest);
      length += rest.length;
    }
  }
  if (length > 0) yield Buffer.concat(parts, length);
}
