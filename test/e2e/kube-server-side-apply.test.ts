// Server-side apply as field manager `skiff`, against a real kube-apiserver: create, update,
// ownership in managedFields, dry runs, and conflicts with another manager's fields.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { KubeConnection } from '../../src/kube/kube-connection.js';
import { KubeConflictError, KubeInvalidError, KubeNotFoundError } from '../../src/kube/kube-errors.js';
import { SKIFF_FIELD_MANAGER, serverSideApply } from '../../src/kube/server-side-apply.js';
import type { ConfigMap, KubernetesObject } from '../../src/spec/model/kubernetes.js';
import type { WorkflowTemplate } from '../../src/spec/model/workflow.js';
import { startSkiffKube, type KubeEnv } from '../env/kube/index.js';

const NAMESPACE = 'default';

type ManagedFields = { manager?: string; operation?: string; fieldsV1?: unknown }[];

function managers(object: KubernetesObject): ManagedFields {
  return (object.metadata.managedFields as ManagedFields | undefined) ?? [];
}

function configMap(name: string, data: Record<string, string>): ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: NAMESPACE }, data };
}

const ref = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', namespace: NAMESPACE, name });

describe('serverSideApply against kube-apiserver', () => {
  let kube: KubeEnv;
  let client: KubeConnection;

  before(async () => {
    ({ kube, client } = await startSkiffKube());
  });

  after(async () => {
    await kube?.stop();
  });

  test('creates, then updates, with manager skiff owning what it applied', async () => {
    const created = await serverSideApply(client, configMap('settings', { mode: 'fast', level: '1' }));
    assert.deepEqual(created.data, { mode: 'fast', level: '1' });
    const owners = managers(created).filter((f) => f.manager === SKIFF_FIELD_MANAGER);
    assert.equal(owners.length, 1, JSON.stringify(managers(created)));
    assert.equal(owners[0]?.operation, 'Apply');
    assert.match(JSON.stringify(owners[0]?.fieldsV1), /f:mode/);

    // A second apply declares the whole intent: `level` is no longer listed, so the server drops it.
    const updated = await serverSideApply(client, configMap('settings', { mode: 'slow' }));
    assert.deepEqual(updated.data, { mode: 'slow' });
    assert.notEqual(updated.metadata.resourceVersion, created.metadata.resourceVersion);
    const live = await client.get<ConfigMap>(ref('settings'));
    assert.deepEqual(live.data, { mode: 'slow' });
  });

  test('applies what was read back: live-only metadata is dropped before sending', async () => {
    const live = await serverSideApply(client, configMap('roundtrip', { a: '1' }));
    const again = await serverSideApply(client, { ...live, data: { a: '2' } });
    assert.deepEqual(again.data, { a: '2' });
  });

  test('a dry run returns the result and changes nothing', async () => {
    const dryCreate = await serverSideApply(client, configMap('dry', { a: '1' }), { dryRun: true });
    assert.deepEqual(dryCreate.data, { a: '1' });
    await assert.rejects(client.get(ref('dry')), KubeNotFoundError);

    const before = await serverSideApply(client, configMap('dry', { a: '1' }));
    const dryUpdate = await serverSideApply(client, configMap('dry', { a: '2' }), { dryRun: true });
    assert.deepEqual(dryUpdate.data, { a: '2' });
    const after = await client.get<ConfigMap>(ref('dry'));
    assert.deepEqual(after.data, { a: '1' });
    assert.equal(after.metadata.resourceVersion, before.metadata.resourceVersion);
  });

  test('a field another manager owns fails a plain apply with a conflict, and a forced one takes it', async () => {
    await serverSideApply(client, configMap('contested', { mode: 'fast' }));
    // Someone else (a person with kubectl) applies a different value for the same key.
    await serverSideApply(client, configMap('contested', { mode: 'manual' }), { fieldManager: 'kubectl-edit', force: true });

    const error = await serverSideApply(client, configMap('contested', { mode: 'fast' })).catch((e: unknown) => e);
    assert.ok(error instanceof KubeConflictError, String(error));
    assert.deepEqual(
      error.fieldConflicts.map((c) => c.field),
      ['.data.mode'],
    );
    assert.match(error.message, /^ConfigMap default\/contested: apply conflict: .*\.data\.mode.*kubectl-edit/);
    assert.equal((await client.get<ConfigMap>(ref('contested'))).data?.mode, 'manual', 'the failed apply changed nothing');

    const forced = await serverSideApply(client, configMap('contested', { mode: 'fast' }), { force: true });
    assert.equal(forced.data?.mode, 'fast');
    const owner = managers(forced).find((f) => JSON.stringify(f.fieldsV1).includes('f:mode'));
    assert.equal(owner?.manager, SKIFF_FIELD_MANAGER);
  });

  test('applies custom resources: a WorkflowTemplate and a cluster-scoped ClusterWorkflowTemplate', async () => {
    const template: WorkflowTemplate = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'WorkflowTemplate',
      metadata: { name: 'build-steps', namespace: NAMESPACE },
      spec: { templates: [{ name: 'build', container: { image: 'busybox', command: ['true'] } }] },
    };
    const applied = await serverSideApply(client, template);
    assert.equal(applied.spec.templates?.[0]?.name, 'build');
    const clusterTemplate = await serverSideApply<KubernetesObject>(client, {
      ...template,
      kind: 'ClusterWorkflowTemplate',
      metadata: { name: 'shared-steps' },
    });
    assert.equal(clusterTemplate.metadata.namespace, undefined);
    assert.equal(clusterTemplate.metadata.name, 'shared-steps');
  });

  test('an invalid object is refused with KubeInvalidError', async () => {
    const error = await serverSideApply(client, configMap('Not_Valid', { a: '1' })).catch((e: unknown) => e);
    assert.ok(error instanceof KubeInvalidError, String(error));
  });
});
