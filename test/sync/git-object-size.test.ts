import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gitObjectSizes } from '../../src/sync/git-object-size.js';
import { runGit } from '../env/git/run-git.js';

/** Every object of a repository with git's own idea of its size: `git cat-file -s`, in bulk. */
async function sizesByGit(gitdir: string): Promise<Map<string, number>> {
  const out = await runGit(['--git-dir', gitdir, 'cat-file', '--batch-all-objects', '--batch-check=%(objectname) %(objectsize)']);
  return new Map(out.split('\n').map((line) => [line.split(' ')[0]!, Number(line.split(' ')[1])]));
}

test('object sizes agree with git for loose objects, whole packed objects and deltas, without inflating them', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'skiff-object-size-'));
  try {
    await runGit(['init', '--quiet', dir]);
    const lines = Array.from({ length: 3000 }, (_, i) => `line ${i} of a file that changes a little in every commit`);
    for (let revision = 0; revision < 4; revision++) {
      lines[revision * 7] = `changed in revision ${revision}`;
      await writeFile(join(dir, 'big.txt'), `${lines.join('\n')}\n`);
      await writeFile(join(dir, 'zeros.bin'), Buffer.alloc(3_000_000 + revision));
      await writeFile(join(dir, 'small.txt'), `r${revision}\n`);
      await runGit(['add', '--all'], { cwd: dir });
      await runGit(['commit', '--quiet', '-m', `r${revision}`], { cwd: dir });
    }
    const gitdir = join(dir, '.git');
    const expected = await sizesByGit(gitdir);
    const loose = gitObjectSizes(gitdir);
    for (const [oid, size] of expected) assert.equal(await loose.sizeOf(oid), size, `loose ${oid}`);

    await runGit(['repack', '--quiet', '-a', '-d', '-f', '--depth=10', '--window=10'], { cwd: dir });
    const packDir = join(gitdir, 'objects', 'pack');
    const idx = (await readdir(packDir)).find((name) => name.endsWith('.idx'))!;
    // verify-pack lists a delta with its depth and base: seven columns instead of five.
    const listing = await runGit(['verify-pack', '-v', join(packDir, idx)]);
    const deltified = listing.split('\n').filter((line) => /^[0-9a-f]{40} /.test(line) && line.trim().split(/\s+/).length === 7);
    assert.ok(deltified.length >= 3, `the pack holds deltas: ${deltified.length}`);
    const packed = gitObjectSizes(gitdir);
    for (const [oid, size] of expected) assert.equal(await packed.sizeOf(oid), size, `packed ${oid}`);
    assert.equal(await packed.sizeOf('0'.repeat(40)), undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
