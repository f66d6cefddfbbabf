import { ArtifactError } from '../artifact-error.js';

/**
 * The tar format, as much of it as artifacts need: POSIX ustar headers, pax extended headers for
 * names, link targets and sizes ustar cannot hold, and (when reading) GNU's long-name entries and
 * base-256 numbers, which GNU tar writes by default.
 */
export const BLOCK = 512;

export type TarEntryType =
  | 'file'
  | 'directory'
  | 'symlink'
  | 'hardlink'
  | 'character-device'
  | 'block-device'
  | 'fifo'
  // Meta entries that describe the next entry; the reader consumes them itself.
  | 'pax-header'
  | 'pax-global-header'
  | 'gnu-long-name'
  | 'gnu-long-link'
  | 'unknown';

export interface TarHeader {
  /** Path inside the archive as written (`dir/`, `dir/file`). */
  name: string;
  type: TarEntryType;
  /** Permission bits (and, as written by others, maybe setuid/setgid/sticky). */
  mode: number;
  size: number;
  /** Seconds since the epoch. */
  mtime: number;
  linkname: string;
  /** The raw type flag, for messages about entries we refuse. */
  typeflag: string;
}

const TYPE_BY_FLAG: Record<string, TarEntryType> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file', // "contiguous file": a regular file everywhere that matters
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'character-device',
  '4': 'block-device',
  '5': 'directory',
  '6': 'fifo',
  x: 'pax-header',
  g: 'pax-global-header',
  L: 'gnu-long-name',
  K: 'gnu-long-link',
};

const FLAG_BY_TYPE: Partial<Record<TarEntryType, string>> = { file: '0', hardlink: '1', symlink: '2', directory: '5', 'pax-header': 'x' };

/** Largest value an 11-digit octal field holds (8 GiB - 1); larger sizes go into a pax record. */
const MAX_OCTAL_11 = 0o77777777777;

/**
 * The header block(s) for one entry: a pax extended header first when the name, link target or
 * size does not fit ustar, then the ustar header.
 */
export function encodeHeader(header: Omit<TarHeader, 'typeflag'>): Buffer {
  const pax: Record<string, string> = {};
  const split = splitName(header.name);
  if (!split) pax.path = header.name;
  if (Buffer.byteLength(header.linkname) > 100) pax.linkpath = header.linkname;
  if (header.size > MAX_OCTAL_11) pax.size = String(header.size);
  const ustar = ustarBlock({
    ...header,
    name: split?.name ?? truncateBytes(header.name, 100),
    prefix: split?.prefix ?? '',
    linkname: pax.linkpath ? truncateBytes(header.linkname, 100) : header.linkname,
    size: pax.size ? 0 : header.size,
  });
  if (Object.keys(pax).length === 0) return ustar;
  const data = encodePax(pax);
  const paxHeader = ustarBlock({
    name: truncateBytes(`PaxHeader/${header.name.replace(/\/+$/, '').split('/').pop() ?? 'entry'}`, 100),
    prefix: '',
    type: 'pax-header',
    mode: 0o644,
    size: data.length,
    mtime: header.mtime,
    linkname: '',
  });
  return Buffer.concat([paxHeader, data, Buffer.alloc(padding(data.length)), ustar]);
}

/** Zero bytes needed after `size` bytes of data to reach the next block boundary. */
export function padding(size: number): number {
  const rest = size % BLOCK;
  return rest === 0 ? 0 : BLOCK - rest;
}

/**
 * Reads one header block. Returns `undefined` for an all-zero block (the end-of-archive marker).
 * Throws `corrupt` when the block is not a tar header (its checksum does not match).
 */
export function decodeHeader(block: Buffer, offset: number): TarHeader | undefined {
  if (block.every((byte) => byte === 0)) return undefined;
  const stored = readNumber(block, 148, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  if (stored !== unsigned && stored !== signed) {
    throw new ArtifactError('corrupt', `not a valid tar archive: bad header checksum at byte ${offset}`);
  }
  const typeflag = String.fromCharCode(block[156]!);
  let name = readString(block, 0, 100);
  const magic = block.toString('latin1', 257, 263);
  // Only POSIX ustar has a name prefix; GNU tar keeps other fields in those bytes.
  if (magic === 'ustar\0') {
    const prefix = readString(block, 345, 155);
    if (prefix) name = `${prefix}/${name}`;
  }
  return {
    name,
    type: TYPE_BY_FLAG[typeflag] ?? 'unknown',
    mode: readNumber(block, 100, 8),
    size: readNumber(block, 124, 12),
    mtime: readNumber(block, 136, 12),
    linkname: readString(block, 157, 100),
    typeflag,
  };
}

/** Parses pax records (`"%d %s=%s\n"`). */
export function decodePax(data: Buffer, offset: number): Record<string, string> {
  const records: Record<string, string> = {};
  let at = 0;
  while (at < data.length) {
    if (data[at] === 0) break; // some writers pad with NULs
    const space = data.indexOf(0x20, at);
    const length = space > at ? Number(data.toString('latin1', at, space)) : NaN;
    if (!Number.isInteger(length) || length <= 0 || at + length > data.length) {
      throw new ArtifactError('corrupt', `not a valid tar archive: malformed pax header near byte ${offset}`);
    }
    const record = data.toString('utf8', space + 1, at + length - 1);
    const eq = record.indexOf('=');
    if (eq > 0) records[record.slice(0, eq)] = record.slice(eq + 1);
    at += length;
  }
  return records;
}

function encodePax(records: Record<string, string>): Buffer {
  const lines = Object.entries(records).map(([key, value]) => {
    const body = ` ${key}=${value}\n`;
    const bodyLength = Buffer.byteLength(body);
    // The length prefix counts its own digits.
    let length = bodyLength + String(bodyLength).length;
    if (String(length).length !== String(bodyLength).length) length = bodyLength + String(length).length;
    return `${length}${body}`;
  });
  return Buffer.from(lines.join(''), 'utf8');
}

interface UstarFields extends Omit<TarHeader, 'typeflag'> {
  prefix: string;
}

function ustarBlock(fields: UstarFields): Buffer {
  const block = Buffer.alloc(BLOCK);
  block.write(fields.name, 0, 100, 'utf8');
  writeOctal(block, 100, 8, fields.mode & 0o7777);
  writeOctal(block, 108, 8, 0); // uid: meaningless in another container
  writeOctal(block, 116, 8, 0); // gid
  writeOctal(block, 124, 12, fields.size);
  writeOctal(block, 136, 12, Math.max(0, Math.floor(fields.mtime)));
  block.fill(0x20, 148, 156);
  block.write(FLAG_BY_TYPE[fields.type] ?? '0', 156, 1, 'latin1');
  block.write(fields.linkname, 157, 100, 'utf8');
  block.write('ustar\u000000', 257, 8, 'latin1');
  block.write(fields.prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1');
  return block;
}

/** Splits a long name at a `/` into ustar's prefix (≤155 bytes) and name (≤100 bytes), if possible. */
function splitName(name: string): { prefix: string; name: string } | undefined {
  if (Buffer.byteLength(name) <= 100) return { prefix: '', name };
  for (let i = name.indexOf('/'); i > 0; i = name.indexOf('/', i + 1)) {
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (Buffer.byteLength(prefix) > 155) return undefined;
    if (rest !== '' && Buffer.byteLength(rest) <= 100) return { prefix, name: rest };
  }
  return undefined;
}

function truncateBytes(text: string, max: number): string {
  const bytes = Buffer.from(text, 'utf8');
  return bytes.length <= max ? text : bytes.subarray(0, max).toString('utf8');
}

function writeOctal(block: Buffer, at: number, width: number, value: number): void {
  block.write(`${value.toString(8).padStart(width - 1, '0')}\0`, at, width, 'latin1');
}

function readString(block: Buffer, at: number, width: number): string {
  const end = block.indexOf(0, at);
  return block.toString('utf8', at, end === -1 || end > at + width ? at + width : end);
}

function readNumber(block: Buffer, at: number, width: number): number {
  if (block[at]! & 0x80) {
    // GNU base-256: big-endian, the top bit of the first byte is the marker.
    let value = block[at]! & 0x3f;
    for (let i = at + 1; i < at + width; i++) value = value * 256 + block[i]!;
    return value;
  }
  const text = block
    .toString('latin1', at, at + width)
    .replace(/[\0 ]+$/, '')
    .replace(/^[ ]+/, '');
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) return NaN;
  return parseInt(text, 8);
}
