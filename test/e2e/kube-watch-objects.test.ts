// WatchObjects against a real kube-apiserver: the first list, changes through watches that the
// server keeps ending (a 1 s timeout), and no event lost or repeated across the restarts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { KubeConnection } from '../../src/kube/kube-connection.js';
import type { KubeError } from '../../src/kube/kube-errors.js';
import { serverSideApply } from '../../src/kube/server-side-apply.js';
import { WatchObjects } from '../../src/kube/watch-objects.js';
import type { ConfigMap } from '../../src/spec/model/kubernetes.js';
import { startSkiffKube, type KubeEnv } from '../env/kube/index.js';

const NAMESPACE = 'default';

function configMap(name: string, value: string): ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: NAMESPACE, labels: { watched: 'yes' } }, data: { value } };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('WatchObjects against kube-apiserver', () => {
  let kube: KubeEnv;
  let client: KubeConnection;

  before(async () => {
    ({ kube, client } = await startSkiffKube());
  });

  after(async () => {
    await kube?.stop();
  });

  test('lists, then follows changes across watches the server ends', async () => {
    await serverSideApply(client, configMap('before', '1'));
    await serverSideApply(client, { ...configMap('unwatched', '1'), metadata: { name: 'unwatched', namespace: NAMESPACE } });
    const events: string[] = [];
    const errors: KubeError[] = [];
    // Counts the watches opened, to show the server really ended some and the watcher went on.
    let watches = 0;
    const counting = new Proxy(client, {
      get(target, property) {
        const value = Reflect.get(target, property, target);
        if (property === 'watch') watches++;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const watcher = new WatchObjects<ConfigMap>(counting, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: NAMESPACE,
      labelSelector: 'watched=yes',
      watchTimeoutSeconds: 1,
      onEvent: (e) => events.push(`${e.type} ${e.object.metadata.name} ${e.object.data?.value}`),
      onError: (error) => errors.push(error),
    });
    try {
      await watcher.start();
      assert.deepEqual(events, ['added before 1']);

      await serverSideApply(client, configMap('during', '1'));
      await until(() => events.length === 2, 'the ADDED event');
      // Outlive two server-side ends of the watch, then change things again.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      await serverSideApply(client, configMap('during', '2'));
      await client.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace: NAMESPACE, name: 'before' });
      await until(() => events.length === 4, 'the MODIFIED and DELETED events');
      assert.deepEqual(events, ['added before 1', 'added during 1', 'modified during 2', 'deleted before 1']);
      assert.deepEqual([...watcher.snapshot().keys()], ['default/during']);
      assert.deepEqual(errors, []);
      assert.ok(watches >= 3, `watches opened: ${watches}`);
    } finally {
      watcher.close();
    }
  });
});
