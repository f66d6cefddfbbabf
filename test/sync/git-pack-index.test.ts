// Skiff's pack indexer against git's own: for packs git makes (ofs-deltas and ref-deltas, large
// blobs, annotated tags), the .idx must be byte for byte what `git pack-objects` writes beside the
// pack; damaged and hostile packs are refused with a PackError saying where.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { deflateSync } from 'node:zlib';
import { applyDelta, indexPack, PackError } from '../../src/sync/git-pack-index.js';
import { runGit } from '../env/git/run-git.js';

let scratch: string;
let work: string;

before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'skiff-pack-index-'));
  work = join(scratch, 'work');
  await runGit(['init', '--quiet', work]);
  // Similar files across commits, so that git deltifies; one blob over 64 KiB, so that a delta
  // copies with the instruction whose length 0 means 0x10000.
  const big = Array.from({ length: 4000 }, (_, i) => `line ${i} of a long file that changes little\n`).join('');
  for (let revision = 0; revision < 4; revision++) {
    for (let i = 0; i < 30; i++) await writeFile(join(work, `file-${i}.yaml`), `name: file-${i}\nrevision: ${revision}\n${'body\n'.repeat(40 + i)}`);
    await writeFile(join(work, 'big.txt'), `${big}revision ${revision}\n`);
    await runGit(['add', '.'], { cwd: work });
    await runGit(['commit', '--quiet', '-m', `revision ${revision}`], { cwd: work });
  }
  await runGit(['tag', '-a', 'v1', '-m', 'an annotated tag'], { cwd: work });
});

after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function gitPack(name: string, flags: string[]): Promise<{ pack: Buffer; idx: Buffer; checksum: string }> {
  const base = join(scratch, name);
  const checksum = await runGit(['pack-objects', '--all', ...flags, base], { cwd: work });
  return { pack: await readFile(`${base}-${checksum}.pack`), idx: await readFile(`${base}-${checksum}.idx`), checksum };
}

for (const [kind, flags] of [
  ['ofs-deltas', ['--delta-base-offset']],
  ['ref-deltas', []],
  ['no deltas', ['--window=0']],
] as const) {
  test(`a pack of ${kind} is indexed byte for byte as git indexes it`, async () => {
    const expected = await gitPack(kind.replace(/ /g, '-'), [...flags]);
    const indexed = indexPack(expected.pack);
    assert.equal(indexed.checksum, expected.checksum);
    assert.ok(indexed.objects > 100, `${indexed.objects} objects`);
    assert.ok(indexed.idx.equals(expected.idx), 'the .idx differs from the one git wrote');
  });
}

test('a pack with a flipped byte, a cut end or a lie in its header is refused', async () => {
  const { pack } = await gitPack('damaged', ['--delta-base-offset']);
  const flipped = Buffer.from(pack);
  flipped[200] = flipped[200]! ^ 0xff;
  assert.throws(
    () => indexPack(flipped),
    (error) => error instanceof PackError && /checksum/.test(error.message),
  );
  assert.throws(() => indexPack(pack.subarray(0, pack.length - 100)), PackError);
  assert.throws(() => indexPack(Buffer.from('not a pack at all, just some text')), /does not start with PACK/);
  assert.throws(() => indexPack(pack, { maxObjects: 10, maxObjectBytes: 1 << 20 }), /over the limit of 10/);
  assert.throws(() => indexPack(pack, { maxObjects: 1e6, maxObjectBytes: 1000 }), /over the limit of 1000/);
});

/** A pack built by hand, for what no git would write. */
function craftPack(entries: Array<{ type: number; size: number; prefix?: Buffer; data: Buffer }>): Buffer {
  const parts: Buffer[] = [Buffer.from('PACK'), Buffer.from([0, 0, 0, 2]), Buffer.alloc(4)];
  parts[2]!.writeUInt32BE(entries.length);
  for (const entry of entries) {
    const header: number[] = [];
    let size = entry.size;
    let byte = (entry.type << 4) | (size & 15);
    size = Math.floor(size / 16);
    while (size > 0) {
      header.push(byte | 0x80);
      byte = size & 0x7f;
      size = Math.floor(size / 128);
    }
    header.push(byte);
    parts.push(Buffer.from(header), entry.prefix ?? Buffer.alloc(0), deflateSync(entry.data));
  }
  const body = Buffer.concat(parts);
  return Buffer.concat([body, createHash('sha1').update(body).digest()]);
}

function blobId(data: Buffer): Buffer {
  return createHash('sha1').update(`blob ${data.length}\0`).update(data).digest();
}

test('hostile deltas are refused: reading outside the base, a missing base, a size that lies', () => {
  const base = Buffer.from('hello, world\n');
  // delta: base size 13, result size 10, then copy 10 bytes from offset 100 (outside the base).
  const outside = Buffer.from([13, 10, 0x80 | 0x01 | 0x10, 100, 10]);
  assert.throws(
    () =>
      indexPack(
        craftPack([
          { type: 3, size: 13, data: base },
          { type: 7, size: outside.length, prefix: blobId(base), data: outside },
        ]),
      ),
    /copies from outside its base/,
  );
  const fine = Buffer.from([13, 5, 0x80 | 0x10, 5]);
  assert.throws(
    () => indexPack(craftPack([{ type: 7, size: fine.length, prefix: blobId(Buffer.from('absent')), data: fine }])),
    /which the pack does not hold/,
  );
  // A blob whose header says 5 bytes but which inflates to more: a bomb stops at the declared size.
  assert.throws(() => indexPack(craftPack([{ type: 3, size: 5, data: Buffer.alloc(100_000) }])), PackError);
  // The deltas git writes apply: copy "hello" then insert "!".
  assert.equal(applyDelta(base, Buffer.from([13, 6, 0x80 | 0x10, 5, 1, 0x21]), 0).toString(), 'hello!');
  assert.throws(() => applyDelta(base, Buffer.from([13, 6, 0]), 0), /reserved instruction/);
  assert.throws(() => applyDelta(base, Buffer.from([12, 6]), 0), /base of another size/);
});

test('the indexed pack is one git reads: fsck passes over a repository made of it', async () => {
  const { pack } = await gitPack('fsck', ['--delta-base-offset']);
  const { idx, checksum } = indexPack(pack);
  const bare = join(scratch, 'fsck.git');
  await runGit(['init', '--quiet', '--bare', bare]);
  await writeFile(join(bare, 'objects', 'pack', `pack-${checksum}.pack`), pack);
  await writeFile(join(bare, 'objects', 'pack', `pack-${checksum}.idx`), idx);
  const head = await runGit(['rev-parse', 'HEAD'], { cwd: work });
  await runGit(['update-ref', 'refs/heads/main', head], { cwd: bare });
  await runGit(['fsck', '--full', '--strict'], { cwd: bare });
  assert.equal(await runGit(['show', 'main:file-3.yaml'], { cwd: bare }), await runGit(['show', 'HEAD:file-3.yaml'], { cwd: work }));
  assert.ok((await readdir(join(bare, 'objects', 'pack'))).includes(`pack-${checksum}.idx`));
});
