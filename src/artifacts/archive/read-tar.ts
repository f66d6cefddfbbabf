import { ArtifactError } from '../artifact-error.js';
import { ByteSource } from './byte-source.js';
import { BLOCK, decodeHeader, decodePax, padding, type TarEntryType } from './tar-header.js';

export interface TarEntry {
  /** The entry's path, with pax and GNU long names applied. */
  name: string;
  type: TarEntryType;
  mode: number;
  size: number;
  mtime: number;
  linkname: string;
  typeflag: string;
  /** The entry's data. Read it before asking for the next entry, or it is skipped. */
  body: AsyncIterable<Buffer>;
}

/** Meta entries larger than this are refused: they are held in memory. */
const MAX_META_SIZE = 1024 * 1024;
const BODY_SLICE = 1024 * 1024;

/**
 * The entries of an uncompressed tar stream, one at a time, with memory bounded by the chunk size
 * whatever the archive holds. Stops at the end-of-archive marker, then drains the source so a
 * gzip decoder in front still verifies its checksum. Malformed or truncated input throws
 * `ArtifactError('corrupt')` saying where.
 *
 * @example
 *   for await (const entry of readTar(createReadStream('a.tar'))) {
 *     if (entry.type === 'file') for await (const chunk of entry.body) use(chunk);
 *   }
 */
export async function* readTar(source: AsyncIterable<Uint8Array>): AsyncGenerator<TarEntry> {
  const bytes = new ByteSource(source);
  let pending: { path?: string; linkpath?: string; size?: number } = {};
  let entries = 0;
  for (;;) {
    const at = bytes.position;
    const block = await bytes.readExact(BLOCK);
    if (block === undefined) {
      // A stream that ends on a block boundary without the zero blocks: Go's reader accepts it too.
      if (entries === 0) throw new ArtifactError('corrupt', 'not a valid tar archive: it is empty');
      return;
    }
    if (!Buffer.isBuffer(block)) throw truncated(`a header at byte ${at}`);
    const header = decodeHeader(block, at);
    if (!header) {
      await bytes.drain();
      return;
    }
    entries++;
    const size = pending.size ?? header.size;
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new ArtifactError('corrupt', `not a valid tar archive: bad size field in the header at byte ${at}`);
    }
    if (header.type === 'pax-header' || header.type === 'pax-global-header' || header.type === 'gnu-long-name' || header.type === 'gnu-long-link') {
      const data = await readMeta(bytes, size, header.name, at);
      if (header.type === 'pax-header') {
        const records = decodePax(data, at);
        if (records.path !== undefined) pending.path = records.path;
        if (records.linkpath !== undefined) pending.linkpath = records.linkpath;
        if (records.size !== undefined) pending.size = Number(records.size);
      } else if (header.type === 'gnu-long-name') {
        pending.path = cString(data);
      } else if (header.type === 'gnu-long-link') {
        pending.linkpath = cString(data);
      }
      continue;
    }
    const name = pending.path ?? header.name;
    const linkname = pending.linkpath ?? header.linkname;
    pending = {};
    // Links and directories carry no data even if a size is written.
    const dataSize = header.type === 'file' || header.type === 'unknown' ? size : 0;
    let left = dataSize;
    const body = (async function* (): AsyncGenerator<Buffer> {
      while (left > 0) {
        const part = await bytes.read(Math.min(left, BODY_SLICE));
        if (!part) throw truncated(`entry ${JSON.stringify(name)} (${dataSize} bytes)`);
        left -= part.length;
        yield part;
      }
    })();
    yield { name, type: header.type, mode: header.mode, size: dataSize, mtime: header.mtime, linkname, typeflag: header.typeflag, body };
    if (left > 0 && (await bytes.skip(left)) < left) throw truncated(`entry ${JSON.stringify(name)} (${dataSize} bytes)`);
    const pad = padding(dataSize);
    // Some writers omit the padding of the last entry; tolerate a short tail there.
    if (pad > 0) await bytes.skip(pad);
  }
}

async function readMeta(bytes: ByteSource, size: number, name: string, at: number): Promise<Buffer> {
  if (size > MAX_META_SIZE)
    throw new ArtifactError('corrupt', `not a valid tar archive: extended header ${JSON.stringify(name)} at byte ${at} is ${size} bytes`);
  const data = size === 0 ? Buffer.alloc(0) : await bytes.readExact(size);
  if (!Buffer.isBuffer(data)) throw truncated(`the extended header at byte ${at}`);
  await bytes.skip(padding(size));
  return data;
}

function cString(data: Buffer): string {
  const end = data.indexOf(0);
  return data.toString('utf8', 0, end === -1 ? data.length : end);
}

function truncated(what: string): ArtifactError {
  return new ArtifactError('corrupt', `truncated tar archive: the data ends inside ${what}`);
}
