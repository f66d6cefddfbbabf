// The artifact layer against a real MinIO (test/env/minio): multipart and ranged transfers, the three
// archive modes as stored objects, key-only artifacts through the namespace ConfigMap, GC, and the
// S3 failures a person must be able to read (unreachable endpoint, wrong credentials, missing key).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startMinio, type MinioServer } from '../env/minio/start-minio.js';
import { isArtifactError } from '../../src/artifacts/artifact-error.js';
import { archiveLocation } from '../../src/artifacts/artifact-keys.js';
import type { StorageLocation } from '../../src/artifacts/artifact-location.js';
import { collectArtifactGarbage } from '../../src/artifacts/collect-artifact-garbage.js';
import { createArtifactDriver } from '../../src/artifacts/create-artifact-driver.js';
import type { ArtifactDriver } from '../../src/artifacts/artifact-driver.js';
import { loadInputArtifact } from '../../src/artifacts/load-input-artifact.js';
import { planArtifactGC } from '../../src/artifacts/plan-artifact-gc.js';
import { resolveArtifactRepository } from '../../src/artifacts/resolve-artifact-repository.js';
import type { SecretSource } from '../../src/ports/secret-source.js';
import { saveOutputArtifact } from '../../src/artifacts/save-output-artifact.js';

let minio: MinioServer;
let s3: S3Client;
let dir: string;
let secrets: SecretSource;
let driver: ArtifactDriver;
let archive: StorageLocation;

const vars = (pod: string) => (name: string) => ({ 'workflow.name': 'wf-e2e', 'pod.name': pod })[name];
const sha = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

before(async () => {
  minio = await startMinio();
  s3 = new S3Client(minio.s3Config());
  dir = await mkdtemp(join(tmpdir(), 'skiff-artifacts-s3-'));
  secrets = {
    get: async (ns, name, key) =>
      ns === 'argo' && name === 'minio-cred' ? ({ accesskey: minio.accessKey, secretkey: `${minio.secretKey}\n` } as Record<string, string>)[key] : undefined,
  };
  // Small parts so a few MiB exercise multipart uploads and parallel ranged downloads.
  driver = createArtifactDriver({ secrets, namespace: 'argo', s3: { partSize: 5 * 1024 * 1024, concurrency: 3 } });
  const configMaps = {
    get: async (ns: string, name: string) =>
      ns === 'argo' && name === 'artifact-repositories'
        ? {
            apiVersion: 'v1',
            kind: 'ConfigMap' as const,
            metadata: { name, namespace: ns, annotations: { 'workflows.argoproj.io/default-artifact-repository': 'minio' } },
            data: {
              minio: `s3:\n  bucket: ${minio.bucket}\n  endpoint: ${minio.endpoint.replace('http://', '')}\n  insecure: true\n  keyPrefix: runs\n  accessKeySecret: {name: minio-cred, key: accesskey}\n  secretKeySecret: {name: minio-cred, key: secretkey}\n`,
            },
          }
        : undefined,
  };
  const resolved = await resolveArtifactRepository(undefined, {
    configMaps,
    workflowNamespace: 'argo',
    localDefault: { local: { root: join(dir, 'unused') } },
  });
  assert.equal(resolved.source, 'namespace-configmap');
  archive = archiveLocation(resolved.repository, vars('wf-e2e-main-1'));
  assert.equal(archive.s3?.key, 'runs/wf-e2e/wf-e2e-main-1');
  await mkdir(join(dir, 'work', 'out', 'nested'), { recursive: true });
  await writeFile(join(dir, 'work', 'out', 'big.bin'), randomBytes(17 * 1024 * 1024 + 123));
  await writeFile(join(dir, 'work', 'out', 'nested', 'note.txt'), 'note\n');
  await writeFile(join(dir, 'work', 'single.bin'), randomBytes(12 * 1024 * 1024 + 7));
});

after(async () => {
  driver?.close();
  s3?.destroy();
  await minio?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function object(key: string): Promise<Buffer> {
  const res = await s3.send(new GetObjectCommand({ Bucket: minio.bucket, Key: key }));
  return Buffer.from(await res.Body!.transformToByteArray());
}

test('tar+gzip: one object at <keyPrefix>/<workflow>/<pod>/<name>.tgz (multipart), loaded back byte for byte', async () => {
  const saved = await saveOutputArtifact({ name: 'out', path: '/tmp/out' }, { driver, archiveLocation: archive, sourcePath: join(dir, 'work', 'out') });
  assert.ok(saved.saved);
  assert.deepEqual(saved.recorded.s3, { key: 'runs/wf-e2e/wf-e2e-main-1/out.tgz' }, 'the status holds the key only');
  const head = await s3.send(new HeadObjectCommand({ Bucket: minio.bucket, Key: 'runs/wf-e2e/wf-e2e-main-1/out.tgz' }));
  assert.match(head.ETag ?? '', /-\d+"$/, 'uploaded as a multipart object');
  const stored = await object('runs/wf-e2e/wf-e2e-main-1/out.tgz');
  assert.equal(stored[0], 0x1f);
  assert.ok(gunzipSync(stored).subarray(0, 100).toString('latin1').startsWith('out/'));

  const dest = join(dir, 'in', 'out');
  await loadInputArtifact({ ...saved.recorded }, { driver, archiveLocation: archive, destPath: dest });
  assert.equal(sha(await readFile(join(dest, 'big.bin'))), sha(await readFile(join(dir, 'work', 'out', 'big.bin'))));
  assert.equal(await readFile(join(dest, 'nested', 'note.txt'), 'utf8'), 'note\n');
});

test('archive: none uploads a file as it is (multipart, no tar) and a directory as one object per file', async () => {
  const file = await saveOutputArtifact(
    { name: 'single', path: '/tmp/single.bin', archive: { none: {} } },
    { driver, archiveLocation: archive, sourcePath: join(dir, 'work', 'single.bin') },
  );
  assert.ok(file.saved);
  const original = await readFile(join(dir, 'work', 'single.bin'));
  assert.equal(sha(await object('runs/wf-e2e/wf-e2e-main-1/single.bin')), sha(original), 'the stored object is the file itself');
  await loadInputArtifact({ ...file.recorded }, { driver, archiveLocation: archive, destPath: join(dir, 'in', 'single.bin') });
  assert.equal(sha(await readFile(join(dir, 'in', 'single.bin'))), sha(original), 'parallel ranged download');

  const tree = await saveOutputArtifact(
    { name: 'tree', path: '/tmp/out', archive: { none: {} } },
    { driver, archiveLocation: archive, sourcePath: join(dir, 'work', 'out') },
  );
  assert.ok(tree.saved);
  assert.equal(await (await object('runs/wf-e2e/wf-e2e-main-1/out/nested/note.txt')).toString(), 'note\n');
  await loadInputArtifact({ ...tree.recorded }, { driver, archiveLocation: archive, destPath: join(dir, 'in', 'tree') });
  assert.deepEqual((await readdir(join(dir, 'in', 'tree'))).sort(), ['big.bin', 'nested']);
});

test('key-only artifacts resolve against the namespace ConfigMap repository', async () => {
  await saveOutputArtifact(
    { name: 'file', path: '/mnt/file', s3: { key: 'my-file' } },
    { driver, archiveLocation: archive, sourcePath: join(dir, 'work', 'out', 'nested', 'note.txt') },
  );
  const consumerArchive = archiveLocation({ s3: archive.s3! }, vars('wf-e2e-consume-2'));
  await loadInputArtifact(
    { name: 'file', path: '/tmp/file', s3: { key: 'my-file' } },
    { driver, archiveLocation: consumerArchive, destPath: join(dir, 'in', 'file') },
  );
  assert.equal(await readFile(join(dir, 'in', 'file'), 'utf8'), 'note\n');
});

test('GC deletes OnWorkflowCompletion artifacts from the bucket and keeps Never', async () => {
  const gone = await saveOutputArtifact(
    { name: 'gone', path: '/tmp/n', s3: { key: 'gc/gone' } },
    { driver, archiveLocation: archive, sourcePath: join(dir, 'work', 'out', 'nested') },
  );
  const kept = await saveOutputArtifact(
    { name: 'kept', path: '/tmp/n', s3: { key: 'gc/kept' }, artifactGC: { strategy: 'Never' } },
    { driver, archiveLocation: archive, sourcePath: join(dir, 'work', 'out', 'nested') },
  );
  assert.ok(gone.saved && kept.saved);
  const spec = { artifactGC: { strategy: 'OnWorkflowCompletion' as const } };
  const plan = planArtifactGC([{ id: 'n', type: 'Pod', outputs: { artifacts: [gone.recorded, kept.recorded] } }], spec, {
    completed: true,
    deleting: false,
    processed: new Set(),
  });
  const outcome = await collectArtifactGarbage(plan, { driver, archiveLocationFor: () => archive, spec });
  assert.deepEqual(
    outcome.deleted.map((i) => i.artifact.name),
    ['gone'],
  );
  await assert.rejects(object('gc/gone'), /NoSuchKey|does not exist/);
  assert.ok((await object('gc/kept')).length > 0);
});

test('bad input: a missing key is not-found naming the key and bucket', async () => {
  await assert.rejects(
    loadInputArtifact({ name: 'missing', s3: { key: 'no/such/object' } }, { driver, archiveLocation: archive, destPath: join(dir, 'in', 'missing') }),
    (err: unknown) =>
      isArtifactError(err, 'not-found') && /artifact "missing" not found: no object "no\/such\/object" in s3:\/\/skiff-artifacts/.test((err as Error).message),
  );
});

test('bad input: wrong credentials are access-denied, saying which secret to check', async () => {
  const wrong = createArtifactDriver({
    secrets: { get: async (_ns, _name, key) => (key === 'accesskey' ? minio.accessKey : 'not-the-secret') },
    namespace: 'argo',
    s3: { maxAttempts: 1 },
  });
  try {
    await assert.rejects(
      saveOutputArtifact({ name: 'x', path: '/tmp/x' }, { driver: wrong, archiveLocation: archive, sourcePath: join(dir, 'work', 'out', 'nested') }),
      (err: unknown) =>
        isArtifactError(err, 'access-denied') &&
        /artifact "x" failed to save: .*refused the credentials \(SignatureDoesNotMatch\); check accessKeySecret\/secretKeySecret/.test((err as Error).message),
    );
  } finally {
    wrong.close();
  }
});

test('bad input: an unreachable endpoint is reported as such, quickly', async () => {
  const dead = createArtifactDriver({ secrets, namespace: 'argo', s3: { maxAttempts: 1, connectionTimeoutMs: 2000 } });
  try {
    const location = { s3: { ...archive.s3!, endpoint: '127.0.0.1:1', key: 'dead/key' } };
    await assert.rejects(
      loadInputArtifact({ name: 'x', ...location }, { driver: dead, destPath: join(dir, 'in', 'dead') }),
      (err: unknown) =>
        isArtifactError(err, 'unreachable') &&
        /artifact "x" failed to load: .*s3:\/\/skiff-artifacts at http:\/\/127\.0\.0\.1:1.*unreachable \(ECONNREFUSED\)/.test((err as Error).message),
    );
  } finally {
    dead.close();
  }
});

test('bad input: a missing secret is a configuration error naming it', async () => {
  const location = { s3: { ...archive.s3!, accessKeySecret: { name: 'nope', key: 'accesskey' }, key: 'x' } };
  await assert.rejects(
    loadInputArtifact({ name: 'x', ...location }, { driver, destPath: join(dir, 'in', 'nosecret') }),
    /accessKeySecret: key "accesskey" of secret "nope" not found in namespace "argo"/,
  );
});

test('progress: every byte of a multipart upload and of a ranged download is counted once', async () => {
  let counted = 0;
  const counting = createArtifactDriver({ secrets, namespace: 'argo', s3: { partSize: 5 * 1024 * 1024, concurrency: 3 }, onBytes: (n) => (counted += n) });
  try {
    const single = join(dir, 'work', 'single.bin');
    const location = { s3: { ...archive.s3!, key: 'runs/progress/single.bin' } };
    await counting.save(single, location, { kind: 'none', level: 0 }, 'single');
    assert.equal(counted, 12 * 1024 * 1024 + 7, 'upload');
    counted = 0;
    await counting.load(location, join(dir, 'progress-single.bin'), 'none', 'single');
    assert.equal(counted, 12 * 1024 * 1024 + 7, 'download');
  } finally {
    counting.close();
  }
});
