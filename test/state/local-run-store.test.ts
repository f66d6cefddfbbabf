import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalRunStore } from '../../src/state/local-run-store.js';
import type { StoredRun } from '../../src/ports/run-store.js';

const run = (): StoredRun => ({
  key: 'default/r1',
  workflow: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', metadata: { name: 'r1' }, spec: {} },
  status: { phase: 'Pending', nodes: {} },
});
const node = (id: string, phase: 'Running' | 'Succeeded') => ({ id, name: id, displayName: id, type: 'Pod' as const, phase });

test('the local store replays its journal over the snapshot, ignores a torn last line, and compacts', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-store-'));
  try {
    const store = new LocalRunStore(dir, { compactBytes: 1 });
    await store.save(run());
    await store.append('default/r1', { nodes: [node('a', 'Running')], run: { phase: 'Running' } });
    await store.append('default/r1', { nodes: [node('a', 'Succeeded'), node('b', 'Running')], run: { phase: 'Running' } });
    await store.closeAll();
    appendFileSync(join(dir, 'runs/default/r1/journal.ndjson'), '{"q":9,"nodes":[{"id":"c"');
    const again = new LocalRunStore(dir);
    const loaded = (await again.load('default/r1'))!;
    assert.deepEqual(Object.keys(loaded.status.nodes), ['a', 'b']);
    assert.equal(loaded.status.nodes.a!.phase, 'Succeeded');
    assert.doesNotMatch(readFileSync(join(dir, 'runs/default/r1/journal.ndjson'), 'utf8'), /"c"/);
    await again.append('default/r1', { nodes: [node('b', 'Succeeded')], run: { phase: 'Succeeded' } });
    await again.save(loaded);
    await again.closeAll();
    // A save starts a new journal: its header only, no records.
    assert.match(readFileSync(join(dir, 'runs/default/r1/journal.ndjson'), 'utf8'), /^[0-9a-f]{8} \{"follows":\d+,"by":"replacement"\}\n$/);
    assert.deepEqual(await new LocalRunStore(dir).list(), ['default/r1']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('peek reads a run another process is writing without cutting its torn last line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-store-'));
  try {
    const writer = new LocalRunStore(dir);
    await writer.save(run());
    await writer.append('default/r1', { nodes: [node('a', 'Running')], run: { phase: 'Running' } });
    // The writer is in the middle of its next line.
    appendFileSync(join(dir, 'runs/default/r1/journal.ndjson'), '{"q":3,"nodes":[{"id":"b"');
    const seen = (await new LocalRunStore(dir).peek('default/r1'))!;
    assert.deepEqual(Object.keys(seen.status.nodes), ['a']);
    assert.equal(seen.status.phase, 'Running');
    assert.match(readFileSync(join(dir, 'runs/default/r1/journal.ndjson'), 'utf8'), /"b"$/);
    assert.equal(await new LocalRunStore(dir).peek('nope'), undefined);
    await writer.closeAll();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('saves and appends of one run started together take turns: none fails, and the last state is what loads', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-store-'));
  try {
    const store = new LocalRunStore(dir, { sync: false });
    const current = run();
    await store.save(current);
    const work: Array<Promise<unknown>> = [];
    for (let i = 0; i < 200; i++) {
      const n = node(`n${i}`, 'Succeeded');
      current.status.nodes[n.id] = n;
      // Not awaited: a save may start while appends are still writing, as the driver's batches
      // and its after-the-end GC record can.
      work.push(i % 7 === 0 ? store.save(structuredClone(current)) : store.append('default/r1', { nodes: [n], run: { phase: 'Running' } }));
    }
    await Promise.all(work);
    await store.closeAll();
    const loaded = (await new LocalRunStore(dir).load('default/r1'))!;
    assert.equal(Object.keys(loaded.status.nodes).length, 200);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
