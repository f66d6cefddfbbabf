import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { isArtifactError } from '../../src/artifacts/artifact-error.js';
import { archiveLocation } from '../../src/artifacts/artifact-keys.js';
import type { StorageLocation } from '../../src/artifacts/artifact-location.js';
import { createArtifactDriver } from '../../src/artifacts/create-artifact-driver.js';
import { loadInputArtifact } from '../../src/artifacts/load-input-artifact.js';
import { saveOutputArtifact } from '../../src/artifacts/save-output-artifact.js';
import { buildTarGz } from './helpers/tar-builder.js';

let dir: string;
let archive: StorageLocation;
let server: Server;
let baseUrl: string;
const driver = createArtifactDriver({ secrets: { get: async () => undefined }, namespace: 'argo' });

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'skiff-local-artifacts-'));
  archive = archiveLocation({ local: { root: join(dir, 'repo') } }, (name) => ({ 'workflow.name': 'wf', 'pod.name': 'wf-pod-1' })[name]);
  await mkdir(join(dir, 'work', 'out', 'sub'), { recursive: true });
  await writeFile(join(dir, 'work', 'out', 'a.txt'), 'alpha\n');
  await writeFile(join(dir, 'work', 'out', 'sub', 'b.txt'), 'beta\n');
  await writeFile(join(dir, 'work', 'result.json'), '{"n":1}');
  server = createServer((req, res) => {
    if (req.url === '/data.tgz') {
      res.end(
        buildTarGz([
          { name: 'data/', type: 'directory' },
          { name: 'data/x.csv', data: '1,2\n' },
        ]),
      );
    } else if (req.url === '/secret' && req.headers.authorization !== 'Bearer t') {
      res.writeHead(403).end();
    } else if (req.url === '/secret' || req.url === '/plain.txt') {
      res.end('plain text');
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  driver.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

const repoFile = (key: string): string => join(dir, 'repo', key);

test('tar (default): stored as <workflow>/<pod>/<name>.tgz, a real gzipped tarball, and loaded back to the path', async () => {
  const saved = await saveOutputArtifact({ name: 'out', path: '/tmp/out' }, { driver, archiveLocation: archive, sourcePath: join(dir, 'work', 'out') });
  assert.ok(saved.saved);
  assert.deepEqual(saved.recorded, { name: 'out', path: '/tmp/out', local: { key: 'wf/wf-pod-1/out.tgz' } }, 'the status keeps only the key');
  const listing = execFileSync('tar', ['-tzf', repoFile('wf/wf-pod-1/out.tgz')], { encoding: 'utf8' });
  assert.deepEqual(listing.trim().split('\n'), ['out/', 'out/a.txt', 'out/sub/', 'out/sub/b.txt']);
  const dest = join(dir, 'in1', 'tmp', 'out');
  await loadInputArtifact({ ...saved.recorded }, { driver, archiveLocation: archive, destPath: dest });
  assert.equal(await readFile(join(dest, 'sub', 'b.txt'), 'utf8'), 'beta\n');
});

test('tar.compressionLevel 0 stores without compression (still gzip framing)', async () => {
  const saved = await saveOutputArtifact(
    { name: 'flat', path: '/tmp/r', archive: { tar: { compressionLevel: 0 } } },
    { driver, archiveLocation: archive, sourcePath: join(dir, 'work', 'result.json') },
  );
  assert.ok(saved.saved);
  const stored = await readFile(repoFile('wf/wf-pod-1/flat.tgz'));
  assert.ok(stored.includes(Buffer.from('{"n":1}')), 'level 0 leaves the bytes readable');
  assert.ok(gunzipSync(stored).includes(Buffer.from('{"n":1}')));
});

test('archive: none stores a file as it is and a directory as one object per file; both load back', async () => {
  const file = await saveOutputArtifact(
    { name: 'r', path: '/tmp/result.json', archive: { none: {} } },
    { driver, archiveLocation: archive, sourcePath: join(dir, 'work', 'result.json') },
  );
  assert.ok(file.saved);
  assert.equal(await readFile(repoFile('wf/wf-pod-1/result.json'), 'utf8'), '{"n":1}');
  const tree = await saveOutputArtifact(
    { name: 'd', path: '/tmp/out', archive: { none: {} } },
    { driver, archiveLocation: archive, sourcePath: join(dir, 'work', 'out') },
  );
  assert.ok(tree.saved);
  assert.equal(tree.stats.objects, 2);
  assert.equal(await readFile(repoFile('wf/wf-pod-1/out/sub/b.txt'), 'utf8'), 'beta\n');

  await loadInputArtifact({ ...file.recorded, path: '/tmp/r.json' }, { driver, archiveLocation: archive, destPath: join(dir, 'in2', 'r.json') });
  assert.equal(await readFile(join(dir, 'in2', 'r.json'), 'utf8'), '{"n":1}');
  await loadInputArtifact({ ...tree.recorded }, { driver, archiveLocation: archive, destPath: join(dir, 'in2', 'd') });
  assert.deepEqual((await readdir(join(dir, 'in2', 'd'))).sort(), ['a.txt', 'sub']);
});

test('key-only output and input artifacts meet at the same key', async () => {
  await saveOutputArtifact(
    { name: 'file', path: '/mnt/file', s3: { key: 'shared/my-file' } },
    { driver, archiveLocation: archive, sourcePath: join(dir, 'work', 'result.json') },
  );
  assert.ok((await stat(repoFile('shared/my-file'))).isFile());
  await loadInputArtifact(
    { name: 'file', path: '/tmp/file', s3: { key: 'shared/my-file' } },
    { driver, archiveLocation: archive, destPath: join(dir, 'in3', 'file') },
  );
  assert.equal(await readFile(join(dir, 'in3', 'file'), 'utf8'), '{"n":1}', 'a tarball of one file loads as that file');
});

test('mode and recurseMode are applied after loading', async () => {
  const dest = join(dir, 'in4', 'out');
  await loadInputArtifact(
    { name: 'out', mode: 0o700, recurseMode: true, local: { key: 'wf/wf-pod-1/out.tgz' } },
    { driver, archiveLocation: archive, destPath: dest },
  );
  assert.equal((await stat(join(dest, 'a.txt'))).mode & 0o777, 0o700);
});

test('raw and http inputs; an http tarball is unpacked, other bodies written as they are', async () => {
  await loadInputArtifact({ name: 'raw', raw: { data: 'inline\n' } }, { driver, destPath: join(dir, 'in5', 'raw') });
  assert.equal(await readFile(join(dir, 'in5', 'raw'), 'utf8'), 'inline\n');
  await loadInputArtifact({ name: 'h', http: { url: `${baseUrl}/data.tgz` } }, { driver, destPath: join(dir, 'in5', 'data') });
  assert.equal(await readFile(join(dir, 'in5', 'data', 'x.csv'), 'utf8'), '1,2\n');
  await loadInputArtifact(
    { name: 'h2', http: { url: `${baseUrl}/secret`, headers: [{ name: 'Authorization', value: 'Bearer t' }] } },
    { driver, destPath: join(dir, 'in5', 's') },
  );
  assert.equal(await readFile(join(dir, 'in5', 's'), 'utf8'), 'plain text');
  await assert.rejects(
    loadInputArtifact({ name: 'h3', http: { url: `${baseUrl}/secret` } }, { driver, destPath: join(dir, 'in5', 'x') }),
    /artifact "h3".*answered 403/,
  );
  await assert.rejects(loadInputArtifact({ name: 'h4', http: { url: 'http://127.0.0.1:1/x' } }, { driver, destPath: join(dir, 'in5', 'y') }), (err: unknown) =>
    isArtifactError(err, 'unreachable'),
  );
});

test('bad input: a missing input artifact, not supplied or not found, is a clear error unless optional', async () => {
  await assert.rejects(
    loadInputArtifact({ name: 'gone', path: '/tmp/gone' }, { driver, archiveLocation: archive, destPath: join(dir, 'in6', 'a') }),
    /required artifact "gone" not supplied/,
  );
  await assert.rejects(
    loadInputArtifact({ name: 'gone', s3: { key: 'no/such/key' } }, { driver, archiveLocation: archive, destPath: join(dir, 'in6', 'b') }),
    (err: unknown) => isArtifactError(err, 'not-found') && /artifact "gone" not found: no object "no\/such\/key"/.test((err as Error).message),
  );
  assert.deepEqual(
    await loadInputArtifact({ name: 'opt', optional: true, path: '/x' }, { driver, archiveLocation: archive, destPath: join(dir, 'in6', 'c') }),
    { loaded: false, reason: 'optional artifact "opt" was not supplied' },
  );
  const notFound = await loadInputArtifact(
    { name: 'opt', optional: true, s3: { key: 'no/such/key' } },
    { driver, archiveLocation: archive, destPath: join(dir, 'in6', 'd') },
  );
  assert.equal(notFound.loaded, false);
  const missingOutput = await saveOutputArtifact(
    { name: 'o', path: '/tmp/none', optional: true },
    { driver, archiveLocation: archive, sourcePath: join(dir, 'work', 'none') },
  );
  assert.equal(missingOutput.saved, false);
  await assert.rejects(
    saveOutputArtifact({ name: 'o', path: '/tmp/none' }, { driver, archiveLocation: archive, sourcePath: join(dir, 'work', 'none') }),
    /artifact "o" failed to save: .*no such file or directory/,
  );
});

test('bad input: corrupt and hostile tarballs in the repository give clear errors on the input', async () => {
  await mkdir(repoFile('bad'), { recursive: true });
  const good = buildTarGz([
    { name: 'x/', type: 'directory' },
    { name: 'x/f', data: Buffer.alloc(100_000, 3) },
  ]);
  await writeFile(repoFile('bad/truncated.tgz'), good.subarray(0, good.length - 50));
  await writeFile(repoFile('bad/slip.tgz'), buildTarGz([{ name: '../../../../tmp/skiff-slip', data: 'x' }]));
  await assert.rejects(
    loadInputArtifact({ name: 't', s3: { key: 'bad/truncated.tgz' } }, { driver, archiveLocation: archive, destPath: join(dir, 'in7', 't') }),
    (err: unknown) => isArtifactError(err, 'corrupt') && /artifact "t" \(bad\/truncated\.tgz\): truncated/.test((err as Error).message),
  );
  await assert.rejects(
    loadInputArtifact({ name: 's', s3: { key: 'bad/slip.tgz' } }, { driver, archiveLocation: archive, destPath: join(dir, 'in7', 's') }),
    (err: unknown) => isArtifactError(err, 'unsafe') && /refusing to extract tar entry "\.\.\/\.\.\/\.\.\/\.\.\/tmp\/skiff-slip"/.test((err as Error).message),
  );
  assert.deepEqual(await readdir(join(dir, 'in7')), []);
  await assert.rejects(
    loadInputArtifact({ name: 'z', archive: { zip: {} }, s3: { key: 'bad/slip.tgz' } }, { driver, archiveLocation: archive, destPath: join(dir, 'in7', 'z') }),
    /archive: zip is not supported/,
  );
  await assert.rejects(
    loadInputArtifact({ name: 'p', archive: { tar: {} }, raw: { data: 'not a tarball' } }, { driver, destPath: join(dir, 'in7', 'p') }),
    /declared archive: tar but raw data is not a gzipped tarball/,
  );
});

test('deleting removes the object, or every object of a directory artifact', async () => {
  await saveOutputArtifact(
    { name: 'gc', path: '/tmp/out', archive: { none: {} }, s3: { key: 'gc/dir' } },
    { driver, archiveLocation: archive, sourcePath: join(dir, 'work', 'out') },
  );
  await driver.delete({ local: { root: join(dir, 'repo'), key: 'gc/dir' } });
  await assert.rejects(stat(repoFile('gc')), /ENOENT/, 'empty directories are removed too');
});

test('progress: a directory repository counts every stored byte once, saving a tarball and loading it back, and each file of archive: none', async () => {
  let counted = 0;
  const counting = createArtifactDriver({ secrets: { get: async () => undefined }, namespace: 'argo', onBytes: (n) => (counted += n) });
  const location = { local: { root: join(dir, 'repo'), key: 'progress/out.tgz' } };
  await counting.save(join(dir, 'work', 'out'), location, { kind: 'tar', level: -1 }, 'out');
  const stored = (await stat(join(dir, 'repo', 'progress', 'out.tgz'))).size;
  assert.equal(counted, stored);
  counted = 0;
  await counting.load(location, join(dir, 'progress-loaded'), 'auto', 'out');
  assert.equal(counted, stored);
  counted = 0;
  await counting.save(join(dir, 'work', 'out'), { local: { root: join(dir, 'repo'), key: 'progress/plain' } }, { kind: 'none', level: 0 }, 'out');
  assert.equal(counted, 'alpha\n'.length + 'beta\n'.length);
  counted = 0;
  await counting.load({ local: { root: join(dir, 'repo'), key: 'progress/plain' } }, join(dir, 'progress-plain'), 'auto', 'out');
  assert.equal(counted, 'alpha\n'.length + 'beta\n'.length);
  counting.close();
});
