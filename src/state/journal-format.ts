import { applyRecord, type JournalRecord, type StoredRun } from '../engine/ports/run-store.js';

/**
 * The saved form of a run: a snapshot `{ seq, run }` and a journal of one JSON line per
 * record `{ q, ...record }`. Records numbered at or below the snapshot's `seq` are already in
 * it (a crash between writing a snapshot and emptying the journal leaves them behind).
 */
export interface Snapshot {
  seq: number;
  run: StoredRun;
}

export function encodeRecord(seq: number, record: JournalRecord): string {
  return `${JSON.stringify({ q: seq, ...record })}\n`;
}

export function encodeSnapshot(seq: number, run: StoredRun): string {
  return JSON.stringify({ seq, run });
}

/**
 * Rebuilds a run from its snapshot and journal text. A last line cut short by a crash is
 * ignored; `goodLength` says where the intact journal ends, so the writer can cut it there.
 */
export function replayJournal(snapshotText: string, journalText: string): { run: StoredRun; seq: number; goodLength: number } {
  const snapshot = JSON.parse(snapshotText) as Snapshot;
  const run = snapshot.run;
  let seq = snapshot.seq;
  let at = 0;
  let goodLength = 0;
  while (at < journalText.length) {
    const end = journalText.indexOf('\n', at);
    if (end < 0) break;
    const line = journalText.slice(at, end);
    at = end + 1;
    if (line.length === 0) {
      goodLength = at;
      continue;
    }
    let parsed: JournalRecord & { q: number };
    try {
      parsed = JSON.parse(line) as JournalRecord & { q: number };
    } catch {
      break;
    }
    goodLength = at;
    if (parsed.q <= snapshot.seq) continue;
    seq = parsed.q;
    applyRecord(run, parsed);
  }
  return { run, seq, goodLength: Buffer.byteLength(journalText.slice(0, goodLength)) };
}
