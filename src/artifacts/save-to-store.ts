import type { Stats } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ArtifactError } from './artifact-error.js';
import { type OutputArchive, zipUnsupported } from './archive/archive-strategy.js';
import { linkOutsideError, linkStaysInside, rootLinkError } from './archive/link-stays-inside.js';
import { packTar, type PackStats } from './archive/pack-tar.js';
import { parallelGzip } from './archive/parallel-gzip.js';
import { forEachConcurrent } from '../shared/map-ordered.js';
import type { ObjectStore } from './object-store.js';

export interface SaveResult {
  /** Objects written: 1, or one per file for a directory with `archive: none`. */
  objects: number;
  /** Bytes of file data read from disk. */
  bytes: number;
}

/** Small files of an `archive: none` directory uploaded at once (each is one request). */
const FILE_CONCURRENCY = 32;

/**
 * Stores the file or directory `sourcePath` as `key`:
 * - tar (default): one object, a gzipped tarball streamed straight from disk to the store (no
 *   temporary file; gzip runs on every core);
 * - none: a file is uploaded as it is; a directory becomes one object per file under `key/`
 *   (Argo's layout; symbolic links are skipped, as Argo does), many at once;
 * - zip: not supported, said clearly.
 * No link is followed (see `packTar`): `sourcePath` being a link, or a link under it whose target
 * leaves it, is refused with `ArtifactError('unsafe')`.
 *
 * @example
 *   await saveToStore(store, 'wf/pod/out.tgz', '/tmp/out', { kind: 'tar', level: -1 });
 */
export async function saveToStore(store: ObjectStore, key: string, sourcePath: string, archive: OutputArchive, name = key): Promise<SaveResult> {
  if (archive.kind === 'zip') throw zipUnsupported(name);
  if (archive.kind === 'tar') {
    const stats: PackStats = { entries: 0, bytes: 0, skipped: [] };
    await store.putStream(key, parallelGzip(packTar(sourcePath, stats), { level: archive.level }));
    return { objects: 1, bytes: stats.bytes };
  }
  const info = await statOrNotFound(sourcePath);
  if (info.isFile()) {
    await store.putFile(key, sourcePath);
    return { objects: 1, bytes: info.size };
  }
  if (!info.isDirectory()) throw new ArtifactError('config', `${sourcePath} is not a regular file or directory`);
  const result: SaveResult = { objects: 0, bytes: 0 };
  const prefix = key.replace(/\/+$/, '');
  await forEachConcurrent(walkFiles(sourcePath, '', basename(sourcePath)), FILE_CONCURRENCY, async (file) => {
    await store.putFile(`${prefix}/${file.relative}`, file.path);
    result.objects++;
    result.bytes += file.size;
  });
  return result;
}

async function* walkFiles(dir: string, relative: string, top: string): AsyncGenerator<{ path: string; relative: string; size: number }> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    const rel = relative ? `${relative}/${entry.name}` : entry.name;
    if (entry.isDirectory()) yield* walkFiles(path, rel, top);
    else if (entry.isFile()) yield { path, relative: rel, size: (await lstat(path)).size };
    else if (entry.isSymbolicLink()) {
      // Skipped, as Argo does; but one that leaves the artifact is refused as tar refuses it.
      const target = await readlink(path);
      if (!linkStaysInside(`${top}/${rel}`, target, top)) throw linkOutsideError(rel, target);
    }
  }
}

async function statOrNotFound(path: string): Promise<Stats> {
  let info: Stats;
  try {
    info = await lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new ArtifactError('not-found', `${path}: no such file or directory`, { cause: err });
    throw err;
  }
  if (info.isSymbolicLink()) throw rootLinkError(path, await readlink(path));
  return info;
}
