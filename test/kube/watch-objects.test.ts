// WatchObjects over a fake KubeClient whose lists and watches the test drives: the first list,
// watch events, a normal end, 410 Gone (relist and report the difference), failures with backoff,
// and close().
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KubeClient, ObjectList, WatchEvent, WatchOptions } from '../../src/kube/kube-client.js';
import { fromStatus, type KubeError, KubeUnavailableError } from '../../src/kube/kube-errors.js';
import { type ObjectEvent, WatchObjects } from '../../src/kube/watch-objects.js';
import type { ConfigMap } from '../../src/spec/model/kubernetes.js';

interface FakeWatch {
  options: WatchOptions;
  onEvent: (event: WatchEvent<ConfigMap>) => void;
  onEnd: (error?: KubeError) => void;
  closed: boolean;
}

function cm(name: string, resourceVersion: string, value = resourceVersion): ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ci', resourceVersion }, data: { value } };
}

class FakeClient {
  readonly namespace = 'ci';
  readonly lists: (ObjectList<ConfigMap> | Error)[] = [];
  readonly watches: FakeWatch[] = [];
  listCalls = 0;

  async list(): Promise<ObjectList<ConfigMap>> {
    this.listCalls++;
    const next = this.lists.shift();
    if (next === undefined) throw new Error('the test gave no list');
    if (next instanceof Error) throw next;
    return next;
  }

  async watch(_v: string, _k: string, _ns: string | undefined, options: WatchOptions, onEvent: FakeWatch['onEvent'], onEnd: FakeWatch['onEnd']) {
    const watch: FakeWatch = { options, onEvent, onEnd, closed: false };
    this.watches.push(watch);
    return { close: () => (watch.closed = true) };
  }

  asClient(): KubeClient {
    return this as unknown as KubeClient;
  }
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((resolve) => setImmediate(resolve));
  assert.ok(condition(), 'condition not reached');
}

function start(fake: FakeClient, sleeps: number[] = []) {
  const events: string[] = [];
  const errors: KubeError[] = [];
  const watcher = new WatchObjects<ConfigMap>(fake.asClient(), {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    namespace: 'ci',
    onEvent: (e: ObjectEvent<ConfigMap>) => events.push(`${e.type} ${e.object.metadata.name} ${e.object.data?.value}`),
    onError: (error) => errors.push(error),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
  return { watcher, events, errors, synced: watcher.start() };
}

describe('WatchObjects', () => {
  test('reports the first list as added, then the watch’s events, from the list’s version', async () => {
    const fake = new FakeClient();
    fake.lists.push({ items: [cm('a', '5'), cm('b', '6')], resourceVersion: '10' });
    const { watcher, events, synced } = start(fake);
    await synced;
    assert.deepEqual(events, ['added a 5', 'added b 6']);
    await until(() => fake.watches.length === 1);
    assert.equal(fake.watches[0]?.options.resourceVersion, '10');
    assert.equal(fake.watches[0]?.options.allowWatchBookmarks, true);

    const watch = fake.watches[0]!;
    watch.onEvent({ type: 'ADDED', object: cm('c', '11') });
    watch.onEvent({ type: 'MODIFIED', object: cm('a', '12') });
    watch.onEvent({ type: 'DELETED', object: cm('b', '13') });
    watch.onEvent({ type: 'BOOKMARK', object: { ...cm('', '20'), metadata: { resourceVersion: '20' } } as ConfigMap });
    assert.deepEqual(events.slice(2), ['added c 11', 'modified a 12', 'deleted b 13']);
    assert.deepEqual([...watcher.snapshot().keys()].sort(), ['ci/a', 'ci/c']);

    // The server ends a watch at its timeout: watch again from the last version seen, no list.
    watch.onEnd();
    await until(() => fake.watches.length === 2);
    assert.equal(fake.watches[1]?.options.resourceVersion, '20');
    assert.equal(fake.listCalls, 1);
    watcher.close();
    assert.equal(fake.watches[1]?.closed, true);
  });

  test('on 410 Gone lists again at once and reports only the differences', async () => {
    const fake = new FakeClient();
    const sleeps: number[] = [];
    fake.lists.push({ items: [cm('keep', '1'), cm('change', '2'), cm('gone', '3')], resourceVersion: '3' });
    fake.lists.push({ items: [cm('keep', '1'), cm('change', '7'), cm('new', '8')], resourceVersion: '9' });
    const { watcher, events, errors, synced } = start(fake, sleeps);
    await synced;
    await until(() => fake.watches.length === 1);
    events.length = 0;

    fake.watches[0]!.onEnd(fromStatus({ kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version: 3 (50)' }));
    await until(() => fake.watches.length === 2);
    assert.deepEqual(events, ['modified change 7', 'added new 8', 'deleted gone 3']);
    assert.equal(fake.watches[1]?.options.resourceVersion, '9');
    assert.equal(errors.length, 1);
    assert.deepEqual(sleeps, [], 'no pause before listing again after 410');
    watcher.close();
  });

  test('a failing list or watch is reported and retried after a growing pause, never given up', async () => {
    const fake = new FakeClient();
    const sleeps: number[] = [];
    const unavailable = new KubeUnavailableError('busy', { status: 503, reason: 'ServiceUnavailable', object: undefined, serverMessage: '' });
    fake.lists.push(unavailable, unavailable, { items: [cm('a', '1')], resourceVersion: '1' }, { items: [], resourceVersion: '4' });
    const { watcher, events, errors, synced } = start(fake, sleeps);
    await synced;
    assert.deepEqual(sleeps, [500, 1000]);
    assert.equal(errors.length, 2);
    await until(() => fake.watches.length === 1);

    // A dropped connection: list again after a pause, and report what went missing meanwhile.
    fake.watches[0]!.onEnd(new KubeUnavailableError('reset', { status: undefined, reason: 'ECONNRESET', object: undefined, serverMessage: '' }));
    await until(() => fake.watches.length === 2);
    assert.deepEqual(sleeps, [500, 1000, 2000]);
    assert.deepEqual(events, ['added a 1', 'deleted a 1']);
    watcher.close();
  });

  test('a consumer that throws does not end the watch', async () => {
    const fake = new FakeClient();
    fake.lists.push({ items: [], resourceVersion: '1' });
    const seen: string[] = [];
    const errors: KubeError[] = [];
    const watcher = new WatchObjects<ConfigMap>(fake.asClient(), {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      onEvent: (e) => {
        seen.push(e.object.metadata.name!);
        if (e.object.metadata.name === 'bad') throw new Error('consumer bug');
      },
      onError: (error) => errors.push(error),
    });
    await watcher.start();
    await until(() => fake.watches.length === 1);
    fake.watches[0]!.onEvent({ type: 'ADDED', object: cm('bad', '2') });
    fake.watches[0]!.onEvent({ type: 'ADDED', object: cm('good', '3') });
    assert.deepEqual(seen, ['bad', 'good']);
    assert.equal(errors.length, 1);
    watcher.close();
  });

  test('close() before the first list succeeds ends the loop and resolves start()', async () => {
    const fake = new FakeClient();
    fake.lists.push(new Error('down'));
    const errors: KubeError[] = [];
    const watcher = new WatchObjects<ConfigMap>(fake.asClient(), {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      onEvent: () => {},
      onError: (error) => errors.push(error),
      backoff: { initialMs: 60_000, maxMs: 60_000 },
    });
    const synced = watcher.start();
    await until(() => errors.length === 1);
    watcher.close();
    await synced;
    assert.equal(fake.listCalls, 1);
    assert.equal(fake.watches.length, 0);
  });
});
