import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GroupCommit } from '../../src/shared/group-commit.js';

test('items added while a write is in flight go together in the next write; writes never overlap', async () => {
  const writes: number[][] = [];
  let inFlight = 0;
  let started!: () => void;
  const writing = new Promise<void>((resolve) => (started = resolve));
  const commit = new GroupCommit<number>(async (items) => {
    inFlight++;
    assert.equal(inFlight, 1, 'one write at a time');
    started();
    await new Promise((resolve) => setTimeout(resolve, 5));
    writes.push(items);
    inFlight--;
  });
  const first = commit.add(0);
  await writing;
  await Promise.all([first, ...Array.from({ length: 9 }, (_, i) => commit.add(i + 1))]);
  assert.deepEqual(writes, [[0], [1, 2, 3, 4, 5, 6, 7, 8, 9]]);
});

test('a failed write rejects the adds it carried, and the next write still happens', async () => {
  let fail = true;
  const written: string[] = [];
  const commit = new GroupCommit<string>(async (items) => {
    if (fail) {
      fail = false;
      throw new Error('disk full');
    }
    written.push(...items);
  });
  await assert.rejects(commit.add('lost'), /disk full/);
  await commit.add('kept');
  assert.deepEqual(written, ['kept']);
});

test('exclusive work runs between writes: adds made once it is queued wait for it', async () => {
  const order: string[] = [];
  let started!: () => void;
  const writing = new Promise<void>((resolve) => (started = resolve));
  const commit = new GroupCommit<string>(async (items) => {
    started();
    await new Promise((resolve) => setTimeout(resolve, 5));
    order.push(`write ${items.join(',')}`);
  });
  const first = commit.add('a');
  await writing;
  const rewrite = commit.exclusive(async () => {
    order.push('rewrite');
  });
  const second = commit.add('b');
  await Promise.all([first, rewrite, second]);
  assert.deepEqual(order, ['write a', 'rewrite', 'write b']);
});

test('an add made before a write has started joins it, even with exclusive work queued behind', async () => {
  const order: string[] = [];
  const commit = new GroupCommit<string>(async (items) => {
    order.push(`write ${items.join(',')}`);
  });
  const first = commit.add('a');
  const rewrite = commit.exclusive(async () => {
    order.push('rewrite');
  });
  const second = commit.add('b');
  await Promise.all([first, rewrite, second]);
  assert.deepEqual(order, ['write a,b', 'rewrite']);
});
