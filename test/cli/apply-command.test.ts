import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LocalObjectStore } from '../../src/state/local-object-store.js';
import { StateLayout } from '../../src/state/state-layout.js';
import { skiff, workspace } from './run-cli.js';

const OBJECTS = `apiVersion: v1
kind: ConfigMap
metadata:
  name: artifact-repositories
  annotations:
    workflows.argoproj.io/default-artifact-repository: local
data:
  local: |
    s3:
      bucket: my-bucket
      endpoint: minio:9000
      insecure: true
---
apiVersion: v1
kind: Secret
metadata:
  name: minio-cred
  namespace: argo
data:
  accesskey: YWRtaW4=
stringData:
  secretkey: plain-password
---
apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata:
  name: greet
spec:
  templates:
  - name: hello
    container: {image: busybox, command: [echo, hi]}
---
apiVersion: argoproj.io/v1alpha1
kind: ClusterWorkflowTemplate
metadata:
  name: cluster-greet
spec:
  templates:
  - name: hello
    container: {image: busybox, command: [echo, hi]}
---
apiVersion: argoproj.io/v1alpha1
kind: CronWorkflow
metadata:
  name: nightly
spec:
  schedule: "0 3 * * *"
  workflowSpec:
    entrypoint: main
    templates:
    - name: main
      container: {image: busybox, command: [echo, hi]}
`;

function store(dir: string, namespace?: string): LocalObjectStore {
  return new LocalObjectStore(new StateLayout(join(dir, 'state')).objects, namespace ? { namespace } : {});
}

describe('skiff apply', () => {
  it('stores every kind and prints kubectl-style lines; the store serves them to runs', async () => {
    const dir = workspace({ 'repo/objects.yaml': OBJECTS, 'repo/deploy.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n' });
    const result = await skiff(dir, ['apply', 'repo']);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(
      result.stdout,
      [
        'configmap/artifact-repositories created',
        'secret/minio-cred created',
        'workflowtemplate.argoproj.io/greet created',
        'clusterworkflowtemplate.argoproj.io/cluster-greet created',
        'cronworkflow.argoproj.io/nightly created',
        '',
      ].join('\n'),
    );
    assert.match(result.stderr, /skipped Deployment\/d/);

    const objects = store(dir);
    const cm = await objects.get('default', 'artifact-repositories');
    assert.match(cm?.data?.local ?? '', /bucket: my-bucket/);
    assert.equal(cm?.metadata.namespace, 'default');
    // Secrets decode as Kubernetes does: data is base64, stringData is plain.
    assert.equal(await objects.get('argo', 'minio-cred', 'accesskey'), 'admin');
    assert.equal(await objects.get('argo', 'minio-cred', 'secretkey'), 'plain-password');
    assert.deepEqual(await objects.secret('argo', 'minio-cred'), { accesskey: 'admin', secretkey: 'plain-password' });
    assert.equal(await objects.secret('default', 'minio-cred'), undefined);
    assert.deepEqual(await objects.configMap('default', 'artifact-repositories'), cm?.data);
    assert.equal((await objects.get('WorkflowTemplate', 'greet'))?.templates?.[0]?.name, 'hello');
    assert.equal((await objects.get('ClusterWorkflowTemplate', 'cluster-greet'))?.templates?.[0]?.name, 'hello');
    assert.equal((await objects.getObject('CronWorkflow', 'default', 'nightly'))?.metadata.name, 'nightly');
    assert.ok(existsSync(join(dir, 'state', 'objects', 'Secret', 'argo', 'minio-cred.json')));
  });

  it('says unchanged when nothing changed and configured when something did', async () => {
    const dir = workspace({ 'objects.yaml': OBJECTS });
    await skiff(dir, ['apply', 'objects.yaml']);
    const again = await skiff(dir, ['apply', 'objects.yaml']);
    assert.match(again.stdout, /^configmap\/artifact-repositories unchanged$/m);
    assert.match(again.stdout, /^workflowtemplate.argoproj.io\/greet unchanged$/m);
    const changed = workspace({ 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {a: "1"}\n' });
    await skiff(changed, ['apply', 'cm.yaml']);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(changed, 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {a: "2"}\n');
    const configured = await skiff(changed, ['apply', 'cm.yaml']);
    assert.equal(configured.stdout, 'configmap/settings configured\n');
    assert.deepEqual(await store(changed).configMap('default', 'settings'), { a: '2' });
  });

  it('puts objects that name no namespace into -n NAMESPACE', async () => {
    const dir = workspace({ 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {a: "1"}\n' });
    const result = await skiff(dir, ['apply', '-n', 'team', 'cm.yaml']);
    assert.equal(result.status, 0);
    assert.deepEqual(await store(dir).configMap('team', 'settings'), { a: '1' });
    assert.equal(await store(dir).configMap('default', 'settings'), undefined);
    assert.deepEqual(await store(dir, 'team').get('team', 'settings', 'a'), undefined, 'a ConfigMap is not a Secret');
  });

  it('refuses files with lint errors, printing them as skiff lint does, and stores nothing', async () => {
    const dir = workspace({ 'bad.yaml': OBJECTS.replace('  schedule: "0 3 * * *"\n', '  schedule: "0 3 * * *"\n  suspend: maybe\n') });
    const result = await skiff(dir, ['apply', 'bad.yaml']);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^bad\.yaml:\d+:\d+: error \[schema\]/m);
    assert.match(result.stderr, /refusing to go on/);
    assert.equal(result.stdout, '');
    assert.equal(existsSync(join(dir, 'state', 'objects')), false);
  });

  it('exits 2 on usage errors', async () => {
    const dir = workspace({});
    for (const args of [['apply'], ['apply', 'missing.yaml'], ['apply', '--bogus', '.']]) {
      const result = await skiff(dir, args);
      assert.equal(result.status, 2, args.join(' '));
      assert.match(result.stderr, /^skiff apply: .+\nRun "skiff apply --help" for usage\.\n$/);
    }
  });
});
