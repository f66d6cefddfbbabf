import { applyRecord, type StoredRun } from '../ports/run-store.js';
import { DamagedRunError } from './damaged-run-error.js';
import { decodeJournal, decodeSnapshot, type DecodedJournal, type SaveKind, type Snapshot } from './journal-format.js';

/** A file's path (for messages) and text; text undefined when the file does not exist. */
export interface RunFile {
  path: string;
  text: string | undefined;
}

export interface RunFiles {
  snapshot: RunFile;
  journal: RunFile;
  /** The generation before: read only when the snapshot is damaged. */
  previous?: () => { snapshot: RunFile; journal: RunFile };
}

export interface ReplayedRun {
  run: StoredRun;
  /** The number of the last record applied (or of the snapshot). */
  seq: number;
  /** How the snapshot the run was rebuilt from was made, if known. */
  by: SaveKind | undefined;
  /** Bytes of the journal up to its torn last line, if it has one. */
  goodLength: number;
  /** The journal is not the snapshot's own (or it came from the previous generation): it must be started again before anything is appended. */
  rewrite: boolean;
}

/**
 * Rebuilds a run from its snapshot and journal. A damaged snapshot is replaced by the previous
 * generation (previous snapshot + previous journal) only when the numbers prove that gives the
 * same run: the damaged one was a compaction (the journal's header says so) made at the very
 * record the previous journal ends with. Anything else throws DamagedRunError: an older state
 * is never taken for the current one.
 */
export function replayRun(runId: string, files: RunFiles): ReplayedRun {
  const journalText = files.journal.text ?? '';
  const journal = decodeJournal(journalText, runId, files.journal.path);
  const decoded = files.snapshot.text === undefined ? { problem: 'it is missing' } : decodeSnapshot(files.snapshot.text, runId);
  if ('snapshot' in decoded) return { ...replay(runId, decoded.snapshot, journal, files.journal.path), goodLength: journal.goodLength };

  const cannot = (reason: string): DamagedRunError =>
    new DamagedRunError(runId, files.snapshot.path, undefined, `${decoded.problem}, and the previous snapshot cannot stand in for it: ${reason}`);
  const header = journal.header;
  if (!header) throw cannot('the journal does not say how the snapshot was made');
  if (header.by !== 'compaction') throw cannot('the snapshot replaced the run (a new run, a retry or a resubmit), so no other file holds what it held');
  const previous = files.previous?.();
  if (!previous || previous.snapshot.text === undefined) throw cannot('there is none');
  const before = decodeSnapshot(previous.snapshot.text, runId);
  if ('problem' in before) throw cannot(`${previous.snapshot.path}: ${before.problem}`);
  let base: Omit<ReplayedRun, 'goodLength'>;
  try {
    const previousJournal = decodeJournal(previous.journal.text ?? '', runId, previous.journal.path);
    base = replay(runId, before.snapshot, previousJournal, previous.journal.path);
  } catch (error) {
    if (error instanceof DamagedRunError) throw cannot(error.reason);
    throw error;
  }
  if (base.seq !== header.follows) throw cannot(`the previous generation ends at seq ${base.seq}, the snapshot was made at seq ${header.follows}`);
  const replayed = replay(runId, { seq: base.seq, by: 'compaction', run: base.run }, journal, files.journal.path);
  return { ...replayed, goodLength: journal.goodLength, rewrite: true };
}

function replay(runId: string, snapshot: Snapshot, journal: DecodedJournal, path: string): Omit<ReplayedRun, 'goodLength'> {
  const { run } = snapshot;
  let seq = snapshot.seq;
  const header = journal.header;
  if (header && header.follows < seq) {
    // A save was cut short between its snapshot and its journal: every record here is in the snapshot.
    return { run, seq, by: snapshot.by, rewrite: true };
  }
  if (header && header.follows > seq) {
    throw new DamagedRunError(runId, path, 'line 1', `the journal continues the snapshot of seq ${header.follows}, but the snapshot is of seq ${seq}`);
  }
  for (const [index, { seq: q, record }] of journal.records.entries()) {
    // Without a header (older files) a journal may still hold records the snapshot already has.
    if (q <= snapshot.seq) continue;
    if (q !== seq + 1)
      throw new DamagedRunError(
        runId,
        path,
        `line ${index + (header ? 2 : 1)} (seq ${q})`,
        `records are missing: seq ${seq + 1} was expected after the snapshot`,
      );
    applyRecord(run, record);
    seq = q;
  }
  return { run, seq, by: snapshot.by, rewrite: false };
}
