import { createHash } from 'node:crypto';
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Written last when a mirror is created: a directory without it is a clone that never finished. */
export const MIRROR_MARKER = 'skiff-mirror.json';

export type MirrorHealth = { state: 'absent' } | { state: 'ok' } | { state: 'broken'; reason: string };

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
  return { state: 'ok' };
}

async function checkPack(base: string, verified: Map<string, number>): Promise<string | undefined> {
  if (verified.get(base) === (await stat(`${base}.pack`)).size) return undefined;
  const pack = await readFile(`${base}.pack`);
  if (pack.length < 32 || pack.subarray(0, 4).toString('latin1') !== 'PACK') return 'is truncated or not a pack';
  const trailer = pack.subarray(pack.length - 20);
  const digest = createHash('sha1')
    .update(pack.subarray(0, pack.length - 20))
    .digest();
  if (!digest.equals(trailer)) return 'does not match its own checksum (truncated or overwritten)';
  // The index records the checksum of the pack it was built for, 40 bytes from its end.
  const index = await open(`${base}.idx`, 'r');
  try {
    const { size } = await index.stat();
    if (size < 48) return 'has a truncated index';
    const recorded = Buffer.alloc(20);
    await index.read(recorded, 0, 20, size - 40);
    if (!recorded.equals(trailer)) return 'is not the pack its index was built for';
  } finally {
    await index.close();
  }
  verified.set(base, pack.length);
  return undefined;
}
