// KubeClusterObjects, the cluster adapter of ClusterObjects, reading what a real kube-apiserver
// holds: ConfigMaps, decoded Secrets, WorkflowTemplates in its namespace, ClusterWorkflowTemplates,
// and undefined for what is absent, while a refusal throws.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { KubeClusterObjects } from '../../src/kube/kube-cluster-objects.js';
import { KubeConnection } from '../../src/kube/kube-connection.js';
import { KubeForbiddenError } from '../../src/kube/kube-errors.js';
import { serverSideApply } from '../../src/kube/server-side-apply.js';
import type { ConfigMap, KubernetesObject, Secret } from '../../src/spec/model/kubernetes.js';
import type { ClusterWorkflowTemplate, WorkflowTemplate } from '../../src/spec/model/workflow.js';
import { startSkiffKube, type KubeEnv } from '../env/kube/index.js';

const NAMESPACE = 'ci';

describe('KubeClusterObjects against kube-apiserver', () => {
  let kube: KubeEnv;
  let client: KubeConnection;
  let objects: KubeClusterObjects;

  before(async () => {
    ({ kube, client } = await startSkiffKube());
    objects = new KubeClusterObjects(client, { namespace: NAMESPACE });
    const apply = (object: KubernetesObject) => serverSideApply(client, object);
    await apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });
    await apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } });
    await apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'artifact-repositories', namespace: NAMESPACE, labels: { 'workflows.argoproj.io/configmap-type': 'Parameter' } },
      data: { 'default-v1': 's3:\n  bucket: runs\n' },
      binaryData: { blob: Buffer.from([0xff, 0x00, 0x41]).toString('base64') },
    } as ConfigMap);
    await apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'second', namespace: NAMESPACE }, data: { b: '2' } } as ConfigMap);
    // stringData is write-only: the server stores it base64-encoded in data.
    await apply({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'minio-creds', namespace: NAMESPACE },
      data: { accesskey: Buffer.from('admin').toString('base64') },
      stringData: { secretkey: 'pässword' },
    } as Secret);
    const spec = { entrypoint: 'build', templates: [{ name: 'build', container: { image: 'busybox', command: ['true'] } }] };
    await apply({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'WorkflowTemplate',
      metadata: { name: 'build-steps', namespace: NAMESPACE },
      spec,
    } as WorkflowTemplate);
    await apply({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'WorkflowTemplate',
      metadata: { name: 'elsewhere', namespace: 'other' },
      spec,
    } as WorkflowTemplate);
    await apply({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'ClusterWorkflowTemplate',
      metadata: { name: 'shared-steps' },
      spec: { templates: [{ name: 'shared', container: { image: 'busybox' } }] },
    } as ClusterWorkflowTemplate);
  });

  after(async () => {
    await kube?.stop();
  });

  test('reads a ConfigMap, and undefined for one that is not there', async () => {
    const configMap = await objects.get(NAMESPACE, 'artifact-repositories');
    assert.equal(configMap?.data?.['default-v1'], 's3:\n  bucket: runs\n');
    assert.equal(configMap?.metadata.labels?.['workflows.argoproj.io/configmap-type'], 'Parameter');
    assert.equal(await objects.get(NAMESPACE, 'absent'), undefined);
    assert.equal(await objects.get('no-such-namespace', 'artifact-repositories'), undefined);
  });

  test('lists the ConfigMaps of a namespace', async () => {
    const names = (await objects.listConfigMaps(NAMESPACE)).map((c) => c.metadata.name).sort();
    assert.deepEqual(names, ['artifact-repositories', 'second']);
    assert.deepEqual(await objects.listConfigMaps('other'), []);
  });

  test('reads one decoded Secret value; undefined for a missing key or Secret', async () => {
    assert.equal(await objects.get(NAMESPACE, 'minio-creds', 'accesskey'), 'admin');
    assert.equal(await objects.get(NAMESPACE, 'minio-creds', 'secretkey'), 'pässword');
    assert.equal(await objects.get(NAMESPACE, 'minio-creds', 'absent'), undefined);
    assert.equal(await objects.get(NAMESPACE, 'no-secret', 'accesskey'), undefined);
  });

  test('gives pod volumes the whole decoded ConfigMap and Secret', async () => {
    assert.deepEqual(await objects.configMap(NAMESPACE, 'artifact-repositories'), {
      'default-v1': 's3:\n  bucket: runs\n',
      blob: Buffer.from([0xff, 0x00, 0x41]).toString('latin1'),
    });
    assert.deepEqual(await objects.secret(NAMESPACE, 'minio-creds'), { accesskey: 'admin', secretkey: 'pässword' });
    assert.equal(await objects.configMap(NAMESPACE, 'absent'), undefined);
    assert.equal(await objects.secret(NAMESPACE, 'absent'), undefined);
  });

  test('reads WorkflowTemplates of its namespace only, and ClusterWorkflowTemplates', async () => {
    const spec = await objects.get('WorkflowTemplate', 'build-steps');
    assert.equal(spec?.entrypoint, 'build');
    assert.equal(spec?.templates?.[0]?.name, 'build');
    assert.equal(await objects.get('WorkflowTemplate', 'elsewhere'), undefined, 'a template of another namespace is not visible');
    assert.equal(await objects.get('WorkflowTemplate', 'absent'), undefined);
    assert.equal((await objects.get('ClusterWorkflowTemplate', 'shared-steps'))?.templates?.[0]?.name, 'shared');
    assert.equal(await objects.get('ClusterWorkflowTemplate', 'absent'), undefined);
  });

  test('a refusal is not mistaken for absence: it throws, and never shows Secret data', async () => {
    const denied = new KubeClusterObjects(KubeConnection.load({ kubeconfigPath: await kube.kubeconfigFor('jane', ['developers']), env: {} }), {
      namespace: NAMESPACE,
    });
    const error = await denied.get(NAMESPACE, 'minio-creds', 'accesskey').catch((e: unknown) => e);
    assert.ok(error instanceof KubeForbiddenError, String(error));
    assert.match(error.message, /^Secret ci\/minio-creds: forbidden/);
    await assert.rejects(denied.get('WorkflowTemplate', 'build-steps'), KubeForbiddenError);
    await assert.rejects(denied.listConfigMaps(NAMESPACE), KubeForbiddenError);
  });
});
