import assert from 'node:assert/strict';
import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DeliveryInbox, INBOX_JOURNAL } from '../../src/github/delivery-inbox.js';

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'skiff-inbox-'));
});
after(async () => rm(root, { recursive: true, force: true }));

const delivery = (id: string, extra: Record<string, unknown> = {}) => ({ id, name: 'pull_request', payload: { action: 'opened', n: id, ...extra } });

test('what is recorded and not done is pending for the next process, oldest first; done deliveries are not', async () => {
  const dir = join(root, 'pending');
  const inbox = new DeliveryInbox(dir);
  for (const id of ['a', 'b', 'c', 'd']) await inbox.record(delivery(id));
  await inbox.done('b');
  await inbox.done('d');
  const next = new DeliveryInbox(dir);
  assert.deepEqual(await next.pending(), [delivery('a'), delivery('c')]);
  await next.done('a');
  await next.done('c');
  assert.deepEqual(await new DeliveryInbox(dir).pending(), []);
  assert.equal(await readFile(join(dir, INBOX_JOURNAL), 'utf8'), '', 'drained: the journal is emptied');
});

test('a burst recorded at once is written in a few appends, and every delivery of it is kept', async () => {
  const dir = join(root, 'burst');
  const inbox = new DeliveryInbox(dir);
  await inbox.record(delivery('first'));
  const ids = Array.from({ length: 500 }, (_, i) => `burst-${i}`);
  await Promise.all(ids.map((id) => inbox.record(delivery(id))));
  const found = await new DeliveryInbox(dir).pending();
  assert.deepEqual(found.map((d) => d.id).sort(), ['first', ...ids].sort());
  // Handled concurrently too: nothing is lost or kept twice while done lines and records interleave.
  await Promise.all([...ids.slice(0, 250).map((id) => inbox.done(id)), ...['x', 'y'].map((id) => inbox.record(delivery(id)))]);
  const left = (await new DeliveryInbox(dir).pending()).map((d) => d.id).sort();
  assert.deepEqual(left, ['first', ...ids.slice(250), 'x', 'y'].sort());
});

test('a line cut short by a kill is dropped (never acknowledged); the lines before it count', async () => {
  const dir = join(root, 'torn');
  const inbox = new DeliveryInbox(dir);
  await inbox.record(delivery('whole'));
  const torn = JSON.stringify({ at: Date.now(), ...delivery('torn') });
  await appendFile(join(dir, INBOX_JOURNAL), torn.slice(0, torn.length - 7));
  const next = new DeliveryInbox(dir);
  assert.deepEqual(await next.pending(), [delivery('whole')]);
  // The next process appends after the whole lines, not onto the torn one.
  await next.record(delivery('after'));
  assert.deepEqual(
    (await new DeliveryInbox(dir).pending()).map((d) => d.id),
    ['whole', 'after'],
  );
});

test('many handled deliveries with one still pending: the journal is rewritten to what is pending', async () => {
  const dir = join(root, 'compact');
  const inbox = new DeliveryInbox(dir);
  await inbox.record(delivery('slow', { big: 'x'.repeat(1000) }));
  for (let i = 0; i < 5000; i++) {
    await inbox.record(delivery(`quick-${i}`));
    await inbox.done(`quick-${i}`);
  }
  const text = await readFile(join(dir, INBOX_JOURNAL), 'utf8');
  assert.ok(text.split('\n').length < 100, `compacted (${text.split('\n').length} lines)`);
  assert.deepEqual(
    (await new DeliveryInbox(dir).pending()).map((d) => d.id),
    ['slow'],
  );
  assert.deepEqual(await readdir(dir), [INBOX_JOURNAL], 'no copy left behind');
});

test('deliveries kept one file each (the earlier layout) are taken over; unacknowledged .tmp files go', async () => {
  const dir = join(root, 'earlier');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'old-1.json'), JSON.stringify({ at: 1, ...delivery('old-1') }));
  await writeFile(join(dir, 'old-2.json.tmp'), '{"at": 2, "id": "old-2"');
  const inbox = new DeliveryInbox(dir);
  assert.deepEqual(await inbox.pending(), [delivery('old-1')]);
  assert.deepEqual(await readdir(dir), [INBOX_JOURNAL]);
  await inbox.done('old-1');
  assert.deepEqual(await new DeliveryInbox(dir).pending(), []);
});
