import { crc32 } from 'node:zlib';
import type { JournalRecord, StoredRun } from '../ports/run-store.js';
import { recordProblem, storedRunProblem } from './check-stored-run.js';
import { DamagedRunError } from './damaged-run-error.js';

/**
 * The saved form of a run: a snapshot and a journal, each line `<checksum> <json>`, the checksum
 * the CRC-32 of the JSON text in 8 hex digits: it finds a torn or garbled line at a fraction of a
 * cryptographic hash's cost per record (whoever can write the state directory could rewrite any
 * checksum anyway, so a stronger hash would buy nothing). A snapshot is `{seq, by, run}`; a
 * journal starts with a header `{follows, by}` naming the snapshot it continues and how that
 * snapshot was made, then one record `{q, ...record}` per batch, numbered consecutively from
 * `follows + 1`. A compaction snapshot takes the number of the last record it holds; a
 * replacement (a new, retried or resubmitted run) takes a number of its own. So the numbers say
 * whether a previous snapshot and its journal can stand in for a damaged one (see replay-run.ts).
 *
 * Files written before checksums (plain JSON lines, no header) are still read: they are checked
 * for JSON, shape and numbering, and a journal may go on with checksummed lines after them. A
 * plain line after a checksummed one is damage.
 */
export type SaveKind = 'compaction' | 'replacement';

export interface Snapshot {
  seq: number;
  /** How it was made; unknown for a snapshot written before this was recorded. */
  by?: SaveKind;
  run: StoredRun;
}

export interface JournalHeader {
  follows: number;
  by: SaveKind;
}

export interface NumberedRecord {
  seq: number;
  record: JournalRecord;
}

export interface DecodedJournal {
  /** Absent in a journal written before headers. */
  header?: JournalHeader;
  records: NumberedRecord[];
  /** Bytes up to the end of the last intact line: a torn last line starts here. */
  goodLength: number;
}

export function encodeRecord(seq: number, record: JournalRecord): string {
  return checkedLine(JSON.stringify({ q: seq, ...record }));
}

export function encodeSnapshot(seq: number, run: StoredRun, by: SaveKind): string {
  // A hold is a note about the driver's state, kept beside the run (see LocalRunStore.noteHeld), never in it.
  const { held: _held, ...saved } = run;
  return checkedLine(JSON.stringify({ seq, by, run: saved }));
}

export function encodeJournalHeader(follows: number, by: SaveKind): string {
  return checkedLine(JSON.stringify({ follows, by }));
}

function checksum(json: string): string {
  return crc32(json).toString(16).padStart(8, '0');
}

function checkedLine(json: string): string {
  return `${checksum(json)} ${json}\n`;
}

type DecodedLine = { value: unknown; checked: boolean } | { problem: string };

/** One line's JSON value, checked against its checksum, or what is wrong with it. */
function decodeLine(line: string): DecodedLine {
  const checked = /^([0-9a-f]{8}) /.exec(line);
  const json = checked ? line.slice(9) : line;
  if (!checked && !line.startsWith('{')) return { problem: line.length === 0 ? 'it is empty' : 'it is neither a checksummed record nor JSON' };
  if (checked && checksum(json) !== checked[1]) return { problem: 'its checksum does not match its content' };
  try {
    return { value: JSON.parse(json) as unknown, checked: checked !== null };
  } catch {
    return { problem: 'it is not valid JSON' };
  }
}

/** A snapshot file's content, or what is wrong with it. */
export function decodeSnapshot(text: string, runId: string): { snapshot: Snapshot } | { problem: string } {
  if (text.trim().length === 0) return { problem: 'it is empty' };
  const decoded = decodeLine(text.endsWith('\n') ? text.slice(0, -1) : text);
  if ('problem' in decoded) return { problem: decoded.problem.replace(/^it is not valid JSON$/, 'it is not valid JSON (cut short or garbled)') };
  const value = decoded.value as Partial<Snapshot> | null;
  if (typeof value !== 'object' || value === null || !Number.isInteger(value.seq) || (value.seq as number) < 0)
    return { problem: 'it has no record number ("seq")' };
  if (value.by !== undefined && value.by !== 'compaction' && value.by !== 'replacement') return { problem: `"by" is ${JSON.stringify(value.by)}` };
  const problem = storedRunProblem(value.run, runId);
  if (problem) return { problem };
  const snapshot = value as Snapshot;
  // A snapshot of the layout before namespaces names its run by `id`; from here on it is `key`.
  const { id: _legacyId, ...run } = snapshot.run as StoredRun & { id?: string };
  return { snapshot: { ...snapshot, run: { ...run, key: runId } } };
}

/**
 * A journal's header and records. Only a torn tail is forgiven: the last line when it has no
 * newline, or fails its checksum or JSON, is left out (`goodLength` says where it starts). Any
 * other bad line, a gap in the numbering or a record of the wrong shape throws DamagedRunError.
 */
export function decodeJournal(text: string, runId: string, file: string): DecodedJournal {
  const lines = text.split('\n');
  // The piece after the last newline: empty when the file ends with one, else a line cut short.
  const tail = lines.pop()!;
  const decoded: DecodedJournal = { records: [], goodLength: 0 };
  let offset = 0;
  let sawChecked = false;
  let previous: number | undefined;
  for (const [index, line] of lines.entries()) {
    const at = `line ${index + 1}`;
    const damaged = (problem: string): DamagedRunError => new DamagedRunError(runId, file, at, problem);
    const last = index === lines.length - 1 && tail.length === 0;
    const result = decodeLine(line);
    if ('problem' in result) {
      if (last) break; // torn while being written
      throw damaged(`${result.problem}, and valid records follow it`);
    }
    if (!result.checked && sawChecked) throw damaged('it has no checksum, yet the lines before it have');
    sawChecked ||= result.checked;
    const value = result.value as Record<string, unknown> | null;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw damaged('it is not a record');
    if (index === 0 && 'follows' in value) {
      if (!Number.isInteger(value.follows) || (value.by !== 'compaction' && value.by !== 'replacement')) throw damaged('its header is not { follows, by }');
      decoded.header = { follows: value.follows as number, by: value.by };
      previous = decoded.header.follows;
    } else {
      const seq = value.q;
      if (!Number.isInteger(seq)) throw damaged('it has no record number ("q")');
      const numbered = `${at} (seq ${seq as number})`;
      if (previous !== undefined && seq !== previous + 1)
        throw new DamagedRunError(runId, file, numbered, `records are missing: seq ${previous + 1} was expected`);
      const problem = recordProblem(value);
      if (problem) throw new DamagedRunError(runId, file, numbered, `the record is of the wrong shape: ${problem}`);
      const { q: _q, ...record } = value;
      decoded.records.push({ seq: seq as number, record: record as unknown as JournalRecord });
      previous = seq as number;
    }
    offset += Buffer.byteLength(line) + 1;
    decoded.goodLength = offset;
  }
  return decoded;
}
