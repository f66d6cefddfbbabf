import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { LockRequest } from '../../src/engine/engine-events.js';
import { SharedLocks } from '../../src/runs/shared-locks.js';
import type { LockEvent } from '../../src/ports/lock-manager.js';
import { LocalLockTable } from '../../src/state/local-lock-table.js';

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function tableDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'skiff-locks-'));
  dirs.push(dir);
  return join(dir, 'locks');
}

const mutex = (holder: string, extra: Partial<LockRequest> = {}): LockRequest => ({
  holder,
  runKey: holder.split('/').slice(0, 2).join('/'),
  locks: [{ name: 'default/Mutex/m', limit: 1 }],
  priority: 0,
  createdAt: '',
  ...extra,
});

/** A process's view: its own SharedLocks over the shared directory, and the events it was told. */
function processOf(
  dir: string,
  owner: number,
  dead: Set<number>,
): { locks: SharedLocks; events: LockEvent[]; next: (type: LockEvent['type'], holder: string) => Promise<LockEvent> } {
  const isAlive = (pid: number) => !dead.has(pid);
  const events: LockEvent[] = [];
  const locks = new SharedLocks(new LocalLockTable(dir, { isAlive }), { owner, isAlive, pollMs: 10 });
  const next = async (type: LockEvent['type'], holder: string): Promise<LockEvent> => {
    for (let i = 0; ; i++) {
      const found = events.find((e) => e.type === type && e.holder === holder);
      if (found) return found;
      assert.ok(i < 500, `no ${type} for ${holder}: ${JSON.stringify(events)}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  return { locks, events, next };
}

const report = (events: LockEvent[]) => (event: LockEvent) => events.push(event);

test('two processes share a mutex through the state directory: the second waits, and gets it when the first releases', async () => {
  const dir = await tableDir();
  const dead = new Set<number>();
  const a = processOf(dir, 101, dead);
  const b = processOf(dir, 102, dead);
  a.locks.acquire(mutex('default/one'), report(a.events));
  await a.next('lock-acquired', 'default/one');
  b.locks.acquire(mutex('default/two'), report(b.events));
  const waiting = await b.next('lock-waiting', 'default/two');
  assert.deepEqual(waiting, { type: 'lock-waiting', holder: 'default/two', lock: 'default/Mutex/m', holders: ['default/one'] });
  assert.equal(
    b.events.some((e) => e.type === 'lock-acquired'),
    false,
  );
  a.locks.release('default/one');
  await b.next('lock-acquired', 'default/two');
  const table = JSON.parse(await readFile(join(dir, 'table.json'), 'utf8')) as { locks: Record<string, { holders: Array<{ holder: string; owner: number }> }> };
  assert.deepEqual(
    table.locks['default/Mutex/m']!.holders.map((h) => [h.holder, h.owner]),
    [['default/two', 102]],
  );
  await a.locks.close();
  await b.locks.close();
});

test('the holds of a process that died are dropped; its run, picked up again, takes back a hold nobody took', async () => {
  const dir = await tableDir();
  const dead = new Set<number>();
  const a = processOf(dir, 201, dead);
  a.locks.acquire(mutex('default/one'), report(a.events));
  await a.next('lock-acquired', 'default/one');
  // Process 201 is killed: its hold stays in the table until someone looks.
  dead.add(201);
  const c = processOf(dir, 203, dead);
  c.locks.acquire(mutex('default/one', { reacquire: true }), report(c.events));
  await c.next('lock-acquired', 'default/one');
  const b = processOf(dir, 202, dead);
  b.locks.acquire(mutex('default/two'), report(b.events));
  await b.next('lock-waiting', 'default/two');
  // Now the continuing process dies too: the waiter gets the lock, nobody deadlocks.
  dead.add(203);
  await b.next('lock-acquired', 'default/two');
  for (const p of [a, b, c]) await p.locks.close();
});

test('a semaphore admits as many as its limit, then serves its queue by priority and arrival', async () => {
  const dir = await tableDir();
  const dead = new Set<number>();
  const p = processOf(dir, 301, dead);
  const sem = (holder: string, priority = 0): LockRequest => ({
    holder,
    runKey: holder.split('/').slice(0, 2).join('/'),
    locks: [{ name: 'default/ConfigMap/my-config/template', limit: 2 }],
    priority,
    createdAt: '',
  });
  for (const h of ['default/a', 'default/b', 'default/c']) p.locks.acquire(sem(h), report(p.events));
  await p.next('lock-acquired', 'default/a');
  await p.next('lock-acquired', 'default/b');
  await p.next('lock-waiting', 'default/c');
  p.locks.acquire(sem('default/urgent', 5), report(p.events));
  await p.next('lock-waiting', 'default/urgent');
  p.locks.release('default/a');
  await p.next('lock-acquired', 'default/urgent');
  assert.equal(
    p.events.some((e) => e.type === 'lock-acquired' && e.holder === 'default/c'),
    false,
    'the higher priority went first',
  );
  p.locks.releaseRun('default/b');
  await p.next('lock-acquired', 'default/c');
  await p.locks.close();
});

test('a request for several locks takes them all at once or waits for all', async () => {
  const dir = await tableDir();
  const dead = new Set<number>();
  const p = processOf(dir, 401, dead);
  p.locks.acquire(mutex('default/x'), report(p.events));
  await p.next('lock-acquired', 'default/x');
  const both: LockRequest = {
    holder: 'default/both',
    runKey: 'default/both',
    locks: [
      { name: 'default/Mutex/other', limit: 1 },
      { name: 'default/Mutex/m', limit: 1 },
    ],
    priority: 0,
    createdAt: '',
  };
  p.locks.acquire(both, report(p.events));
  await p.next('lock-waiting', 'default/both');
  const table = JSON.parse(await readFile(join(dir, 'table.json'), 'utf8')) as { locks: Record<string, { holders: unknown[] }> };
  assert.deepEqual(table.locks['default/Mutex/other']!.holders, [], 'no lock is taken while another of the request is busy');
  p.locks.release('default/x');
  await p.next('lock-acquired', 'default/both');
  await p.locks.close();
});

test('a guard left by a process that died mid-update does not block the table; one of a live process does, for a while', async () => {
  const dir = await tableDir();
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'table.guard'), '999999');
  const table = new LocalLockTable(dir, { isAlive: (pid) => pid !== 999999, timeoutMs: 2000 });
  assert.equal(await table.update((state) => ++state.seq), 1);
  // Created and never written (its process died in between): stale once it is old.
  await writeFile(join(dir, 'table.guard'), '');
  const old = new Date(Date.now() - 60_000);
  await utimes(join(dir, 'table.guard'), old, old);
  assert.equal(await table.update((state) => ++state.seq), 2);
  const live = new LocalLockTable(dir, { isAlive: () => true, timeoutMs: 100 });
  await writeFile(join(dir, 'table.guard'), '424242');
  await assert.rejects(
    live.update(() => 0),
    /held by process 424242 for more than 100 ms/,
  );
});
