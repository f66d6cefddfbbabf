import { open, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { constants, inflateSync } from 'node:zlib';

/** Compressed bytes inflated to read a header: enough for zlib's own block header, bounded output. */
const HEADER_INPUT = 512;
const OFS_DELTA = 6;
const REF_DELTA = 7;

/**
 * Tells the size of git objects without inflating them, so a hostile blob (gigabytes of zeros
 * compress to megabytes) is refused before it is read. A packed object's size is in its entry
 * header; a delta's result size is the second number of the delta, in its first inflated bytes; a
 * loose object's size is in its `blob <size>` header.
 *
 * @example const sizes = gitObjectSizes(gitdir); if ((await sizes.sizeOf(oid)) > limit) refuse()
 */
export function gitObjectSizes(gitdir: string): { sizeOf(oid: string): Promise<number | undefined> } {
  let indexes: Promise<PackIndex[]> | undefined;
  return {
    async sizeOf(oid) {
      indexes ??= loadIndexes(gitdir);
      for (const index of await indexes) {
        const offset = findOffset(index.idx, oid);
        if (offset !== undefined) return packedSize(index.pack, offset);
      }
      return looseSize(gitdir, oid);
    },
  };
}

interface PackIndex {
  idx: Buffer;
  pack: string;
}

async function loadIndexes(gitdir: string): Promise<PackIndex[]> {
  const dir = join(gitdir, 'objects', 'pack');
  const names = (await readdir(dir).catch(() => [] as string[])).filter((name) => name.endsWith('.idx'));
  return Promise.all(names.map(async (name) => ({ idx: await readFile(join(dir, name)), pack: join(dir, name.replace(/\.idx$/, '.pack')) })));
}

/** Binary search in a version-2 pack index: fan-out table, sorted names, CRCs, offsets. */
function findOffset(idx: Buffer, oid: string): number | undefined {
  if (idx.readUInt32BE(0) !== 0xff744f63 || idx.readUInt32BE(4) !== 2) return undefined;
  const want = Buffer.from(oid, 'hex');
  const fanout = 8;
  const count = idx.readUInt32BE(fanout + 255 * 4);
  let low = want[0]! === 0 ? 0 : idx.readUInt32BE(fanout + (want[0]! - 1) * 4);
  let high = idx.readUInt32BE(fanout + want[0]! * 4);
  const names = fanout + 256 * 4;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const order = idx.compare(want, 0, 20, names + mid * 20, names + mid * 20 + 20);
    if (order === 0) {
      const offsets = names + count * 24;
      const small = idx.readUInt32BE(offsets + mid * 4);
      if (!(small & 0x80000000)) return small;
      return Number(idx.readBigUInt64BE(offsets + count * 4 + (small & 0x7fffffff) * 8));
    }
    if (order > 0) high = mid;
    else low = mid + 1;
  }
  return undefined;
}

async function packedSize(pack: string, offset: number): Promise<number> {
  const handle = await open(pack, 'r');
  const head = Buffer.alloc(32 + HEADER_INPUT);
  try {
    await handle.read(head, 0, head.length, offset);
  } finally {
    await handle.close();
  }
  let at = 0;
  let byte = head[at++]!;
  const type = (byte >> 4) & 7;
  let size = byte & 15;
  for (let shift = 4; byte & 0x80; shift += 7) {
    byte = head[at++]!;
    size += (byte & 0x7f) * 2 ** shift;
  }
  if (type !== OFS_DELTA && type !== REF_DELTA) return size;
  if (type === REF_DELTA) at += 20;
  else while (head[at++]! & 0x80);
  const delta = inflateSync(head.subarray(at), { finishFlush: constants.Z_SYNC_FLUSH });
  let position = 0;
  const varint = (): number => {
    let value = 0;
    let current: number;
    let shift = 0;
    do {
      current = delta[position++]!;
      value += (current & 0x7f) * 2 ** shift;
      shift += 7;
    } while (current & 0x80);
    return value;
  };
  varint(); // the base's size
  return varint();
}

async function looseSize(gitdir: string, oid: string): Promise<number | undefined> {
  const handle = await open(join(gitdir, 'objects', oid.slice(0, 2), oid.slice(2)), 'r').catch(() => undefined);
  if (!handle) return undefined;
  try {
    const head = Buffer.alloc(HEADER_INPUT);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const text = inflateSync(head.subarray(0, bytesRead), { finishFlush: constants.Z_SYNC_FLUSH }).toString('latin1');
    const match = /^[a-z]+ (\d+)\0/.exec(text);
    return match ? Number(match[1]) : undefined;
  } finally {
    await handle.close();
  }
}
