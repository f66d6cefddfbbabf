import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Written last when a mirror is created: a directory without it is a clone that never finished. */
export const MIRROR_MARKER = 'skiff-mirror.json';

/** `packs` grows by one per fetch: isomorphic-git writes every fetch's objects as a new pack. */
export type MirrorHealth = { state: 'absent' } | { state: 'ok'; packs: number } | { state: 'broken'; reason: string };

const HEAD_CONTENT = /^(ref: refs\/[^\s]+|[0-9a-f]{40})\n?$/;

/**
 * Looks for the damage a killed process or a bad disk leaves in a bare mirror, before it is used:
 * a missing marker, HEAD or config (a clone stopped midway), a pack without its index or an index
 * without its pack, and a pack whose bytes do not hash to the checksum its index records (a
 * truncated or overwritten pack). Hashing a pack costs about a millisecond per megabyte, so each
 * pack is hashed once per process (`verified` remembers it); its size is checked every time.
 *
 * @example const health = await inspectMirror(gitdir, verified); if (health.state === 'broken') reclone(health.reason)
 */
export async function inspectMirror(gitdir: string, verified: Map<string, number> = new Map()): Promise<MirrorHealth> {
  try {
    await stat(gitdir);
  } catch {
    return { state: 'absent' };
  }
  const broken = (reason: string): MirrorHealth => ({ state: 'broken', reason });
  try {
    JSON.parse(await readFile(join(gitdir, MIRROR_MARKER), 'utf8'));
  } catch {
    return broken(`${MIRROR_MARKER} is missing or unreadable: the mirror was never completely cloned`);
  }
  const head = await readFile(join(gitdir, 'HEAD'), 'utf8').catch(() => undefined);
  if (head === undefined || !HEAD_CONTENT.test(head)) return broken('HEAD is missing or not a ref');
  if (!(await stat(join(gitdir, 'config')).catch(() => undefined))) return broken('config is missing');

  const packDir = join(gitdir, 'objects', 'pack');
  const names = await readdir(packDir).catch(() => [] as string[]);
  const packs = names.filter((name) => name.endsWith('.pack')).map((name) => name.slice(0, -'.pack'.length));
  const indexes = names.filter((name) => name.endsWith('.idx')).map((name) => name.slice(0, -'.idx'.length));
  for (const base of indexes) if (!packs.includes(base)) return broken(`${base}.idx has no pack`);
  for (const base of packs) {
    if (!indexes.includes(base)) return broken(`${base}.pack has no index`);
    const problem = await checkPack(join(packDir, base), verified);
    if (problem) return broken(`${base}.pack ${problem}`);
  }
  return { state: 'ok', packs: packs.length };
}

async function checkPack(base: string, verified: Map<string, number>): Promise<string | undefined> {
  const { size } = await stat(`${base}.pack`);
  if (verified.get(base) === size) return undefined;
  if (size < 32) return 'is truncated or not a pack';
  const magic = Buffer.alloc(4);
  const trailer = Buffer.alloc(20);
  const pack = await open(`${base}.pack`, 'r');
  try {
    await pack.read(magic, 0, 4, 0);
    await pack.read(trailer, 0, 20, size - 20);
  } finally {
    await pack.close();
  }
  if (magic.toString('latin1') !== 'PACK') return 'is truncated or not a pack';
  // Streamed, so that a large pack is hashed without being held in memory.
  const hash = createHash('sha1');
  for await (const chunk of createReadStream(`${base}.pack`, { start: 0, end: size - 21 })) hash.update(chunk as Buffer);
  if (!hash.digest().equals(trailer)) return 'does not match its own checksum (truncated or overwritten)';
  // The index records the checksum of the pack it was built for, 40 bytes from its end.
  const index = await open(`${base}.idx`, 'r');
  try {
    const indexSize = (await index.stat()).size;
    if (indexSize < 48) return 'has a truncated index';
    const recorded = Buffer.alloc(20);
    await index.read(recorded, 0, 20, indexSize - 40);
    if (!recorded.equals(trailer)) return 'is not the pack its index was built for';
  } finally {
    await index.close();
  }
  verified.set(base, size);
  return undefined;
}
