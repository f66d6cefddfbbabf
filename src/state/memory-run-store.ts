import { type JournalRecord, RunExistsError, type RunStore, type SaveOptions, type StoredRun } from '../ports/run-store.js';
import { encodeJournalHeader, encodeRecord, encodeSnapshot } from './journal-format.js';
import { replayRun } from './replay-run.js';

/**
 * A RunStore in memory that keeps exactly what the directory store writes (snapshot text and
 * journal lines), so tests and benchmarks exercise the same format and sizes without a disk.
 */
export class MemoryRunStore implements RunStore {
  private readonly runs = new Map<string, { snapshot: string; journal: string[]; journalBytes: number; seq: number }>();

  constructor(private readonly compactBytes = 1 << 20) {}

  async list(): Promise<string[]> {
    return [...this.runs.keys()];
  }

  async load(key: string): Promise<StoredRun | undefined> {
    const saved = this.runs.get(key);
    if (!saved) return undefined;
    return replayRun(key, { snapshot: { path: `${key}/snapshot`, text: saved.snapshot }, journal: { path: `${key}/journal`, text: saved.journal.join('') } })
      .run;
  }

  async create(run: StoredRun): Promise<void> {
    if (this.runs.has(run.key)) throw new RunExistsError(run.key);
    await this.save(run);
  }

  async save(run: StoredRun, options: SaveOptions = {}): Promise<void> {
    const last = this.runs.get(run.key)?.seq;
    const by = options.compaction && last !== undefined ? 'compaction' : 'replacement';
    const seq = by === 'compaction' ? last! : (last ?? 0) + 1;
    const header = encodeJournalHeader(seq, by);
    this.runs.set(run.key, { snapshot: encodeSnapshot(seq, run, by), journal: [header], journalBytes: header.length, seq });
  }

  async append(key: string, record: JournalRecord): Promise<boolean> {
    const saved = this.runs.get(key);
    if (!saved) throw new Error(`run ${key} was never saved`);
    const line = encodeRecord(++saved.seq, record);
    saved.journal.push(line);
    saved.journalBytes += line.length;
    return saved.journalBytes > Math.max(this.compactBytes, 2 * saved.snapshot.length);
  }

  /** Bytes held for a run (snapshot + journal), for the benchmark's report. */
  sizeOf(key: string): number {
    const saved = this.runs.get(key);
    return saved ? saved.snapshot.length + saved.journalBytes : 0;
  }
}
