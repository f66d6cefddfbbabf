import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DeliveryLedger } from '../../src/github/delivery-ledger.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'skiff-ledger-'));
});
after(async () => rm(dir, { recursive: true, force: true }));

test('an id is accepted once, also by concurrent callers and after reopening', async () => {
  const file = join(dir, 'once');
  const ledger = await DeliveryLedger.open(file);
  const id = randomUUID();
  const answers = await Promise.all([ledger.accept(id), ledger.accept(id), ledger.accept(id)]);
  assert.deepEqual(answers.sort(), [false, false, true]);
  const reopened = await DeliveryLedger.open(file);
  assert.equal(await reopened.accept(id), false);
  assert.equal(await reopened.accept(randomUUID()), true);
});

test('bounded: the newest ids are kept, in memory and on disk; the file is compacted', async () => {
  const file = join(dir, 'bounded');
  const ledger = await DeliveryLedger.open(file, 10);
  const ids = Array.from({ length: 45 }, (_, i) => `id-${i}`);
  for (const id of ids) assert.equal(await ledger.accept(id), true);
  const lines = (await readFile(file, 'utf8')).split('\n').filter(Boolean);
  assert.ok(lines.length <= 20, `compacted to at most twice the capacity (${lines.length})`);
  const reopened = await DeliveryLedger.open(file, 10);
  for (const id of ids.slice(-10)) assert.equal(reopened.has(id), true, id);
  assert.equal(reopened.has('id-0'), false, 'the oldest is forgotten');
});

test('a line cut short by a crash is ignored; a malformed id is refused', async () => {
  const file = join(dir, 'torn');
  const ledger = await DeliveryLedger.open(file);
  await ledger.accept('aaaa-1');
  await appendFile(file, 'bbbb/../');
  const reopened = await DeliveryLedger.open(file);
  assert.equal(reopened.has('aaaa-1'), true);
  await assert.rejects(reopened.accept('../../etc/passwd'), /not a delivery id/);
  assert.equal(DeliveryLedger.isDeliveryId('x'.repeat(65)), false);
});

test('what must be kept first is kept before the id is written; when that fails the id is let go', async () => {
  const file = join(dir, 'before-write');
  const ledger = await DeliveryLedger.open(file);
  const id = randomUUID();
  const onDisk = async () => (await readFile(file, 'utf8').catch(() => '')).includes(id);
  await assert.rejects(
    ledger.accept(id, async () => {
      assert.equal(await onDisk(), false, 'not written before the inbox has it');
      throw new Error('disk full');
    }),
    /disk full/,
  );
  assert.equal(ledger.has(id), false);
  assert.equal(await onDisk(), false);
  let kept = false;
  assert.equal(
    await ledger.accept(id, async () => {
      kept = true;
    }),
    true,
    'sent again, it is taken',
  );
  assert.ok(kept);
  assert.equal(await onDisk(), true);
  assert.equal(await ledger.accept(id, async () => assert.fail('a duplicate is never kept')), false);
});
