import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigMap } from '../../src/spec/model/kubernetes.js';
import { isArtifactError } from '../../src/artifacts/artifact-error.js';
import type { ConfigMapSource } from '../../src/ports/config-map-source.js';
import { resolveArtifactRepository, type Repository } from '../../src/artifacts/resolve-artifact-repository.js';

const ANNOTATION = 'workflows.argoproj.io/default-artifact-repository';

function configMap(namespace: string, name: string, data: Record<string, string>, defaultKey?: string): ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { namespace, name, ...(defaultKey ? { annotations: { [ANNOTATION]: defaultKey } } : {}) },
    data,
  };
}

/** A fake ConfigMapSource over a list, counting lookups. */
function source(...maps: ConfigMap[]): ConfigMapSource & { lookups: string[] } {
  const lookups: string[] = [];
  return {
    lookups,
    async get(namespace, name) {
      lookups.push(`${namespace}/${name}`);
      return maps.find((cm) => cm.metadata.namespace === namespace && cm.metadata.name === name);
    },
  };
}

const local: Repository = { local: { root: '/state/artifacts' } };
const controller: Repository = { s3: { bucket: 'controller', endpoint: 'minio:9000' } };

test('the workflow ref wins: its ConfigMap and key', async () => {
  const configMaps = source(
    configMap('argo', 'my-repos', { v1: 's3: {bucket: v1, endpoint: "minio:9000"}', v2: 's3: {bucket: v2, endpoint: "minio:9000"}' }, 'v1'),
    configMap('argo', 'artifact-repositories', { d: 's3: {bucket: ns-default}' }, 'd'),
  );
  const resolved = await resolveArtifactRepository(
    { configMap: 'my-repos', key: 'v2' },
    { configMaps, workflowNamespace: 'argo', controllerDefault: controller, localDefault: local },
  );
  assert.equal(resolved.source, 'workflow-ref');
  assert.equal(resolved.repository.s3?.bucket, 'v2');
  assert.deepEqual({ ...resolved.ref, artifactRepository: undefined }, { namespace: 'argo', configMap: 'my-repos', key: 'v2', artifactRepository: undefined });
});

test("a ref without a key uses the ConfigMap's default-key annotation; without configMap, artifact-repositories", async () => {
  const configMaps = source(configMap('argo', 'artifact-repositories', { a: 's3: {bucket: a}', b: 's3: {bucket: b}' }, 'b'));
  const resolved = await resolveArtifactRepository({}, { configMaps, workflowNamespace: 'argo' });
  assert.equal(resolved.repository.s3?.bucket, 'b');
  assert.equal(resolved.ref.key, 'b', 'the resolved key is recorded, so a later annotation change does not move the workflow');
});

test("a ref is also looked up in the controller's namespace, and never falls back to a default", async () => {
  const configMaps = source(configMap('skiff-system', 'shared', { k: 's3: {bucket: shared}' }));
  const resolved = await resolveArtifactRepository(
    { configMap: 'shared', key: 'k' },
    { configMaps, workflowNamespace: 'team', controllerNamespace: 'skiff-system' },
  );
  assert.equal(resolved.repository.s3?.bucket, 'shared');
  assert.equal(resolved.ref.namespace, 'skiff-system');

  await assert.rejects(
    resolveArtifactRepository(
      { configMap: 'missing', key: 'k' },
      { configMaps, workflowNamespace: 'team', controllerNamespace: 'skiff-system', localDefault: local },
    ),
    (err: unknown) => isArtifactError(err, 'config') && /no ConfigMap team\/missing; no ConfigMap skiff-system\/missing/.test((err as Error).message),
  );
  await assert.rejects(
    resolveArtifactRepository({ configMap: 'shared', key: 'nope' }, { configMaps, workflowNamespace: 'skiff-system', localDefault: local }),
    /ConfigMap skiff-system\/shared has no key "nope"/,
  );
});

test('without a ref: namespace artifact-repositories (annotated key) > controller default > Skiff local default', async () => {
  const ns = configMap('argo', 'artifact-repositories', { minio: 's3: {bucket: ns}' }, 'minio');
  const fromNs = await resolveArtifactRepository(undefined, {
    configMaps: source(ns),
    workflowNamespace: 'argo',
    controllerDefault: controller,
    localDefault: local,
  });
  assert.equal(fromNs.source, 'namespace-configmap');
  assert.equal(fromNs.repository.s3?.bucket, 'ns');

  const unannotated = configMap('argo', 'artifact-repositories', { minio: 's3: {bucket: ns}' });
  const fromController = await resolveArtifactRepository(undefined, {
    configMaps: source(unannotated),
    workflowNamespace: 'argo',
    controllerDefault: controller,
    localDefault: local,
  });
  assert.equal(fromController.source, 'controller-default');
  assert.deepEqual(fromController.ref, { default: true, artifactRepository: controller });

  const fromLocal = await resolveArtifactRepository(undefined, { configMaps: source(), workflowNamespace: 'argo', localDefault: local });
  assert.equal(fromLocal.source, 'skiff-default');
  assert.equal(fromLocal.repository.local?.root, '/state/artifacts');
});

test('with nothing configured anywhere, the error says so as Argo does', async () => {
  await assert.rejects(resolveArtifactRepository(undefined, { configMaps: source(), workflowNamespace: 'argo' }), /You need to configure artifact storage/);
});

test('an unparseable entry is an error naming the ConfigMap and key, not skipped', async () => {
  const cases: Array<[string, RegExp]> = [
    ['s3: {bucket: [unclosed', /ConfigMap argo\/artifact-repositories key "bad" is not valid YAML/],
    ['- a list', /is not an artifact repository/],
    ['s3: just-a-string', /s3 must be a map/],
    ['archiveLogs: true', /configures no storage/],
  ];
  for (const [value, pattern] of cases) {
    const configMaps = source(configMap('argo', 'artifact-repositories', { bad: value }, 'bad'));
    await assert.rejects(resolveArtifactRepository(undefined, { configMaps, workflowNamespace: 'argo', localDefault: local }), pattern, value);
  }
});
