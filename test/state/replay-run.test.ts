import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JournalRecord, StoredRun } from '../../src/ports/run-store.js';
import { DamagedRunError } from '../../src/state/damaged-run-error.js';
import { encodeRecord, encodeSnapshot } from '../../src/state/journal-format.js';
import { LocalRunStore } from '../../src/state/local-run-store.js';

const run = (id = 'r1'): StoredRun => ({
  key: `default/${id}`,
  workflow: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', metadata: { name: id }, spec: {} },
  status: { phase: 'Pending', nodes: {} },
});
const node = (id: string, phase: 'Running' | 'Succeeded') => ({ id, name: id, displayName: id, type: 'Pod' as const, phase });
const step = (id: string, phase: 'Running' | 'Succeeded', runPhase: 'Running' | 'Succeeded' = 'Running'): JournalRecord => ({
  nodes: [node(id, phase)],
  run: { phase: runPhase },
});

/** A state directory with run r1 saved and four records: a, b, c started and finished in turn, the run Succeeded. */
async function savedRun(options: { compactAfter?: number } = {}): Promise<{ dir: string; journal: string; snapshot: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-replay-'));
  const store = new LocalRunStore(dir, { sync: false });
  const current = run();
  await store.save(current);
  const records = [step('a', 'Succeeded'), step('b', 'Succeeded'), step('c', 'Running'), step('c', 'Succeeded', 'Succeeded')];
  for (const [index, record] of records.entries()) {
    await store.append('default/r1', record);
    for (const n of record.nodes) current.status.nodes[n.id] = n;
    current.status.phase = record.run.phase;
    if (index + 1 === options.compactAfter) await store.save(structuredClone(current), { compaction: true });
  }
  await store.closeAll();
  return { dir, journal: join(dir, 'runs/default/r1/journal.ndjson'), snapshot: join(dir, 'runs/default/r1/snapshot.json') };
}

/** Loading (and peeking) r1 fails as damaged, naming `file` and matching `at` and `problem`; its files are left as they were. */
async function assertDamaged(dir: string, file: string, at: RegExp | undefined, problem: RegExp): Promise<DamagedRunError> {
  const before = readFileSync(file, 'utf8');
  const store = new LocalRunStore(dir);
  const error = await store.load('default/r1').then(
    () => assert.fail('a damaged run loaded'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof DamagedRunError, String(error));
  assert.equal(error.file, file);
  if (at) assert.match(error.at ?? '', at);
  else assert.equal(error.at, undefined);
  assert.match(error.problem, problem);
  assert.match(error.message, /^run "r1" in namespace "default" is damaged: /);
  await assert.rejects(store.peek('default/r1'), DamagedRunError);
  await assert.rejects(store.append('default/r1', step('d', 'Running')), DamagedRunError);
  await store.closeAll();
  assert.equal(readFileSync(file, 'utf8'), before, 'the damaged file was changed');
  return error;
}

function lines(path: string): string[] {
  return readFileSync(path, 'utf8').split('\n');
}

/** Damage done to the journal's lines before its end, and where and what it must be reported as. */
const JOURNAL_DAMAGES: Array<{ what: string; damage: (lines: string[]) => void; at: RegExp; problem: RegExp }> = [
  // Line 1 is the header; line 3 holds seq 3, with valid records after it.
  { what: 'a garbled line in the middle', damage: (l) => void (l[2] = l[2]!.slice(0, 40)), at: /^line 3$/, problem: /valid records follow it/ },
  // Still valid JSON, a plausible record: only the checksum tells.
  {
    what: 'a record whose checksum does not match before the end',
    damage: (l) => void (l[2] = l[2]!.replace('"phase":"Succeeded"', '"phase":"Failed"')),
    at: /^line 3$/,
    problem: /checksum does not match/,
  },
  { what: 'a gap in the record numbers', damage: (l) => void l.splice(2, 1), at: /^line 3 \(seq 4\)$/, problem: /records are missing: seq 3 was expected/ },
  {
    what: 'a record of the wrong shape with a good checksum',
    damage: (l) =>
      void (l[2] = encodeRecord(3, {
        nodes: [{ id: 'x', name: 'x', displayName: 'x', type: 'Pod', phase: 'Running', children: 'y' }],
        run: { phase: 'Running' },
      } as unknown as JournalRecord).trimEnd()),
    at: /^line 3 \(seq 3\)$/,
    problem: /wrong shape: its node 1: "children" is not a list of node ids/,
  },
];

for (const { what, damage, at, problem } of JOURNAL_DAMAGES) {
  test(`${what} makes the run damaged, not a torn tail`, async () => {
    const { dir, journal } = await savedRun();
    try {
      const text = lines(journal);
      damage(text);
      writeFileSync(journal, text.join('\n'));
      await assertDamaged(dir, journal, at, problem);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('a torn tail is still just dropped: cut short, or failing its checksum as the very last line', async () => {
  for (const tear of [(t: string) => t.slice(0, -30), (t: string) => t.replace(/"Succeeded"\}\}\n$/, '"Succeedex"}}\n')]) {
    const { dir, journal } = await savedRun();
    try {
      writeFileSync(journal, tear(readFileSync(journal, 'utf8')));
      const store = new LocalRunStore(dir);
      const loaded = (await store.load('default/r1'))!;
      assert.equal(loaded.status.nodes.c!.phase, 'Running');
      assert.equal(loaded.status.phase, 'Running');
      // Cut off before the next record goes on, which then follows seq 4 without a gap.
      await store.append('default/r1', step('c', 'Succeeded', 'Succeeded'));
      await store.closeAll();
      assert.equal((await new LocalRunStore(dir).load('default/r1'))!.status.phase, 'Succeeded');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('a truncated, empty or wrongly shaped snapshot of a new run makes it damaged, naming the snapshot', async () => {
  const damages: Array<[string, (text: string) => string, RegExp]> = [
    ['truncated', (t) => t.slice(0, t.length / 2), /its checksum does not match its content/],
    ['truncated (written before checksums)', () => JSON.stringify({ seq: 1, run: run() }).slice(0, 60), /not valid JSON \(cut short or garbled\)/],
    ['empty', () => '', /it is empty/],
    [
      'wrongly shaped',
      () => encodeSnapshot(1, { ...run(), status: { phase: 'Running', nodes: [] } } as unknown as StoredRun, 'replacement'),
      /the status has no "nodes" object/,
    ],
  ];
  for (const [what, damage, problem] of damages) {
    const { dir, snapshot } = await savedRun();
    try {
      writeFileSync(snapshot, damage(readFileSync(snapshot, 'utf8')));
      const error = await assertDamaged(dir, snapshot, undefined, problem);
      // Nothing else holds a new run's first state: the previous snapshot cannot stand in.
      assert.match(error.problem, /the snapshot replaced the run/, what);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('a missing snapshot beside a journal makes the run damaged, not absent', async () => {
  const { dir, snapshot } = await savedRun();
  try {
    rmSync(snapshot);
    const error = await new LocalRunStore(dir).peek('default/r1').then(
      () => assert.fail('a run without its snapshot was read'),
      (e: unknown) => e as DamagedRunError,
    );
    assert.ok(error instanceof DamagedRunError);
    assert.equal(error.file, snapshot);
    assert.match(error.problem, /^it is missing, and the previous snapshot cannot stand in for it/);
    // A folder with no files yet (a run whose submitter holds its lease) is no run.
    mkdirSync(join(dir, 'runs/default/r2'), { recursive: true });
    assert.equal(await new LocalRunStore(dir).peek('default/r2'), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a damaged snapshot made by compaction is rebuilt from the previous generation, then repaired', async () => {
  const { dir, snapshot } = await savedRun({ compactAfter: 2 });
  try {
    assert.ok(existsSync(join(dir, 'runs/default/r1/snapshot.prev.json')));
    writeFileSync(snapshot, readFileSync(snapshot, 'utf8').slice(0, 50));
    const peeked = (await new LocalRunStore(dir).peek('default/r1'))!;
    assert.equal(peeked.status.phase, 'Succeeded');
    assert.deepEqual(Object.keys(peeked.status.nodes), ['a', 'b', 'c']);
    const store = new LocalRunStore(dir);
    assert.deepEqual(await store.load('default/r1'), peeked);
    await store.closeAll();
    // Loading wrote a good snapshot again.
    assert.match(readFileSync(snapshot, 'utf8'), /^[0-9a-f]{8} \{"seq":5,"by":"compaction"/);
    assert.deepEqual(await new LocalRunStore(dir).peek('default/r1'), peeked);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the previous generation does not stand in when its journal is short of the snapshot it should lead to', async () => {
  const { dir, snapshot } = await savedRun({ compactAfter: 2 });
  try {
    const previousJournal = join(dir, 'runs/default/r1/journal.prev.ndjson');
    const text = lines(previousJournal);
    writeFileSync(previousJournal, `${text.slice(0, -2).join('\n')}\n`); // its last record (seq 3) gone
    writeFileSync(snapshot, '');
    await assertDamaged(
      dir,
      snapshot,
      undefined,
      /it is empty, and the previous snapshot cannot stand in for it: the previous generation ends at seq 2, the snapshot was made at seq 3/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('files written before checksums are read, checked for numbering and JSON', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-replay-'));
  try {
    mkdirSync(join(dir, 'runs/default/r1'), { recursive: true });
    const journal = join(dir, 'runs/default/r1/journal.ndjson');
    writeFileSync(join(dir, 'runs/default/r1/snapshot.json'), JSON.stringify({ seq: 1, run: run() }));
    // A leftover record the snapshot holds, then two new ones.
    const legacy = (seq: number, record: JournalRecord) => `${JSON.stringify({ q: seq, ...record })}\n`;
    writeFileSync(journal, legacy(1, step('z', 'Running')) + legacy(2, step('a', 'Running')) + legacy(3, step('a', 'Succeeded')));
    const store = new LocalRunStore(dir);
    const loaded = (await store.load('default/r1'))!;
    assert.deepEqual(Object.keys(loaded.status.nodes), ['a']);
    assert.equal(loaded.status.nodes.a!.phase, 'Succeeded');
    // New records go on with checksums after the old ones.
    await store.append('default/r1', step('b', 'Succeeded', 'Succeeded'));
    await store.closeAll();
    assert.equal((await new LocalRunStore(dir).peek('default/r1'))!.status.phase, 'Succeeded');
    // A plain line in the middle that is not JSON is damage, as any other.
    const text = lines(journal);
    text[1] = '{"q":2,"nodes":[{"id":"a"';
    writeFileSync(journal, text.join('\n'));
    await assertDamaged(dir, journal, /^line 2$/, /not valid JSON, and valid records follow it/);
    // And a plain line after checksummed ones.
    writeFileSync(journal, `${encodeRecord(2, step('a', 'Running'))}${legacy(3, step('a', 'Succeeded'))}${encodeRecord(4, step('b', 'Running'))}`);
    await assertDamaged(dir, journal, /^line 2$/, /no checksum, yet the lines before it have/);
    appendFileSync(journal, '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('one damaged run leaves the other runs of the store readable and writable', async () => {
  const { dir, journal } = await savedRun();
  try {
    const store = new LocalRunStore(dir);
    await store.save(run('r2'));
    await store.append('default/r2', step('a', 'Running'));
    writeFileSync(journal, readFileSync(journal, 'utf8').replace(/"a"/, '"A"'));
    await assert.rejects(store.peek('default/r1'), DamagedRunError);
    assert.deepEqual(await store.list(), ['default/r1', 'default/r2']);
    assert.equal((await store.load('default/r2'))!.status.nodes.a!.phase, 'Running');
    await store.closeAll();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
