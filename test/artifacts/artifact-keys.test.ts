import { test } from 'node:test';
import assert from 'node:assert/strict';
import { archiveLocation, inputLocation, outputLocation } from '../../src/artifacts/artifact-keys.js';
import { outputArchive, unarchiveMode } from '../../src/artifacts/archive/archive-strategy.js';

const vars: Record<string, string> = { 'workflow.name': 'wf-1', 'pod.name': 'wf-1-main-42', 'workflow.namespace': 'argo' };
const lookup = (name: string): string | undefined => vars[name];
const bucket = {
  endpoint: 'minio:9000',
  bucket: 'b',
  insecure: true,
  accessKeySecret: { name: 'cred', key: 'a' },
  secretKeySecret: { name: 'cred', key: 's' },
};

test("the default key is {{workflow.name}}/{{pod.name}} (Argo's DefaultArchivePattern), under keyPrefix", () => {
  assert.equal(archiveLocation({ s3: bucket }, lookup).s3?.key, 'wf-1/wf-1-main-42');
  assert.equal(archiveLocation({ s3: { ...bucket, keyPrefix: 'runs/' } }, lookup).s3?.key, 'runs/wf-1/wf-1-main-42');
  assert.equal(archiveLocation({ local: { root: '/state' } }, lookup).local?.key, 'wf-1/wf-1-main-42');
});

test('keyFormat replaces the default and ignores keyPrefix, as in Argo', () => {
  const location = archiveLocation({ s3: { ...bucket, keyPrefix: 'ignored', keyFormat: '{{workflow.namespace}}/x/{{pod.name}}' } }, lookup);
  assert.equal(location.s3?.key, 'argo/x/wf-1-main-42');
  assert.equal(location.s3?.keyFormat, undefined);
  assert.equal(location.s3?.bucket, 'b');
});

test('a keyFormat variable that does not resolve is an error', () => {
  assert.throws(
    () => archiveLocation({ s3: { ...bucket, keyFormat: '{{workflow.nmae}}/{{pod.name}}' } }, lookup),
    /key format "\{\{workflow\.nmae\}\}\/\{\{pod\.name\}\}"/,
  );
});

test('an output without a key goes to <archive key>/<name>.tgz, or its own file name with archive: none', () => {
  const archive = archiveLocation({ s3: bucket }, lookup);
  assert.equal(outputLocation({ name: 'out', path: '/tmp/out' }, 'tar', archive).s3?.key, 'wf-1/wf-1-main-42/out.tgz');
  assert.equal(outputLocation({ name: 'out', path: '/tmp/result.json' }, 'none', archive).s3?.key, 'wf-1/wf-1-main-42/result.json');
  assert.equal(outputLocation({ name: 'out', path: '/tmp/dir/' }, 'none', archive).s3?.key, 'wf-1/wf-1-main-42/dir');
  assert.equal(outputLocation({ name: 'out', path: '/tmp/out' }, 'zip', archive).s3?.key, 'wf-1/wf-1-main-42/out.zip');
});

test('key-only artifacts take the bucket, endpoint and secrets of the repository and keep their key as is', () => {
  const archive = archiveLocation({ s3: bucket }, lookup);
  const out = outputLocation({ name: 'file', path: '/mnt/file', s3: { key: 'my-file' } }, 'tar', archive);
  assert.deepEqual(out, { s3: { ...bucket, key: 'my-file' } });
  assert.deepEqual(inputLocation({ name: 'file', path: '/tmp/file', s3: { key: 'my-file' } }, archive), { s3: { ...bucket, key: 'my-file' } });
  // Against the local default repository a key-only artifact becomes a local one.
  const localArchive = archiveLocation({ local: { root: '/state' } }, lookup);
  assert.deepEqual(inputLocation({ name: 'file', s3: { key: 'my-file' } }, localArchive), { local: { root: '/state', key: 'my-file' } });
});

test('a complete location is used as it is; an input with neither location nor key is not supplied', () => {
  const full = { endpoint: 'other:9000', bucket: 'x', key: 'k' };
  assert.deepEqual(inputLocation({ name: 'a', s3: full }, { s3: { ...bucket, key: 'p' } }), { s3: full });
  assert.deepEqual(inputLocation({ name: 'a', git: { repo: 'https://h/r.git' } }, undefined), { git: { repo: 'https://h/r.git' } });
  assert.equal(inputLocation({ name: 'a', path: '/x' }, { s3: { ...bucket, key: 'p' } }), undefined);
  assert.throws(() => inputLocation({ name: 'a', s3: { key: 'k' } }, undefined), /You need to configure artifact storage/);
});

test('archive strategies: tar by default with gzip default level; none; zip; compressionLevel checked', () => {
  assert.deepEqual(outputArchive({ name: 'a' }), { kind: 'tar', level: -1 });
  assert.deepEqual(outputArchive({ name: 'a', archive: { tar: { compressionLevel: 0 } } }), { kind: 'tar', level: 0 });
  assert.deepEqual(outputArchive({ name: 'a', archive: { none: {} } }), { kind: 'none', level: 0 });
  assert.throws(() => outputArchive({ name: 'a', archive: { tar: { compressionLevel: 12 } } }), /compressionLevel must be an integer from -1 to 9/);
  assert.equal(unarchiveMode({}), 'auto');
  assert.equal(unarchiveMode({ archive: { none: {} } }), 'none');
  assert.equal(unarchiveMode({ archive: { tar: {} } }), 'tar');
});
