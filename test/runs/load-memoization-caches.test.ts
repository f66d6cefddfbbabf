import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadMemoizationCaches } from '../../src/runs/load-memoization-caches.js';
import type { ParameterConfigMapSource } from '../../src/runs/load-parameter-config-maps.js';
import { RunDriver } from '../../src/runs/run-driver.js';
import { InstantRuntime } from '../../src/runtime/instant-runtime.js';
import type { ConfigMap } from '../../src/spec/model/kubernetes.js';
import type { Template } from '../../src/spec/model/workflow.js';
import { LocalMemoizationCache } from '../../src/state/local-memoization-cache.js';
import { LocalObjectStore } from '../../src/state/local-object-store.js';
import { MemoryRunStore } from '../../src/state/memory-run-store.js';
import { workflowOf } from '../engine/simulate-run.js';

const CACHE_LABEL = { 'workflows.argoproj.io/configmap-type': 'Cache' };
const configMap = (name: string, data: Record<string, string>, labels?: Record<string, string>): ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'default', ...(labels ? { labels } : {}) },
  data,
});

function sourceOf(...configMaps: ConfigMap[]): ParameterConfigMapSource & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    get: async (namespace, name) => {
      asked.push(`${namespace}/${name}`);
      return configMaps.find((cm) => cm.metadata.name === name && namespace === 'default');
    },
    listConfigMaps: async () => configMaps,
  };
}

const memoized = (name: string, cache: string, key = 'k'): Template => ({
  name,
  memoize: { key, cache: { configMap: { name: cache } } },
  container: { image: 'busybox', command: ['true'] },
});

test('loads the cache ConfigMaps the memoized templates name, keeping entries only of Cache ConfigMaps', async () => {
  const source = sourceOf(configMap('hits', { k: '{"nodeID":"x"}' }, CACHE_LABEL), configMap('plain', { k: 'v' }), configMap('unused', {}, CACHE_LABEL));
  const workflow = workflowOf({
    entrypoint: 'a',
    arguments: { parameters: [{ name: 'which', value: 'plain' }] },
    templates: [memoized('a', 'hits'), memoized('b', '{{workflow.parameters.which}}'), memoized('c', 'absent')],
  });
  const referenced = [{ name: 'lib', spec: { templates: [memoized('d', 'hits')] } }];
  assert.deepEqual(await loadMemoizationCaches(workflow, referenced, source), [
    { name: 'hits', type: 'Cache', data: { k: '{"nodeID":"x"}' } },
    { name: 'plain' },
  ]);
  assert.deepEqual(source.asked.sort(), ['default/absent', 'default/hits', 'default/plain']);
});

test('a cache named only at run time makes every Cache ConfigMap of the namespace be read', async () => {
  const source = sourceOf(configMap('c-1', { k: '{}' }, CACHE_LABEL), configMap('other', { k: 'v' }));
  const workflow = workflowOf({ entrypoint: 'a', templates: [memoized('a', 'c-{{inputs.parameters.n}}')] });
  assert.deepEqual(await loadMemoizationCaches(workflow, [], source), [{ name: 'c-1', type: 'Cache', data: { k: '{}' } }]);
});

test('the driver saves what a miss computed to the local cache, and the next run hits it without a pod', async () => {
  const objects = new LocalObjectStore(mkdtempSync(join(tmpdir(), 'skiff-cache-')), { sync: false });
  const pods: string[] = [];
  const runtime = new InstantRuntime({ script: (pod) => (pods.push(pod.podName), { outputs: { parameters: [{ name: 'hello', value: 'world' }] } }) });
  const driver = new RunDriver({ store: new MemoryRunStore(), runtime, configMaps: objects, caches: new LocalMemoizationCache(objects) });
  const template: Template = {
    ...memoized('main', 'cache-config', 'cache-key'),
    outputs: { parameters: [{ name: 'hello', valueFrom: { path: '/tmp/hello' } }] },
  };
  const first = await driver.submit(workflowOf({ entrypoint: 'main', templates: [template] }, 'memo-1'));
  assert.equal((await driver.wait(first)).phase, 'Succeeded');
  const stored = await objects.getObject<ConfigMap>('ConfigMap', 'default', 'cache-config');
  assert.deepEqual(stored?.metadata.labels, CACHE_LABEL);
  const entry = JSON.parse(stored!.data!['cache-key']!) as Record<string, unknown>;
  assert.deepEqual(Object.keys(entry), ['nodeID', 'outputs', 'creationTimestamp', 'lastHitTimestamp']);
  assert.equal(entry.nodeID, 'memo-1');

  const second = await driver.submit(workflowOf({ entrypoint: 'main', templates: [template] }, 'memo-2'));
  const status = await driver.wait(second);
  assert.equal(status.phase, 'Succeeded');
  assert.deepEqual(pods, ['memo-1']);
  assert.deepEqual(status.nodes['memo-2']?.memoizationStatus, { hit: true, key: 'cache-key', cacheName: 'cache-config' });
  assert.deepEqual(status.nodes['memo-2']?.outputs?.parameters, [{ name: 'hello', value: 'world' }]);
});

test('a save the cache refuses is reported and leaves the run as it was', async () => {
  const objects = new LocalObjectStore(mkdtempSync(join(tmpdir(), 'skiff-cache-')), { sync: false });
  await objects.apply(configMap('taken', { other: 'data' }));
  const warnings: string[] = [];
  const driver = new RunDriver({
    store: new MemoryRunStore(),
    runtime: new InstantRuntime(),
    caches: new LocalMemoizationCache(objects),
    warn: (id, message) => warnings.push(`${id}: ${message}`),
  });
  // No configMaps source: the run sees no snapshot, so it misses and tries to save into the unlabelled ConfigMap.
  const id = await driver.submit(workflowOf({ entrypoint: 'main', templates: [memoized('main', 'taken')] }, 'refused'));
  assert.equal((await driver.wait(id)).phase, 'Succeeded');
  assert.deepEqual(warnings, [
    'default/refused: node refused: outputs not saved to memoization cache "taken" (key "k"): ConfigMap "taken" in namespace "default" is not labelled workflows.argoproj.io/configmap-type: Cache; refusing to use it as a memoization cache',
  ]);
  assert.deepEqual((await objects.getObject<ConfigMap>('ConfigMap', 'default', 'taken'))?.data, { other: 'data' });
});
