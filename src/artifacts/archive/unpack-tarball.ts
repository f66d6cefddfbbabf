import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { constants, createGunzip, gunzipSync } from 'node:zlib';
import { ArtifactError, errorMessage } from '../artifact-error.js';
import { extractTar, type ExtractStats } from './extract-tar.js';
import { BLOCK, decodeHeader } from './tar-header.js';

/**
 * Whether `head` (the first bytes of an object) starts a gzipped tarball: gzip magic, then a valid
 * tar header once inflated. This is Argo's test (`isTarball`: a gzip reader opens and the tar reader
 * finds a first entry), done on a prefix so the object is read only once.
 */
export function isGzippedTar(head: Buffer): boolean {
  if (head.length < 2 || head[0] !== 0x1f || head[1] !== 0x8b) return false;
  let inflated: Buffer;
  try {
    inflated = gunzipSync(head, { finishFlush: constants.Z_SYNC_FLUSH });
  } catch {
    return false;
  }
  if (inflated.length < BLOCK) return false;
  try {
    return decodeHeader(inflated.subarray(0, BLOCK), 0) !== undefined;
  } catch {
    return false;
  }
}

/**
 * Inflates and extracts a tar.gz stream to `dest` (which must not exist) with Argo's single-entry
 * rule: extracted into a temporary sibling directory, then, if it holds exactly one entry, that
 * entry is moved to `dest` (a tarball of `out/` or of `result.json` becomes `dest` itself);
 * otherwise the whole directory becomes `dest`. On any failure nothing is left behind.
 *
 * @example
 *   await unpackTarball(createReadStream('out.tgz'), '/tmp/inputs/out');
 */
export async function unpackTarball(source: AsyncIterable<Uint8Array>, dest: string): Promise<ExtractStats> {
  const temp = `${dest}.skiff-${randomBytes(4).toString('hex')}`;
  await mkdir(temp, { recursive: true });
  try {
    const gunzip = createGunzip({ chunkSize: 256 * 1024 });
    const feeding = pipeline(Readable.from(source, { objectMode: false }), gunzip);
    feeding.catch(() => undefined);
    let stats: ExtractStats;
    try {
      stats = await extractTar(gunzip, temp);
      await feeding;
    } catch (err) {
      gunzip.destroy();
      throw gzipError(err);
    }
    const entries = await readdir(temp);
    if (entries.length === 1) {
      await rename(join(temp, entries[0]!), dest);
      await rmdir(temp);
    } else {
      await rename(temp, dest);
    }
    return stats;
  } catch (err) {
    await rm(temp, { recursive: true, force: true });
    throw err;
  }
}

function gzipError(err: unknown): unknown {
  if (err instanceof ArtifactError) return err;
  const code = (err as { code?: string }).code ?? '';
  if (code === 'Z_BUF_ERROR' || /unexpected end of file/i.test(errorMessage(err))) {
    return new ArtifactError('corrupt', 'truncated tarball: the gzip data ends early', { cause: err });
  }
  if (code.startsWith('Z_')) {
    return new ArtifactError('corrupt', `corrupt tarball: the gzip data is damaged (${errorMessage(err)})`, { cause: err });
  }
  return err;
}
