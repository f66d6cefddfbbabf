import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyedSerializer } from '../../src/shared/keyed-serializer.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('tasks of one key run one after another, in order, even when one fails', async () => {
  const serializer = new KeyedSerializer();
  const log: string[] = [];
  const task =
    (name: string, fail = false) =>
    async () => {
      log.push(`start ${name}`);
      await tick();
      await tick();
      log.push(`end ${name}`);
      if (fail) throw new Error(name);
      return name;
    };
  const results = await Promise.allSettled([serializer.run('k', task('a')), serializer.run('k', task('b', true)), serializer.run('k', task('c'))]);
  assert.deepEqual(log, ['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  assert.deepEqual(
    results.map((r) => r.status),
    ['fulfilled', 'rejected', 'fulfilled'],
  );
  assert.deepEqual(serializer.busyKeys, []);
});

test('tasks of different keys run at the same time', async () => {
  const serializer = new KeyedSerializer();
  let running = 0;
  let most = 0;
  const task = async () => {
    running++;
    most = Math.max(most, running);
    await tick();
    running--;
  };
  await Promise.all([serializer.run('a', task), serializer.run('b', task), serializer.run('c', task)]);
  assert.equal(most, 3);
});
