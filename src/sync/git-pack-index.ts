import { createHash } from 'node:crypto';
import { crc32, inflateSync } from 'node:zlib';

/**
 * A pack file indexed as `git index-pack` does: the `.idx` (version 2) that lets git, and
 * isomorphic-git, find each object of the pack by its id.
 *
 * Skiff indexes the packs of first clones itself because isomorphic-git's indexer inflates with a
 * JavaScript zlib and hashes each object through an asynchronous WebCrypto call: on a 5,000-file
 * repository that is most of a clone's time. Here zlib and SHA-1 are Node's native ones.
 */
export interface IndexedPack {
  /** The `.idx` file's bytes, identical to what `git index-pack` writes for the same pack. */
  idx: Buffer;
  /** The pack's own checksum (its last 20 bytes), hex: the name git gives the pair, `pack-<checksum>`. */
  checksum: string;
  objects: number;
}

export interface PackLimits {
  /** Objects a pack may hold; a pack claiming more is refused before any is read. */
  maxObjects: number;
  /** Bytes one object may inflate to (a zlib bomb stops here). */
  maxObjectBytes: number;
}

export const DEFAULT_PACK_LIMITS: PackLimits = { maxObjects: 5_000_000, maxObjectBytes: 512 * 1024 * 1024 };

/** A pack that cannot be indexed: truncated, corrupt, or asking for something out of bounds. */
export class PackError extends Error {
  override name = 'PackError';
}

const TYPE_NAMES = ['', 'commit', 'tree', 'blob', 'tag'] as const;
const OFS_DELTA = 6;
const REF_DELTA = 7;

interface PackedObject {
  offset: number;
  type: number;
  /** Where the zlib stream starts and where the next object starts. */
  dataStart: number;
  end: number;
  size: number;
  /** Delta objects: the base's offset (ofs-delta) or id (ref-delta). */
  baseOffset?: number;
  baseId?: string;
  id?: string;
  /** A delta's instructions, kept from the first pass while they fit the budget (else inflated again). */
  instructions?: Buffer;
}

/** Bytes of delta instructions kept between the two passes; beyond it they are inflated again. */
const KEPT_DELTA_BYTES = 64 * 1024 * 1024;

/**
 * Indexes a whole pack held in memory. Every object is inflated once, hashed, and its CRC-32
 * recorded; deltas are resolved from their bases outwards (as git does), so at most one chain of
 * objects is held at a time. Fails with a PackError on a bad checksum, a truncated object, a
 * delta whose base is not in the pack (clones never ask for thin packs), or a delta that reads
 * outside its base.
 *
 * @example const { idx, checksum } = indexPack(packBytes); // write pack-<checksum>.pack and .idx
 */
export function indexPack(pack: Buffer, limits: PackLimits = DEFAULT_PACK_LIMITS): IndexedPack {
  if (pack.length < 32 || pack.toString('latin1', 0, 4) !== 'PACK') throw new PackError('not a pack: the data does not start with PACK');
  const version = pack.readUInt32BE(4);
  if (version !== 2 && version !== 3) throw new PackError(`pack version ${version} is not supported`);
  const count = pack.readUInt32BE(8);
  if (count > limits.maxObjects) throw new PackError(`the pack holds ${count} objects, over the limit of ${limits.maxObjects}`);
  const trailerAt = pack.length - 20;
  const checksum = pack.subarray(trailerAt);
  if (!createHash('sha1').update(pack.subarray(0, trailerAt)).digest().equals(checksum))
    throw new PackError('the pack does not match its own checksum (truncated or corrupt)');

  const objects = readObjectHeaders(pack, count, trailerAt, limits);
  resolveIds(pack, objects, limits);
  return { idx: writeIndex(pack, objects, checksum), checksum: checksum.toString('hex'), objects: count };
}

function readObjectHeaders(pack: Buffer, count: number, trailerAt: number, limits: PackLimits): PackedObject[] {
  const objects: PackedObject[] = [];
  let kept = 0;
  let at = 12;
  for (let n = 0; n < count; n++) {
    const offset = at;
    const byte = (): number => {
      if (at >= trailerAt) throw new PackError(`object ${n + 1} of ${count} (at byte ${offset}) runs past the end of the pack`);
      return pack[at++]!;
    };
    let c = byte();
    const type = (c >> 4) & 7;
    let size = c & 15;
    let scale = 16;
    while (c & 0x80) {
      c = byte();
      size += (c & 0x7f) * scale;
      scale *= 128;
    }
    if (size > limits.maxObjectBytes) throw new PackError(`object at byte ${offset} is ${size} bytes, over the limit of ${limits.maxObjectBytes}`);
    const object: PackedObject = { offset, type, dataStart: 0, end: 0, size };
    if (type === OFS_DELTA) {
      c = byte();
      let distance = c & 0x7f;
      while (c & 0x80) {
        c = byte();
        distance = (distance + 1) * 128 + (c & 0x7f);
      }
      if (distance <= 0 || distance > offset - 12) throw new PackError(`delta at byte ${offset} points before the start of the pack`);
      object.baseOffset = offset - distance;
    } else if (type === REF_DELTA) {
      if (at + 20 > trailerAt) throw new PackError(`delta at byte ${offset} runs past the end of the pack`);
      object.baseId = pack.toString('hex', at, at + 20);
      at += 20;
    } else if (!TYPE_NAMES[type]) {
      throw new PackError(`object at byte ${offset} has unknown type ${type}`);
    }
    object.dataStart = at;
    const { data, consumed } = inflated(pack, object, limits);
    // Whole objects are hashed now, so that only bases with deltas on them are inflated again.
    if (object.baseOffset === undefined && object.baseId === undefined) object.id = objectId(type, data);
    else if (kept + data.length <= KEPT_DELTA_BYTES) {
      object.instructions = data;
      kept += data.length;
    }
    at += consumed;
    object.end = at;
    objects.push(object);
  }
  if (at !== trailerAt) throw new PackError(`the pack has ${trailerAt - at} bytes after its last object`);
  return objects;
}

function inflated(pack: Buffer, object: PackedObject, limits: PackLimits, whole = false): { data: Buffer; consumed: number } {
  let result: { buffer: Buffer; engine: { bytesWritten: number } };
  const rest = pack.length - 20;
  const end = whole ? rest : Math.min(rest, object.dataStart + deflateBound(object.size));
  try {
    // `info` reports how many compressed bytes the stream used: where the next object starts. The
    // input is cut at the most deflate can make of `size` bytes, and the output buffer sized to
    // the object: zlib's defaults (all the rest of the pack, 16 KiB chunks) cost more than the
    // inflating itself when a pack holds thousands of small objects.
    result = inflateSync(pack.subarray(object.dataStart, end), {
      info: true,
      chunkSize: Math.max(64, Math.min(object.size, 1024 * 1024)),
      maxOutputLength: Math.min(Math.max(object.size, 1), limits.maxObjectBytes),
    }) as unknown as typeof result;
  } catch (error) {
    // A compressor that wrote more than deflate would: try again with all the rest of the pack.
    if (end < rest && (error as { code?: string }).code === 'Z_BUF_ERROR') return inflated(pack, object, limits, true);
    throw new PackError(`object at byte ${object.offset} does not inflate: ${(error as Error).message}`);
  }
  if (result.buffer.length !== object.size)
    throw new PackError(`object at byte ${object.offset} inflates to ${result.buffer.length} bytes, not the ${object.size} its header says`);
  return { data: result.buffer, consumed: result.engine.bytesWritten };
}

/** zlib's deflateBound: the largest stream deflate writes for `size` bytes, header and checksum included. */
function deflateBound(size: number): number {
  return size + Math.ceil(size / 8) + Math.ceil(size / 64) + 5 + 6 + 64;
}

function objectId(type: number, data: Buffer): string {
  return createHash('sha1').update(`${TYPE_NAMES[type]} ${data.length}\0`).update(data).digest('hex');
}

/** Hashes every object: whole ones directly, deltas by walking from each base to the deltas on it. */
function resolveIds(pack: Buffer, objects: PackedObject[], limits: PackLimits): void {
  const byOffset = new Map(objects.map((object) => [object.offset, object]));
  const onOffset = new Map<number, PackedObject[]>();
  const onId = new Map<string, PackedObject[]>();
  for (const object of objects) {
    if (object.baseOffset !== undefined) {
      if (!byOffset.has(object.baseOffset)) throw new PackError(`delta at byte ${object.offset} points at byte ${object.baseOffset}, where no object starts`);
      push(onOffset, object.baseOffset, object);
    } else if (object.baseId !== undefined) push(onId, object.baseId, object);
  }
  // A stack of resolved objects whose deltas are still to be applied; it holds one chain at a time.
  const stack: Array<{ object: PackedObject; type: number; data: Buffer }> = [];
  for (const root of objects) {
    if (root.type === OFS_DELTA || root.type === REF_DELTA) continue;
    if (!onOffset.has(root.offset) && !onId.has(root.id!)) continue;
    const data = inflated(pack, root, limits).data;
    stack.push({ object: root, type: root.type, data });
    while (stack.length > 0) {
      const base = stack.pop()!;
      const deltas = [...(onOffset.get(base.object.offset) ?? []), ...(onId.get(base.object.id!) ?? [])];
      onId.delete(base.object.id!);
      for (const delta of deltas) {
        if (delta.id !== undefined) continue;
        const instructions = delta.instructions ?? inflated(pack, delta, limits).data;
        delta.instructions = undefined;
        const result = applyDelta(base.data, instructions, delta.offset, limits);
        delta.id = objectId(base.type, result);
        stack.push({ object: delta, type: base.type, data: result });
      }
    }
  }
  const unresolved = objects.find((object) => object.id === undefined);
  if (unresolved)
    throw new PackError(
      `delta at byte ${unresolved.offset} is against ${unresolved.baseId ?? `byte ${unresolved.baseOffset}`}, which the pack does not hold or which is itself unresolved`,
    );
}

function push<K>(map: Map<K, PackedObject[]>, key: K, object: PackedObject): void {
  const list = map.get(key);
  if (list) list.push(object);
  else map.set(key, [object]);
}

/** Git's delta format: the base's size, the result's size, then copy-from-base and insert instructions. */
export function applyDelta(base: Buffer, delta: Buffer, at: number, limits: PackLimits = DEFAULT_PACK_LIMITS): Buffer {
  let i = 0;
  const bad = (why: string): PackError => new PackError(`delta at byte ${at} ${why}`);
  const varint = (): number => {
    let value = 0;
    let scale = 1;
    let c: number;
    do {
      if (i >= delta.length) throw bad('is truncated');
      c = delta[i++]!;
      value += (c & 0x7f) * scale;
      scale *= 128;
    } while (c & 0x80);
    return value;
  };
  if (varint() !== base.length) throw bad('was made for a base of another size');
  const size = varint();
  if (size > limits.maxObjectBytes) throw bad(`would make an object of ${size} bytes, over the limit of ${limits.maxObjectBytes}`);
  const out = Buffer.allocUnsafe(size);
  let written = 0;
  while (i < delta.length) {
    const op = delta[i++]!;
    if (op & 0x80) {
      let offset = 0;
      let length = 0;
      for (let bit = 0; bit < 4; bit++) if (op & (1 << bit)) offset += (delta[i++] ?? 0) * 2 ** (8 * bit);
      for (let bit = 0; bit < 3; bit++) if (op & (0x10 << bit)) length += (delta[i++] ?? 0) * 2 ** (8 * bit);
      if (length === 0) length = 0x10000;
      if (i > delta.length) throw bad('is truncated');
      if (offset + length > base.length) throw bad('copies from outside its base');
      if (written + length > size) throw bad('writes past the size it declares');
      base.copy(out, written, offset, offset + length);
      written += length;
    } else if (op !== 0) {
      if (i + op > delta.length) throw bad('is truncated');
      if (written + op > size) throw bad('writes past the size it declares');
      delta.copy(out, written, i, i + op);
      written += op;
      i += op;
    } else {
      throw bad('has the reserved instruction 0');
    }
  }
  if (written !== size) throw bad(`makes ${written} bytes, not the ${size} it declares`);
  return out;
}

/** The version-2 index: fan-out table, sorted ids, CRC-32s, offsets (large ones in a table of their own), checksums. */
function writeIndex(pack: Buffer, objects: PackedObject[], packChecksum: Buffer): Buffer {
  // Lower-case hex sorts as the bytes do.
  const sorted = [...objects].sort((a, b) => (a.id! < b.id! ? -1 : a.id! > b.id! ? 1 : 0));
  const n = sorted.length;
  const large = sorted.filter((object) => object.offset >= 0x80000000).length;
  const idx = Buffer.alloc(8 + 256 * 4 + n * 28 + large * 8 + 40);
  idx.writeUInt32BE(0xff744f63, 0);
  idx.writeUInt32BE(2, 4);
  const fanout = new Uint32Array(256);
  for (const { id } of sorted) fanout[Number.parseInt(id!.slice(0, 2), 16)]!++;
  let total = 0;
  for (let b = 0; b < 256; b++) {
    total += fanout[b]!;
    idx.writeUInt32BE(total, 8 + b * 4);
  }
  const ids = 8 + 1024;
  const crcs = ids + n * 20;
  const offsets = crcs + n * 4;
  const largeOffsets = offsets + n * 4;
  let nextLarge = 0;
  sorted.forEach((object, k) => {
    idx.write(object.id!, ids + k * 20, 'hex');
    idx.writeUInt32BE(crc32(pack.subarray(object.offset, object.end)), crcs + k * 4);
    if (object.offset < 0x80000000) idx.writeUInt32BE(object.offset, offsets + k * 4);
    else {
      idx.writeUInt32BE((0x80000000 | nextLarge) >>> 0, offsets + k * 4);
      idx.writeBigUInt64BE(BigInt(object.offset), largeOffsets + nextLarge * 8);
      nextLarge++;
    }
  });
  const tail = largeOffsets + large * 8;
  packChecksum.copy(idx, tail);
  createHash('sha1')
    .update(idx.subarray(0, tail + 20))
    .digest()
    .copy(idx, tail + 20);
  return idx;
}
