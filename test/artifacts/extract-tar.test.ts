import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { isArtifactError } from '../../src/artifacts/artifact-error.js';
import { extractTar } from '../../src/artifacts/archive/extract-tar.js';
import { isGzippedTar, unpackTarball } from '../../src/artifacts/archive/unpack-tarball.js';
import { buildTar, buildTarGz, chunked, type RawEntry } from './helpers/tar-builder.js';

async function withTemp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'skiff-extract-test-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Extracts into <dir>/box/target and checks nothing appeared beside the target. */
async function refuses(entries: RawEntry[], pattern: RegExp): Promise<void> {
  await withTemp(async (dir) => {
    await mkdir(join(dir, 'box'));
    const dest = join(dir, 'box', 'target');
    await assert.rejects(unpackTarball(chunked(buildTarGz(entries)), dest), (err: unknown) => {
      assert.ok(isArtifactError(err, 'unsafe'), `expected an unsafe-archive error, got ${String(err)}`);
      assert.match((err as Error).message, pattern);
      return true;
    });
    assert.deepEqual(await readdir(join(dir, 'box')), [], 'nothing is left behind');
    assert.deepEqual((await readdir(dir)).sort(), ['box']);
  });
}

test('tar-slip: a "../" entry is refused, naming the entry', () =>
  refuses(
    [
      { name: 'out/', type: 'directory' },
      { name: 'out/../../evil.txt', data: 'x' },
    ],
    /"out\/\.\.\/\.\.\/evil\.txt".*"\.\."/,
  ));

test('an absolute path is refused', () => refuses([{ name: '/tmp/skiff-evil.txt', data: 'x' }], /"\/tmp\/skiff-evil\.txt".*absolute/));

test('a symbolic link pointing outside the artifact is refused', () =>
  refuses(
    [
      { name: 'out/', type: 'directory' },
      { name: 'out/escape', type: 'symlink', linkname: '../../../etc/passwd' },
    ],
    /"out\/escape".*outside/,
  ));

test('an absolute symbolic link is refused', () =>
  refuses(
    [
      { name: 'out/', type: 'directory' },
      { name: 'out/passwd', type: 'symlink', linkname: '/etc/passwd' },
    ],
    /"out\/passwd".*absolute/,
  ));

test('a link that stays in the archive root but leaves the single kept entry is refused', () =>
  // Only "out" is kept (single-entry rule), so out/up -> .. would point beside the target.
  refuses(
    [
      { name: 'out/', type: 'directory' },
      { name: 'out/up', type: 'symlink', linkname: '..' },
    ],
    /"out\/up".*outside/,
  ));

test('writing through a symbolic link is refused, even one that points inside', () =>
  refuses(
    [
      { name: 'out/', type: 'directory' },
      { name: 'out/sub/', type: 'directory' },
      { name: 'out/alias', type: 'symlink', linkname: 'sub' },
      { name: 'out/alias/file', data: 'x' },
    ],
    /"out\/alias\/file".*symbolic link "out\/alias"/,
  ));

test('hard links are refused', () =>
  refuses(
    [
      { name: 'a', data: 'x' },
      { name: 'b', typeflag: '1', linkname: 'a' },
    ],
    /"b".*hard link/,
  ));

test('device files and FIFOs are refused', async () => {
  await refuses(
    [
      { name: 'dev/', type: 'directory' },
      { name: 'dev/sda', typeflag: '4' },
    ],
    /"dev\/sda".*device/,
  );
  await refuses([{ name: 'null', typeflag: '3' }], /"null".*device/);
  await refuses([{ name: 'pipe', typeflag: '6' }], /"pipe".*FIFO/);
});

test('links inside the artifact are kept', async () => {
  await withTemp(async (dir) => {
    const dest = join(dir, 'target');
    await unpackTarball(
      chunked(
        buildTarGz([
          { name: 'out/', type: 'directory' },
          { name: 'out/a.txt', data: 'A' },
          { name: 'out/sub/', type: 'directory' },
          { name: 'out/sub/up', type: 'symlink', linkname: '../a.txt' },
        ]),
      ),
      dest,
    );
    assert.equal(await readFile(join(dest, 'sub', 'up'), 'utf8'), 'A');
  });
});

test("Argo's single-entry rule: one top-level entry becomes the target itself; several fill it", async () => {
  await withTemp(async (dir) => {
    await unpackTarball(chunked(buildTarGz([{ name: 'result.json', data: '{}' }])), join(dir, 'one'));
    assert.equal(await readFile(join(dir, 'one'), 'utf8'), '{}');
    await unpackTarball(
      chunked(
        buildTarGz([
          { name: 'out/', type: 'directory' },
          { name: 'out/x', data: 'x' },
        ]),
      ),
      join(dir, 'dir'),
    );
    assert.deepEqual(await readdir(join(dir, 'dir')), ['x']);
    await unpackTarball(
      chunked(
        buildTarGz([
          { name: 'a', data: 'a' },
          { name: 'b', data: 'b' },
        ]),
      ),
      join(dir, 'many'),
    );
    assert.deepEqual((await readdir(join(dir, 'many'))).sort(), ['a', 'b']);
  });
});

test('a corrupt or truncated tarball gives a clear error and leaves nothing', async () => {
  const good = buildTarGz([
    { name: 'out/', type: 'directory' },
    { name: 'out/big', data: Buffer.alloc(200_000, 1) },
  ]);
  const cases: Array<[string, Buffer, RegExp]> = [
    ['truncated gzip', good.subarray(0, good.length - 100), /truncated/],
    ['damaged gzip', Buffer.concat([good.subarray(0, 40), Buffer.alloc(200, 0xaa), good.subarray(240)]), /corrupt|damaged|truncated|bad header/],
    [
      'truncated tar inside valid gzip',
      gzipSync(buildTar([{ name: 'f', data: Buffer.alloc(5000, 1) }], { end: false }).subarray(0, 2048)),
      /truncated tar archive.*"f"/,
    ],
    ['not a tar inside gzip', gzipSync(Buffer.alloc(2048, 0x41)), /bad header checksum/],
  ];
  for (const [what, data, pattern] of cases) {
    await withTemp(async (dir) => {
      await assert.rejects(unpackTarball(chunked(data), join(dir, 't')), (err: unknown) => {
        assert.ok(isArtifactError(err, 'corrupt'), `${what}: ${String(err)}`);
        assert.match((err as Error).message, pattern, what);
        return true;
      });
      assert.deepEqual(await readdir(dir), [], what);
    });
  }
});

test('isGzippedTar detects tarballs as Argo does (gzip + a tar header), not plain gzip or text', () => {
  assert.equal(isGzippedTar(buildTarGz([{ name: 'a', data: 'a' }])), true);
  assert.equal(isGzippedTar(gzipSync('just text, gzipped')), false);
  assert.equal(isGzippedTar(Buffer.from('hello')), false);
  assert.equal(isGzippedTar(buildTar([{ name: 'a', data: 'a' }])), false, 'an uncompressed tar is a plain file to Argo');
});

test('extractTar never creates anything outside its directory even for names with ./ and duplicates', async () => {
  await withTemp(async (dir) => {
    await mkdir(join(dir, 'x'));
    await extractTar(
      chunked(
        buildTar([
          { name: './', type: 'directory' },
          { name: './a', data: '1' },
          { name: './a', data: '2' },
        ]),
      ),
      join(dir, 'x'),
    );
    assert.equal(await readFile(join(dir, 'x', 'a'), 'utf8'), '2');
    assert.equal(existsSync(join(dir, 'a')), false);
  });
});
