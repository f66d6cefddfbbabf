import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { appendTimedLog, formatRfc3339Nano, LogTimes, TimedLogWriter, timesPath } from '../../src/state/log-times.js';

/** A clock that gives these microseconds in turn. */
const clock =
  (...times: number[]) =>
  () =>
    times.shift()!;

/** Writes chunks as a container would: each chunk's time noted before the chunk. */
function write(path: string, chunks: string[], times: number[]): void {
  const writer = new TimedLogWriter(path, clock(...times));
  for (const chunk of chunks) {
    writer.note(chunk);
    appendFileSync(path, chunk);
  }
  writer.close();
}

describe('the times of a local log', () => {
  it('gives each line the time of the chunk holding its newline, also a line split over chunks', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'skiff-times-')), 'main.log');
    write(path, ['one\ntw', 'o\nthree\n', 'four\n'], [1_000_000, 2_500_000, 4_000_000]);
    const times = (await LogTimes.load(path))!;
    const text = readFileSync(path, 'utf8');
    const ends = [...text.matchAll(/\n/g)].map((m) => m.index!);
    assert.deepEqual(
      ends.map((end) => times.timeOf(end)),
      [1_000_000, 2_500_000, 2_500_000, 4_000_000],
    );
  });

  it('keeps the log exactly as written and its times small: differences after the first entry', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'skiff-times-')), 'main.log');
    const chunks = Array.from({ length: 1000 }, (_, i) => `line ${i} of a step that prints one line per write\n`);
    write(
      path,
      chunks,
      chunks.map((_, i) => 1_764_000_000_000_000 + i * 1000),
    );
    assert.equal(readFileSync(path, 'utf8'), chunks.join(''));
    const size = statSync(timesPath(path)).size;
    assert.ok(size < statSync(path).size / 3, `times take ${size} bytes for a log of ${statSync(path).size}`);
  });

  it('follows on after another writer (a note before the step, a second container run), and reads what is added', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'skiff-times-')), 'main.log');
    const writer = new TimedLogWriter(path, clock(5_000_000));
    writer.append('skiff: warning: a note\n');
    writer.close();
    const times = (await LogTimes.load(path))!;
    assert.equal(times.timeOf(22), 5_000_000);
    write(path, ['later\n'], [9_000_000]);
    assert.equal(times.timeOf(28), 5_000_000, 'not read again yet');
    await times.refresh();
    assert.equal(times.timeOf(28), 9_000_000);
    assert.equal(times.timeOf(22), 5_000_000);
  });

  it('has no times for a log of an older Skiff, and skips an entry a crash tore', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skiff-times-'));
    writeFileSync(join(dir, 'old.log'), 'no times\n');
    assert.equal(await LogTimes.load(join(dir, 'old.log')), undefined);
    const path = join(dir, 'main.log');
    writeFileSync(path, 'a\nb\n');
    writeFileSync(timesPath(path), '=0 1000\n+2 +');
    appendTimedLog(path, 'c\n'); // a new writer starts afresh after the torn entry
    const times = (await LogTimes.load(path))!;
    assert.equal(times.timeOf(1), 1000);
    assert.equal(times.timeOf(3), 1000, 'the torn entry is not used');
    assert.ok(times.timeOf(5)! > 1_700_000_000_000_000, 'the note has the real time');
  });

  it('prints times as RFC 3339 with the fraction trimmed, as kubectl does', () => {
    assert.equal(formatRfc3339Nano(Date.UTC(2026, 0, 2, 3, 4, 5) * 1000 + 123_450), '2026-01-02T03:04:05.12345Z');
    assert.equal(formatRfc3339Nano(Date.UTC(2026, 0, 2, 3, 4, 5) * 1000), '2026-01-02T03:04:05Z');
    assert.equal(formatRfc3339Nano(Date.UTC(2026, 0, 2, 3, 4, 5) * 1000 + 7), '2026-01-02T03:04:05.000007Z');
  });
});
