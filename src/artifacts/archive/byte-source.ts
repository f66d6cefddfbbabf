/**
 * Pulls bytes from a chunked stream in the amounts a parser wants, without copying large chunks:
 * `read` hands out slices of the chunks as they came.
 */
export class ByteSource {
  private readonly iterator: AsyncIterator<Uint8Array>;
  private chunk: Buffer = Buffer.alloc(0);
  private done = false;
  /** Bytes handed out so far, for error messages. */
  position = 0;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  /** Up to `max` bytes (at least 1), or `undefined` at the end of the stream. */
  async read(max: number): Promise<Buffer | undefined> {
    while (this.chunk.length === 0) {
      if (this.done) return undefined;
      const next = await this.iterator.next();
      if (next.done) {
        this.done = true;
        return undefined;
      }
      this.chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
    }
    const out = this.chunk.length <= max ? this.chunk : this.chunk.subarray(0, max);
    this.chunk = this.chunk.subarray(out.length);
    this.position += out.length;
    return out;
  }

  /**
   * Exactly `n` bytes; `undefined` if the stream ended before the first byte; `short` with what
   * there was if it ended part way.
   */
  async readExact(n: number): Promise<Buffer | undefined | { short: number }> {
    const first = await this.read(n);
    if (!first) return undefined;
    if (first.length === n) return first;
    const parts = [first];
    let have = first.length;
    while (have < n) {
      const part = await this.read(n - have);
      if (!part) return { short: have };
      parts.push(part);
      have += part.length;
    }
    return Buffer.concat(parts, n);
  }

  /** Skips `n` bytes; returns how many could be skipped. */
  async skip(n: number): Promise<number> {
    let left = n;
    while (left > 0) {
      const part = await this.read(left);
      if (!part) break;
      left -= part.length;
    }
    return n - left;
  }

  /** Reads and discards the rest of the stream (so a decompressor still checks its trailer). */
  async drain(): Promise<void> {
    while (await this.read(Number.MAX_SAFE_INTEGER)) {
      // discard
    }
  }
}
