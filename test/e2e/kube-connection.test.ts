// KubeConnection against a real kube-apiserver: the verbs, and each failure typed as the server
// answers it (404, 409 AlreadyExists, 409 Conflict, 422, 403, unknown kind).
import assert from 'node:assert/strict';
import { delimiter } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { KubeConnection, loadKubeConfig } from '../../src/kube/kube-connection.js';
import {
  KubeAlreadyExistsError,
  KubeConflictError,
  KubeForbiddenError,
  KubeInvalidError,
  KubeNotFoundError,
  KubeUnknownKindError,
} from '../../src/kube/kube-errors.js';
import type { WatchEvent } from '../../src/kube/kube-client.js';
import type { ConfigMap, KubernetesObject } from '../../src/spec/model/kubernetes.js';
import { startSkiffKube, type KubeEnv } from '../env/kube/index.js';

const NAMESPACE = 'default';

function configMap(name: string, data: Record<string, string>): ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: NAMESPACE }, data };
}

describe('KubeConnection against kube-apiserver', () => {
  let kube: KubeEnv;
  let client: KubeConnection;

  before(async () => {
    ({ kube, client } = await startSkiffKube());
  });

  after(async () => {
    await kube?.stop();
  });

  test('loads the kubeconfig from a $KUBECONFIG list, skipping files that are not there', () => {
    const kc = loadKubeConfig({ env: { KUBECONFIG: [kube.kubeconfigPath, '/nonexistent/kubeconfig'].join(delimiter) } });
    assert.equal(kc.getCurrentCluster()?.server, kube.server);
    assert.equal(client.namespace, 'default');
  });

  test('creates, reads, replaces, patches, lists and deletes a ConfigMap as plain JSON', async () => {
    const created = await client.create(configMap('plain', { a: '1' }));
    assert.equal(typeof created.metadata.creationTimestamp, 'string', 'timestamps stay strings');
    const read = await client.get<ConfigMap>({ apiVersion: 'v1', kind: 'ConfigMap', namespace: NAMESPACE, name: 'plain' });
    assert.deepEqual(read.data, { a: '1' });
    const replaced = await client.replace<ConfigMap>({ ...read, data: { a: '2' } });
    assert.deepEqual(replaced.data, { a: '2' });
    const patched = await client.patch<ConfigMap>({ apiVersion: 'v1', kind: 'ConfigMap', namespace: NAMESPACE, name: 'plain' }, { data: { b: '3' } }, 'merge');
    assert.deepEqual(patched.data, { a: '2', b: '3' });
    const list = await client.list<ConfigMap>('v1', 'ConfigMap', NAMESPACE);
    const item = list.items.find((c) => c.metadata.name === 'plain');
    assert.equal(item?.kind, 'ConfigMap', 'list items carry their kind');
    assert.match(list.resourceVersion, /^\d+$/);
    await client.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace: NAMESPACE, name: 'plain' });
    await assert.rejects(client.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: NAMESPACE, name: 'plain' }), KubeNotFoundError);
  });

  test('follows continue tokens, also for custom resources', async () => {
    for (let i = 0; i < 5; i++) {
      await client.create({
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'WorkflowTemplate',
        metadata: { name: `paged-${i}`, namespace: NAMESPACE },
        spec: { templates: [] },
      } as KubernetesObject);
    }
    const all = await client.list('argoproj.io/v1alpha1', 'WorkflowTemplate', NAMESPACE, { limit: 2 });
    assert.deepEqual(all.items.map((t) => t.metadata.name).sort(), ['paged-0', 'paged-1', 'paged-2', 'paged-3', 'paged-4']);
    const first = await client.list('argoproj.io/v1alpha1', 'WorkflowTemplate', NAMESPACE, { limit: 2, continue: '' });
    assert.equal(first.items.length, 2);
    assert.ok(first.continue, 'a one-page list hands back its continue token');
  });

  test('a missing object is KubeNotFoundError naming it', async () => {
    const error = await client.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: NAMESPACE, name: 'absent' }).catch((e: unknown) => e);
    assert.ok(error instanceof KubeNotFoundError, String(error));
    assert.equal(error.status, 404);
    assert.match(error.message, /^ConfigMap default\/absent: not found \(configmaps "absent" not found\)$/);
  });

  test('creating a taken name is KubeAlreadyExistsError; a stale update is KubeConflictError', async () => {
    const first = await client.create(configMap('taken', { a: '1' }));
    const exists = await client.create(configMap('taken', { a: '2' })).catch((e: unknown) => e);
    assert.ok(exists instanceof KubeAlreadyExistsError, String(exists));
    assert.equal(exists.reason, 'AlreadyExists');

    await client.replace<ConfigMap>({ ...first, data: { a: 'newer' } });
    const stale = await client.replace<ConfigMap>({ ...first, data: { a: 'stale' } }).catch((e: unknown) => e);
    assert.ok(stale instanceof KubeConflictError, String(stale));
    assert.ok(!(stale instanceof KubeAlreadyExistsError));
    assert.equal(stale.reason, 'Conflict');
    assert.match(stale.message, /^ConfigMap default\/taken: conflict/);
  });

  test('an invalid name is KubeInvalidError with the field cause', async () => {
    const error = await client.create(configMap('Bad_Name', { a: '1' })).catch((e: unknown) => e);
    assert.ok(error instanceof KubeInvalidError, String(error));
    assert.equal(error.status, 422);
    assert.ok(
      error.causes.some((c) => c.field === 'metadata.name'),
      JSON.stringify(error.causes),
    );
    assert.match(error.message, /^ConfigMap default\/Bad_Name: invalid: metadata\.name: /);
  });

  test('RBAC refusal is KubeForbiddenError', async () => {
    const other = KubeConnection.load({ kubeconfigPath: await kube.kubeconfigFor('jane', ['developers']), env: {} });
    const error = await other.list('v1', 'ConfigMap', NAMESPACE).catch((e: unknown) => e);
    assert.ok(error instanceof KubeForbiddenError, String(error));
    assert.match(error.message, /^ConfigMap in default: forbidden/);
  });

  test('a kind the server does not serve is KubeUnknownKindError, not "not found"', async () => {
    const missingKind = await client.get({ apiVersion: 'v1', kind: 'NoSuchKind', namespace: NAMESPACE, name: 'x' }).catch((e: unknown) => e);
    assert.ok(missingKind instanceof KubeUnknownKindError, String(missingKind));
    const missingGroup = await client.get({ apiVersion: 'nothing.example.com/v1', kind: 'Thing', name: 'x' }).catch((e: unknown) => e);
    assert.ok(missingGroup instanceof KubeUnknownKindError, String(missingGroup));
  });

  test('watches changes from a list’s resourceVersion', async () => {
    const list = await client.list<ConfigMap>('v1', 'ConfigMap', NAMESPACE);
    const events: WatchEvent<ConfigMap>[] = [];
    let resolveSeen: () => void;
    const seen = new Promise<void>((resolve) => (resolveSeen = resolve));
    const handle = await client.watch<ConfigMap>(
      'v1',
      'ConfigMap',
      NAMESPACE,
      { resourceVersion: list.resourceVersion },
      (event) => {
        events.push(event);
        if (event.type === 'DELETED') resolveSeen();
      },
      () => {},
    );
    await client.create(configMap('watched', { a: '1' }));
    await client.patch({ apiVersion: 'v1', kind: 'ConfigMap', namespace: NAMESPACE, name: 'watched' }, { data: { a: '2' } }, 'merge');
    await client.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace: NAMESPACE, name: 'watched' });
    await seen;
    handle.close();
    assert.deepEqual(
      events.filter((e) => e.object.metadata.name === 'watched').map((e) => [e.type, e.object.data?.a]),
      [
        ['ADDED', '1'],
        ['MODIFIED', '2'],
        ['DELETED', '2'],
      ],
    );
  });
});
