import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';
import { constants, gzip } from 'node:zlib';
import { mapOrdered } from '../../shared/map-ordered.js';
import { rechunk } from '../rechunk.js';

const gzipAsync = promisify(gzip);

export interface ParallelGzipOptions {
  /** zlib level: -1 (default, 6) to 9; 0 stores without compressing. */
  level?: number;
  /** Input bytes per gzip member. Default 1 MiB: the ratio loss is a fraction of a percent. */
  blockSize?: number;
  /** Blocks compressed at once. Default: one per core, plus one so a core never waits. */
  concurrency?: number;
}

/**
 * Gzips a stream on every core, as pigz does: the input is cut into blocks, each compressed as its
 * own gzip member on libuv's thread pool, and the members are emitted in order. Concatenated
 * members are one valid gzip file (RFC 1952 §2.2) that gunzip, GNU tar, Go's gzip reader (Argo's
 * executor) and Node's zlib all read back as one stream. Memory: about `concurrency` blocks.
 *
 * @example
 *   await pipeline(Readable.from(packTar(dir)), (src) => parallelGzip(src, { level: 6 }), upload);
 */
export async function* parallelGzip(source: AsyncIterable<Uint8Array>, options: ParallelGzipOptions = {}): AsyncGenerator<Buffer> {
  const level = options.level ?? constants.Z_DEFAULT_COMPRESSION;
  const blockSize = options.blockSize ?? 1024 * 1024;
  const concurrency = options.concurrency ?? availableParallelism() + 1;
  let any = false;
  for await (const member of mapOrdered(rechunk(source, blockSize), concurrency, (block) => gzipAsync(block, { level }))) {
    any = true;
    yield member;
  }
  // An empty input is still a valid (empty) gzip file.
  if (!any) yield await gzipAsync(Buffer.alloc(0), { level });
}
