import { lstat, open, readdir, readlink, realpath } from 'node:fs/promises';
import { constants, type Stats } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { ArtifactError } from '../artifact-error.js';
import { linkOutsideError, linkStaysInside, rootLinkError } from './link-stays-inside.js';
import { openedPath } from './opened-path.js';
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
/** A FIFO put where a file was must not block the read, nor a link be followed. */
const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/**
 * A tar stream of `sourcePath`, laid out as Argo lays it out: a file becomes one entry named after
 * it; a directory becomes `<its name>/` followed by everything under it (`<its name>/a/b`), in
 * name order. Memory stays bounded (about a megabyte) whatever the size. `stats` is filled in as
 * the stream is read.
 *
 * No symbolic link is ever followed: the tree may have been written by someone else (a step's
 * outputs), and following a link would archive whatever it names on this machine. A link inside
 * the directory is stored as a link if its target stays inside the artifact (see
 * `linkStaysInside`); any other link, and `sourcePath` itself being a link, is refused with
 * `ArtifactError('unsafe')` naming the link and its target.
 *
 * @example
 *   await pipeline(Readable.from(packTar('/tmp/out')), createGzip(), createWriteStream('out.tgz'));
 */
export async function* packTar(sourcePath: string, stats: PackStats = { entries: 0, bytes: 0, skipped: [] }): AsyncGenerator<Buffer> {
  let root: Stats;
  try {
    root = await lstat(sourcePath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new ArtifactError('not-found', `${sourcePath}: no such file or directory`, { cause: err });
    throw err;
  }
  if (root.isSymbolicLink()) throw rootLinkError(sourcePath, await readlink(sourcePath));
  if (!root.isFile() && !root.isDirectory()) throw new ArtifactError('config', `${sourcePath} is not a regular file or directory`);
  const out = new ChunkBuffer();
  const name = basename(sourcePath);
  // Every file read must lie where the walk found it, under the tree's real path.
  const within = { real: await realpath(sourcePath), path: resolve(sourcePath) };
  if (root.isFile()) {
    yield* packFile(sourcePath, name, root, out, stats, within);
  } else {
    yield* packDirectory(sourcePath, name, root, out, stats, name, within);
  }
  out.push(Buffer.alloc(BLOCK * 2));
  yield* out.flush();
}

/** The artifact's path as given and as resolved once at the start. */
interface Within {
  path: string;
  real: string;
}

async function* packDirectory(dir: string, name: string, info: Stats, out: ChunkBuffer, stats: PackStats, top: string, within: Within): AsyncGenerator<Buffer> {
  out.push(encodeHeader({ name: `${name}/`, type: 'directory', mode: info.mode, size: 0, mtime: info.mtimeMs / 1000, linkname: '' }));
  stats.entries++;
  const children = (await readdir(dir)).sort();
  for (const child of children) {
    const path = join(dir, child);
    const childName = `${name}/${child}`;
    const childInfo = await lstat(path);
    if (childInfo.isDirectory()) {
      yield* packDirectory(path, childName, childInfo, out, stats, top, within);
    } else if (childInfo.isFile()) {
      yield* packFile(path, childName, childInfo, out, stats, within);
    } else if (childInfo.isSymbolicLink()) {
      const target = await readlink(path);
      if (!linkStaysInside(childName, target, top)) throw linkOutsideError(childName.slice(top.length + 1), target);
      out.push(encodeHeader({ name: childName, type: 'symlink', mode: childInfo.mode, size: 0, mtime: childInfo.mtimeMs / 1000, linkname: target }));
      stats.entries++;
    } else {
      stats.skipped.push(childName);
    }
    if (out.ready) yield* out.flush();
  }
}

async function* packFile(path: string, name: string, info: Stats, out: ChunkBuffer, stats: PackStats, within: Within): AsyncGenerator<Buffer> {
  const size = info.size;
  out.push(encodeHeader({ name, type: 'file', mode: info.mode, size, mtime: info.mtimeMs / 1000, linkname: '' }));
  stats.entries++;
  if (size > 0) {
    const handle = await openSame(path, info, within);
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

/**
 * Opens the file `info` was taken of. Between the lstat and the open, the name, or a directory on
 * its way, may have been made a link or another file: the open does not follow a link at the
 * name, the file opened must be the one looked at, and it must have been reached inside the tree.
 */
async function openSame(path: string, info: Stats, within: Within) {
  const handle = await open(path, READ_FLAGS).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ELOOP') throw new ArtifactError('unsafe', `${path} was replaced by a link while it was archived`, { cause: err });
    throw err;
  });
  const now = await handle.stat();
  const reached = await openedPath(handle.fd);
  const expected = join(within.real, relative(within.path, resolve(path)));
  if (now.ino !== info.ino || now.dev !== info.dev || !now.isFile() || (reached !== undefined && reached !== expected)) {
    await handle.close();
    throw new ArtifactError('unsafe', `${path} was replaced while it was archived`);
  }
  return handle;
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
