import { gzipSync } from 'node:zlib';
import { encodeHeader } from '../../../src/artifacts/archive/tar-header.js';

/** One entry of a hand-made archive; `typeflag` overrides the type (for devices, hard links, ...). */
export interface RawEntry {
  name: string;
  data?: string | Buffer;
  type?: 'file' | 'directory' | 'symlink';
  typeflag?: string;
  linkname?: string;
  mode?: number;
}

/**
 * Builds a tar archive byte by byte, including entries no honest writer produces (`../x`, links
 * out of the tree, devices), for extraction tests.
 */
export function buildTar(entries: RawEntry[], { end = true } = {}): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const data = entry.data === undefined ? Buffer.alloc(0) : Buffer.from(entry.data);
    let header = encodeHeader({
      name: entry.name,
      type: entry.type ?? 'file',
      mode: entry.mode ?? (entry.type === 'directory' ? 0o755 : 0o644),
      size: data.length,
      mtime: 1_700_000_000,
      linkname: entry.linkname ?? '',
    });
    if (entry.typeflag) header = withTypeflag(header, entry.typeflag);
    parts.push(header, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  if (end) parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

export function buildTarGz(entries: RawEntry[], options?: { end?: boolean }): Buffer {
  return gzipSync(buildTar(entries, options));
}

/** Rewrites the type flag of the last header block of `header` and fixes its checksum. */
function withTypeflag(header: Buffer, flag: string): Buffer {
  const copy = Buffer.from(header);
  const at = copy.length - 512;
  copy.write(flag, at + 156, 1, 'latin1');
  copy.fill(0x20, at + 148, at + 156);
  let sum = 0;
  for (let i = at; i < at + 512; i++) sum += copy[i]!;
  copy.write(`${sum.toString(8).padStart(6, '0')}\0 `, at + 148, 8, 'latin1');
  return copy;
}

/** An async iterable over `data` in chunks of `size` bytes, as a stream would deliver it. */
export async function* chunked(data: Buffer, size = 7919): AsyncGenerator<Buffer> {
  for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size);
}
