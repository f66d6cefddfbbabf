import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { CacheEntry } from '../../src/engine/memoization-caches.js';
import type { ConfigMap } from '../../src/spec/model/kubernetes.js';
import { CONFIG_MAP_MAX_BYTES, LocalMemoizationCache } from '../../src/state/local-memoization-cache.js';
import { LocalObjectStore } from '../../src/state/local-object-store.js';

const objectsIn = (): LocalObjectStore => new LocalObjectStore(mkdtempSync(join(tmpdir(), 'skiff-memo-')), { sync: false });
const entry = (nodeID: string, value = 'v'): CacheEntry => ({
  nodeID,
  outputs: { parameters: [{ name: 'p', value }] },
  creationTimestamp: '2024-01-01T00:00:00Z',
  lastHitTimestamp: '2024-01-01T00:00:00Z',
});

test('creates the cache ConfigMap with the Cache label, then adds one key per cache key, keeping other labels', async () => {
  const objects = objectsIn();
  const cache = new LocalMemoizationCache(objects);
  await Promise.all([cache.save('team', 'c', 'one', entry('n1')), cache.save('team', 'c', 'two', entry('n2'))]);
  const stored = await objects.getObject<ConfigMap>('ConfigMap', 'team', 'c');
  assert.deepEqual(stored?.metadata.labels, { 'workflows.argoproj.io/configmap-type': 'Cache' });
  assert.deepEqual(Object.keys(stored?.data ?? {}).sort(), ['one', 'two']);
  assert.deepEqual(JSON.parse(stored!.data!.one!), entry('n1'));

  await objects.apply({ ...stored!, metadata: { ...stored!.metadata, labels: { ...stored!.metadata.labels, team: 'a' } } });
  await cache.save('team', 'c', 'one', entry('n3'));
  const again = await objects.getObject<ConfigMap>('ConfigMap', 'team', 'c');
  assert.equal(again?.metadata.labels?.team, 'a');
  assert.equal((JSON.parse(again!.data!.one!) as CacheEntry).nodeID, 'n3');
});

test('refuses a ConfigMap that is not labelled as a cache, and one that would outgrow 1 MiB', async () => {
  const objects = objectsIn();
  const cache = new LocalMemoizationCache(objects);
  const settings: ConfigMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { a: '1' } };
  await objects.apply(settings);
  await assert.rejects(
    cache.save('default', 'settings', 'k', entry('n')),
    /ConfigMap "settings" in namespace "default" is not labelled workflows\.argoproj\.io\/configmap-type: Cache/,
  );

  await cache.save('default', 'big', 'first', entry('n', 'x'.repeat(CONFIG_MAP_MAX_BYTES - 1000)));
  await assert.rejects(
    cache.save('default', 'big', 'second', entry('n', 'y'.repeat(2000))),
    /ConfigMap "big" in namespace "default" would hold \d+ bytes, more than the 1048576 a ConfigMap may; delete the ConfigMap to clear the cache/,
  );
  const stored = await objects.getObject<ConfigMap>('ConfigMap', 'default', 'big');
  assert.deepEqual(Object.keys(stored?.data ?? {}), ['first']);
  await assert.rejects(
    cache.save('default', 'big', 'k'.repeat(254), entry('n')),
    /is 254 characters long; a key of ConfigMap "big" in namespace "default" may have at most 253/,
  );
  // A failed save does not block the next one.
  await cache.save('default', 'other', 'k', entry('n'));
  assert.ok(await objects.getObject<ConfigMap>('ConfigMap', 'default', 'other'));
});
