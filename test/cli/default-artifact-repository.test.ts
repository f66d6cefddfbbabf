// Argo's controller default artifact repository, given to a skiff process as YAML
// ($SKIFF_DEFAULT_ARTIFACT_REPOSITORY, or skiff controller --default-artifact-repository FILE):
// checked as an artifact-repositories entry is linted, and refused before anything runs.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseDefaultArtifactRepository } from '../../src/cli/default-artifact-repository.js';
import { HELLO, skiff, workspace } from './run-cli.js';

const SOURCE = '$SKIFF_DEFAULT_ARTIFACT_REPOSITORY';

test('a repository entry is read; nothing, or the chart’s {}, is no default', () => {
  assert.deepEqual(parseDefaultArtifactRepository('s3:\n  bucket: runs\n  endpoint: minio:9000\n  insecure: true\n', SOURCE), {
    s3: { bucket: 'runs', endpoint: 'minio:9000', insecure: true },
  });
  for (const none of [undefined, '', '  \n', '{}']) assert.equal(parseDefaultArtifactRepository(none, SOURCE), undefined);
});

test('what is not one repository is refused, saying where and what', () => {
  const refused = (text: string): string => {
    try {
      parseDefaultArtifactRepository(text, SOURCE);
    } catch (error) {
      return (error as Error).message;
    }
    return assert.fail(`accepted: ${text}`);
  };
  assert.match(refused('s3: {bucket: runs'), /^\$SKIFF_DEFAULT_ARTIFACT_REPOSITORY is not an artifact repository: line 1: .*not valid YAML/);
  assert.match(refused('bucket: runs\n'), /names no storage: use one of s3, gcs/);
  assert.match(refused('s3: {bucket: a}\ngcs: {bucket: b}\n'), /line 2: .*names both s3 and gcs/);
  assert.match(refused('s3: {endpoint: minio:9000}\n'), /s3\.bucket is required/);
  assert.match(refused('- s3\n'), /must be a map/);
});

test('skiff submit refuses a bad default before saving a run; skiff controller before connecting', async () => {
  const dir = workspace({ 'hello.yaml': HELLO, 'repo.yaml': 'gcs: {}\ns3: {bucket: x}\n' });
  const env = { SKIFF_RUNTIME: 'local', SKIFF_DEFAULT_ARTIFACT_REPOSITORY: 'bucket: runs' };
  const submitted = await skiff(dir, ['submit', 'hello.yaml'], { env });
  assert.equal(submitted.status, 1);
  assert.match(submitted.stderr, /\$SKIFF_DEFAULT_ARTIFACT_REPOSITORY is not an artifact repository: .*names no storage/);
  assert.equal((await skiff(dir, ['list', '-o', 'name'])).stdout, '', 'no run was saved');

  const fromFile = await skiff(dir, ['controller', '--kubeconfig', join(dir, 'nowhere.yaml'), '--default-artifact-repository', 'repo.yaml']);
  assert.equal(fromFile.status, 1);
  assert.match(
    fromFile.stderr,
    /--default-artifact-repository repo\.yaml is not an artifact repository: line 1: it names both s3 and gcs; an entry describes one repository/,
  );
  const missing = await skiff(dir, ['controller', '--kubeconfig', join(dir, 'nowhere.yaml'), '--default-artifact-repository', 'absent.yaml']);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /--default-artifact-repository absent\.yaml: no such file/);
  const fromEnv = await skiff(dir, ['controller', '--kubeconfig', join(dir, 'nowhere.yaml')], { env: { SKIFF_DEFAULT_ARTIFACT_REPOSITORY: '[' } });
  assert.equal(fromEnv.status, 1);
  assert.match(fromEnv.stderr, /\$SKIFF_DEFAULT_ARTIFACT_REPOSITORY is not an artifact repository/);
  const help = await skiff(dir, ['controller', '--help']);
  assert.match(help.stdout, /--default-artifact-repository FILE/);
});
