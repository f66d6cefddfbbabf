// skiff serve's cluster flags are checked before anything starts: a clear usage error (exit 2) or
// a clear refusal, never a server half started.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { skiff, workspace } from './run-cli.js';

test('--controller takes embedded or external, and only with a cluster', async () => {
  const dir = workspace();
  const bogus = await skiff(dir, ['serve', '--kubeconfig', 'kc.yaml', '--controller', 'sidecar']);
  assert.equal(bogus.status, 2);
  assert.match(bogus.stderr, /--controller sidecar: expected embedded or external/);
  const local = await skiff(dir, ['serve', '--controller', 'external']);
  assert.equal(local.status, 2);
  assert.match(local.stderr, /--controller is for a cluster: name one with --kubeconfig, --context or --in-cluster/);
  const image = await skiff(dir, ['serve', '--executor-image', 'x:1']);
  assert.equal(image.status, 2);
  assert.match(image.stderr, /--executor-image is for a cluster/);
});

test('--in-cluster goes with neither --kubeconfig nor --context, and outside a pod it says so', async () => {
  const dir = workspace();
  const both = await skiff(dir, ['serve', '--in-cluster', '--context', 'prod']);
  assert.equal(both.status, 2);
  assert.match(both.stderr, /--in-cluster uses the pod's service account: it cannot go with --kubeconfig or --context/);
  const outside = await skiff(dir, ['serve', '--in-cluster'], {
    env: { APP_ID: '1', PRIVATE_KEY: '-----BEGIN RSA PRIVATE KEY-----\nx\n-----END RSA PRIVATE KEY-----', WEBHOOK_SECRET: 's' },
  });
  assert.notEqual(outside.status, 0);
  assert.match(outside.stderr, /--in-cluster: not in a pod with a service account/);
  assert.doesNotMatch(outside.stderr, /\n\s+at /, 'no stack trace');
});

test('--log-format takes json or pretty, --log-level a level, before anything starts', async () => {
  const dir = workspace();
  const format = await skiff(dir, ['serve', '--log-format', 'xml']);
  assert.equal(format.status, 2);
  assert.match(format.stderr, /--log-format xml: expected json or pretty/);
  const fromEnv = await skiff(dir, ['serve'], { env: { LOG_FORMAT: 'yaml' } });
  assert.equal(fromEnv.status, 2);
  assert.match(fromEnv.stderr, /LOG_FORMAT=yaml: expected json or pretty/);
  const level = await skiff(dir, ['serve', '--log-level', 'loud']);
  assert.equal(level.status, 2);
  assert.match(level.stderr, /--log-level loud: expected one of trace, debug, info, warn, error, fatal/);
});

test('-n/--namespace is for a cluster, takes namespace names, repeated or comma-separated', async () => {
  const dir = workspace();
  const local = await skiff(dir, ['serve', '-n', 'ci']);
  assert.equal(local.status, 2);
  assert.match(local.stderr, /--namespace is for a cluster: name one with --kubeconfig, --context or --in-cluster/);
  const bad = await skiff(dir, ['serve', '--kubeconfig', 'kc.yaml', '-n', 'ci,Team_B']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--namespace ci,Team_B: "Team_B" is not a namespace name/);
  const empty = await skiff(dir, ['serve', '--kubeconfig', 'kc.yaml', '-n', 'ci,']);
  assert.equal(empty.status, 2);
  assert.match(empty.stderr, /--namespace ci,: an empty namespace name/);
  const help = await skiff(dir, ['serve', '--help']);
  assert.match(help.stdout, /-n, --namespace NS/);
});

test('a $SKIFF_DEFAULT_ARTIFACT_REPOSITORY that is no artifact repository stops the server before it starts', async () => {
  const dir = workspace();
  const refused = await skiff(dir, ['serve'], {
    env: {
      APP_ID: '1',
      PRIVATE_KEY: '-----BEGIN RSA PRIVATE KEY-----\nx\n-----END RSA PRIVATE KEY-----',
      WEBHOOK_SECRET: 's',
      SKIFF_DEFAULT_ARTIFACT_REPOSITORY: 's3: {endpoint: minio:9000}',
    },
  });
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /\$SKIFF_DEFAULT_ARTIFACT_REPOSITORY is not an artifact repository: .*s3\.bucket is required/);
  assert.doesNotMatch(refused.stderr, /\n\s+at /, 'no stack trace');
});
