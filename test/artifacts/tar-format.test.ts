import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { extractTar } from '../../src/artifacts/archive/extract-tar.js';
import { packTar } from '../../src/artifacts/archive/pack-tar.js';
import { parallelGzip } from '../../src/artifacts/archive/parallel-gzip.js';
import { readTar } from '../../src/artifacts/archive/read-tar.js';
import { chunked } from './helpers/tar-builder.js';

async function collect(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of source) parts.push(Buffer.from(part));
  return Buffer.concat(parts);
}

async function withTemp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'skiff-tar-test-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const LONG = `${'deep-directory-name/'.repeat(8)}${'f'.repeat(120)}.txt`;

async function makeTree(root: string): Promise<void> {
  await mkdir(join(root, 'out', 'sub'), { recursive: true });
  await writeFile(join(root, 'out', 'a.txt'), 'hello\n');
  await writeFile(join(root, 'out', 'empty'), '');
  await writeFile(join(root, 'out', 'sub', 'block.bin'), Buffer.alloc(512 * 3, 7));
  await mkdir(join(root, 'out', ...LONG.split('/').slice(0, -1)), { recursive: true });
  await writeFile(join(root, 'out', LONG), 'long name\n');
  await symlink('a.txt', join(root, 'out', 'link'));
}

test('packTar lays a directory out as Argo does: <name>/ then everything under it, in name order', async () => {
  await withTemp(async (dir) => {
    await makeTree(dir);
    const names: string[] = [];
    for await (const entry of readTar(packTar(join(dir, 'out')))) names.push(`${entry.type}:${entry.name}`);
    assert.equal(names[0], 'directory:out/');
    assert.ok(names.includes('file:out/a.txt'));
    assert.ok(names.includes('symlink:out/link'));
    assert.ok(names.includes(`file:out/${LONG}`), 'a name longer than ustar holds round-trips through pax');
  });
});

test('a single file is archived under its own name', async () => {
  await withTemp(async (dir) => {
    await writeFile(join(dir, 'result.json'), '{"ok":true}');
    const entries = [];
    for await (const entry of readTar(packTar(join(dir, 'result.json')))) entries.push({ name: entry.name, body: (await collect(entry.body)).toString() });
    assert.deepEqual(entries, [{ name: 'result.json', body: '{"ok":true}' }]);
  });
});

test('GNU tar reads what packTar + parallelGzip write, long names included', async () => {
  await withTemp(async (dir) => {
    await makeTree(dir);
    const tgz = await collect(parallelGzip(packTar(join(dir, 'out')), { blockSize: 1000 }));
    await writeFile(join(dir, 'out.tgz'), tgz);
    await mkdir(join(dir, 'gnu'));
    execFileSync('tar', ['-xzf', join(dir, 'out.tgz'), '-C', join(dir, 'gnu')]);
    execFileSync('diff', ['-r', '--no-dereference', join(dir, 'out'), join(dir, 'gnu', 'out')]);
    assert.equal(await readFile(join(dir, 'gnu', 'out', LONG), 'utf8'), 'long name\n');
  });
});

test('readTar reads GNU tar archives (GNU long names, ./ prefixes) and extractTar rebuilds the tree', async () => {
  await withTemp(async (dir) => {
    await makeTree(dir);
    const gnuTar = execFileSync('tar', ['--format=gnu', '-cf', '-', '-C', join(dir, 'out'), '.'], { maxBuffer: 1 << 24 });
    await mkdir(join(dir, 'x'));
    const stats = await extractTar(chunked(gnuTar), join(dir, 'x'));
    assert.ok(stats.topLevel.length > 1, 'a ./ archive has several top-level entries');
    execFileSync('diff', ['-r', '--no-dereference', join(dir, 'out'), join(dir, 'x')]);
    assert.equal(await readlink(join(dir, 'x', 'link')), 'a.txt');
  });
});

test('parallelGzip output is one gzip stream equal to the input, for any block size, and empty input stays valid', async () => {
  const input = Buffer.from(Array.from({ length: 50_000 }, (_, i) => `line ${i}\n`).join(''));
  for (const blockSize of [512, 4096, 65_536, 10_000_000]) {
    const gz = await collect(parallelGzip(chunked(input, 3001), { blockSize, level: 1 }));
    assert.deepEqual(gunzipSync(gz), input, `block size ${blockSize}`);
  }
  assert.equal(gunzipSync(await collect(parallelGzip(Readable.from([])))).length, 0);
});
