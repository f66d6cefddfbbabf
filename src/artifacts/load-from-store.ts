import { randomBytes } from 'node:crypto';
import { lstat, mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ArtifactError, isArtifactError } from './artifact-error.js';
import { type UnarchiveMode, zipUnsupported } from './archive/archive-strategy.js';
import { peekStream } from './archive/peek-stream.js';
import { isGzippedTar, unpackTarball } from './archive/unpack-tarball.js';
import { forEachConcurrent } from '../shared/map-ordered.js';
import type { ObjectStore } from './object-store.js';

export interface LoadResult {
  /** What was found: one object, unpacked or not, or a directory of objects under `key/`. */
  form: 'tarball' | 'file' | 'directory';
  objects: number;
}

/** Enough compressed bytes to inflate a tar header from. */
const PEEK_BYTES = 64 * 1024;
const FILE_CONCURRENCY = 32;

/**
 * Loads `key` from `store` to `destPath` (which must not exist yet; its parent is created):
 * - one object that is a gzipped tarball (detected, unless `mode` says otherwise) is streamed
 *   through gunzip and extracted safely, with Argo's single-entry rule;
 * - any other object is written as the file `destPath`;
 * - no object but objects under `key/` (an `archive: none` directory): each is downloaded to
 *   `destPath/<rest of its key>`.
 * Everything is written beside `destPath` first and renamed into place, so a failed load leaves
 * nothing half-written. A key that is neither throws `ArtifactError('not-found')`.
 *
 * @example
 *   await loadFromStore(store, 'wf/pod/out.tgz', '/tmp/in/out', 'auto');
 */
export async function loadFromStore(store: ObjectStore, key: string, destPath: string, mode: UnarchiveMode, name = key): Promise<LoadResult> {
  if (mode === 'zip') throw zipUnsupported(name);
  await mkdir(dirname(destPath), { recursive: true });
  if (await exists(destPath)) throw new ArtifactError('config', `cannot load artifact ${JSON.stringify(name)}: ${destPath} already exists`);
  let body: AsyncIterable<Buffer>;
  try {
    body = await store.openRead(key);
  } catch (err) {
    if (!isArtifactError(err, 'not-found')) throw err;
    const objects = await loadDirectory(store, key, destPath);
    if (objects === 0)
      throw new ArtifactError('not-found', `artifact ${JSON.stringify(name)} not found: no object ${JSON.stringify(key)} in ${store.description}`, {
        cause: err,
      });
    return { form: 'directory', objects };
  }
  return { ...(await materialise(body, destPath, mode, name, key)), objects: 1 };
}

/**
 * Writes one object's bytes to `destPath` as Argo's executor would after downloading it: a gzipped
 * tarball (detected when `mode` is `auto`) is extracted with the single-entry rule, anything else
 * becomes the file `destPath`. Used for store objects and for http and raw inputs alike.
 */
export async function materialise(
  body: AsyncIterable<Uint8Array>,
  destPath: string,
  mode: UnarchiveMode,
  name: string,
  source: string,
): Promise<{ form: 'tarball' | 'file' }> {
  if (mode === 'zip') throw zipUnsupported(name);
  const { head, stream } = await peekStream(body, PEEK_BYTES);
  const gzippedTar = isGzippedTar(head);
  if (mode === 'tar' && !gzippedTar) {
    throw new ArtifactError('corrupt', `artifact ${JSON.stringify(name)} is declared archive: tar but ${source} is not a gzipped tarball`);
  }
  if (mode !== 'none' && gzippedTar) {
    try {
      await unpackTarball(stream, destPath);
    } catch (err) {
      if (err instanceof ArtifactError) throw new ArtifactError(err.code, `artifact ${JSON.stringify(name)} (${source}): ${err.message}`, { cause: err });
      throw err;
    }
    return { form: 'tarball' };
  }
  await writeFileAtomically(destPath, stream);
  return { form: 'file' };
}

async function loadDirectory(store: ObjectStore, key: string, destPath: string): Promise<number> {
  const prefix = `${key.replace(/\/+$/, '')}/`;
  const temp = `${destPath}.skiff-${randomBytes(4).toString('hex')}`;
  let count = 0;
  try {
    await forEachConcurrent(store.list(prefix), FILE_CONCURRENCY, async (object) => {
      const relative = object.key.slice(prefix.length);
      const parts = relative.split('/');
      // A key is data from the store: never let it climb out of the destination.
      if (parts.some((part) => part === '..' || part === '') || relative.startsWith('/')) {
        throw new ArtifactError('unsafe', `refusing to load object ${JSON.stringify(object.key)}: its key would leave ${destPath}`);
      }
      const target = join(temp, ...parts);
      await mkdir(dirname(target), { recursive: true });
      await store.getFile(object.key, target);
      count++;
    });
    if (count > 0) await rename(temp, destPath);
    return count;
  } finally {
    if (count === 0 || (await exists(temp))) await rm(temp, { recursive: true, force: true });
  }
}

async function writeFileAtomically(destPath: string, stream: AsyncIterable<Buffer>): Promise<void> {
  const temp = `${destPath}.skiff-${randomBytes(4).toString('hex')}`;
  try {
    const handle = await open(temp, 'w', 0o644);
    try {
      for await (const chunk of stream) {
        let written = 0;
        while (written < chunk.length) written += (await handle.write(chunk, written, chunk.length - written)).bytesWritten;
      }
    } finally {
      await handle.close();
    }
    await rename(temp, destPath);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}
