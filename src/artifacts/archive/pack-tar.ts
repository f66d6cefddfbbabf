import { lstat, open, readdir, readlink, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { basename, join } from 'node:path';
import { ArtifactError } from '../artifact-error.js';
import { BLOCK, encodeHeader, padding } from './tar-header.js';

export interface PackStats {
  entries: number;
  /** Bytes of file data archived (not counting headers). */
  bytes: number;
  /** Sockets and other special files that were left out. */
  skipped: string[];
}

/** Small pieces (headers, small files) are gathered into chunks of about this size. */
const OUTPUT_CHUNK = 256 * 1024;
/** Files are read in pieces of this size; smaller files in one read. */
const READ_SIZE = 1024 * 1024;

/**
 * A tar stream of `sourcePath`, laid out as Argo lays it out: a file becomes one entry named after
 * it; a directory becomes `<its name>/` followed by everything under it (`<its name>/a/b`), in
 * name order, symbolic links kept as links. Memory stays bounded (about a megabyte) whatever the
 * size. `stats` is filled in as the stream is read.
 *
 * @example
 *   await pipeline(Readable.from(packTar('/tmp/out')), createGzip(), createWriteStream('out.tgz'));
 */
export async function* packTar(sourcePath: string, stats: PackStats = { entries: 0, bytes: 0, skipped: [] }): AsyncGenerator<Buffer> {
  let root: Stats;
  try {
    // The root is followed if it is a link, as Argo does; links inside are kept as links.
    root = await stat(sourcePath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new ArtifactError('not-found', `${sourcePath}: no such file or directory`, { cause: err });
    throw err;
  }
  if (!root.isFile() && !root.isDirectory()) throw new ArtifactError('config', `${sourcePath} is not a regular file or directory`);
  const out = new ChunkBuffer();
  const name = basename(sourcePath);
  if (root.isFile()) {
    yield* packFile(sourcePath, name, root, out, stats);
  } else {
    yield* packDirectory(sourcePath, name, root, out, stats);
  }
  out.push(Buffer.alloc(BLOCK * 2));
  yield* out.flush();
}

async function* packDirectory(dir: string, name: string, info: Stats, out: ChunkBuffer, stats: PackStats): AsyncGenerator<Buffer> {
  out.push(encodeHeader({ name: `${name}/`, type: 'directory', mode: info.mode, size: 0, mtime: info.mtimeMs / 1000, linkname: '' }));
  stats.entries++;
  const children = (await readdir(dir)).sort();
  for (const child of children) {
    const path = join(dir, child);
    const childName = `${name}/${child}`;
    const childInfo = await lstat(path);
    if (childInfo.isDirectory()) {
      yield* packDirectory(path, childName, childInfo, out, stats);
    } else if (childInfo.isFile()) {
      yield* packFile(path, childName, childInfo, out, stats);
    } else if (childInfo.isSymbolicLink()) {
      out.push(encodeHeader({ name: childName, type: 'symlink', mode: childInfo.mode, size: 0, mtime: childInfo.mtimeMs / 1000, linkname: await readlink(path) }));
      stats.entries++;
    } else {
      stats.skipped.push(childName);
    }
    if (out.ready) yield* out.flush();
  }
}

async function* packFile(path: string, name: string, info: Stats, out: ChunkBuffer, stats: PackStats): AsyncGenerator<Buffer> {
  const size = info.size;
  out.push(encodeHeader({ name, type: 'file', mode: info.mode, size, mtime: info.mtimeMs / 1000, linkname: '' }));
  stats.entries++;
  if (size > 0) {
    const handle = await open(path, 'r');
    try {
      let position = 0;
      while (position < size) {
        const want = Math.min(READ_SIZE, size - position);
        const buffer = Buffer.allocUnsafe(want);
        let got = 0;
        while (got < want) {
          const { bytesRead } = await handle.read(buffer, got, want - got, position + got);
          if (bytesRead === 0) throw new ArtifactError('io', `${path} shrank while it was being archived (expected ${size} bytes)`);
          got += bytesRead;
        }
        position += want;
        if (want >= OUTPUT_CHUNK) {
          // Large pieces go straight through rather than being copied into a bigger one.
          yield* out.flush();
          yield buffer;
        } else {
          out.push(buffer);
          if (out.ready) yield* out.flush();
        }
      }
    } finally {
      await handle.close();
    }
  }
  stats.bytes += size;
  const pad = padding(size);
  if (pad > 0) out.push(Buffer.alloc(pad));
  if (out.ready) yield* out.flush();
}

/** Gathers small buffers so downstream stages see few, large chunks. */
class ChunkBuffer {
  private parts: Buffer[] = [];
  private length = 0;

  get ready(): boolean {
    return this.length >= OUTPUT_CHUNK;
  }

  push(part: Buffer): void {
    this.parts.push(part);
    this.length += part.length;
  }

  *flush(): Generator<Buffer> {
    if (this.length === 0) return;
    const parts = this.parts;
    const length = this.length;
    this.parts = [];
    this.length = 0;
    yield parts.length === 1 ? parts[0]! : Buffer.concat(parts, length);
  }
}
