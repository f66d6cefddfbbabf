import { mkdir, open, readdir, readFile, rename, truncate, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { JournalRecord, RunStore, StoredRun } from '../engine/ports/run-store.js';
import { encodeRecord, encodeSnapshot, replayJournal } from './journal-format.js';

export interface LocalRunStoreOptions {
  /** fsync every append and snapshot (default true). Off only for benchmarks that measure the engine. */
  sync?: boolean;
  /** Journal size from which a snapshot is asked for (at least twice the snapshot's size). */
  compactBytes?: number;
}

interface OpenRun {
  journal: FileHandle;
  journalBytes: number;
  snapshotBytes: number;
  seq: number;
}

/**
 * Runs in a local state directory, one folder per run: `snapshot.json`, replaced atomically
 * (write a temporary file, fsync, rename, fsync the folder), and `journal.ndjson`, appended and
 * fsynced per batch. A crash can at worst cut the journal's last line, which loading ignores
 * and cuts off before anything more is appended.
 *
 * @example
 * const store = new LocalRunStore('.skiff/state');
 * const driver = new RunDriver({ store, runtime });
 */
export class LocalRunStore implements RunStore {
  private readonly open = new Map<string, OpenRun>();
  private readonly sync: boolean;
  private readonly compactBytes: number;

  constructor(
    private readonly dir: string,
    options: LocalRunStoreOptions = {},
  ) {
    this.sync = options.sync ?? true;
    this.compactBytes = options.compactBytes ?? 4 << 20;
  }

  private runDir(id: string): string {
    if (!/^[a-z0-9][-a-z0-9.]*$/.test(id)) throw new Error(`invalid run id "${id}"`);
    return join(this.dir, 'runs', id);
  }

  async list(): Promise<string[]> {
    try {
      return (await readdir(join(this.dir, 'runs'))).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  /**
   * The run as saved, read without taking it over: nothing is opened for writing and a torn last
   * journal line is skipped, not cut. For commands that look at a run another process drives.
   */
  async peek(id: string): Promise<StoredRun | undefined> {
    const files = await this.readFiles(id);
    return files && replayJournal(files.snapshot, files.journal).run;
  }

  async load(id: string): Promise<StoredRun | undefined> {
    const files = await this.readFiles(id);
    if (!files) return undefined;
    const { snapshot, journal, journalPath } = files;
    const { run, seq, goodLength } = replayJournal(snapshot, journal);
    if (goodLength < Buffer.byteLength(journal)) await truncate(journalPath, goodLength);
    await this.close(id);
    this.open.set(id, { journal: await open(journalPath, 'a'), journalBytes: goodLength, snapshotBytes: snapshot.length, seq });
    return run;
  }

  private async readFiles(id: string): Promise<{ snapshot: string; journal: string; journalPath: string } | undefined> {
    const dir = this.runDir(id);
    let snapshot: string;
    try {
      snapshot = await readFile(join(dir, 'snapshot.json'), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const journalPath = join(dir, 'journal.ndjson');
    let journal = '';
    try {
      journal = await readFile(journalPath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    return { snapshot, journal, journalPath };
  }

  // Saves and appends of one run take turns: a save closes and truncates the journal an append
  // might be writing (the driver's batches and its after-the-end GC record can overlap).
  private readonly turns = new Map<string, Promise<unknown>>();

  private inTurn<T>(id: string, work: () => Promise<T>): Promise<T> {
    const previous = this.turns.get(id) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.then(() => undefined, () => undefined);
    this.turns.set(id, settled);
    void settled.then(() => {
      if (this.turns.get(id) === settled) this.turns.delete(id);
    });
    return next;
  }

  save(run: StoredRun): Promise<void> {
    return this.inTurn(run.id, () => this.saveNow(run));
  }

  append(id: string, record: JournalRecord): Promise<boolean> {
    return this.inTurn(id, () => this.appendNow(id, record));
  }

  private async saveNow(run: StoredRun): Promise<void> {
    const dir = this.runDir(run.id);
    await mkdir(dir, { recursive: true });
    const seq = (this.open.get(run.id)?.seq ?? 0) + 1;
    const text = encodeSnapshot(seq, run);
    await this.writeAtomic(dir, 'snapshot.json', text);
    await this.close(run.id);
    // Records up to `seq` are in the snapshot; emptying the journal is only tidying up.
    const journal = await open(join(dir, 'journal.ndjson'), 'w');
    this.open.set(run.id, { journal, journalBytes: 0, snapshotBytes: text.length, seq });
  }

  private async appendNow(id: string, record: JournalRecord): Promise<boolean> {
    const state = this.open.get(id) ?? (await this.reopen(id));
    const line = encodeRecord(++state.seq, record);
    await state.journal.write(line);
    if (this.sync) await state.journal.datasync();
    state.journalBytes += Buffer.byteLength(line);
    return state.journalBytes > Math.max(this.compactBytes, 2 * state.snapshotBytes);
  }

  /** Bytes on disk for a run (snapshot + journal). */
  async sizeOf(id: string): Promise<number> {
    const dir = this.runDir(id);
    let total = 0;
    for (const name of ['snapshot.json', 'journal.ndjson']) {
      try {
        total += (await readFile(join(dir, name))).length;
      } catch {
        // absent
      }
    }
    return total;
  }

  /** Closes open journals (end of process, tests). */
  async closeAll(): Promise<void> {
    for (const id of [...this.open.keys()]) await this.close(id);
  }

  private async reopen(id: string): Promise<OpenRun> {
    const run = await this.load(id);
    if (!run) throw new Error(`run ${id} was never saved`);
    return this.open.get(id)!;
  }

  private async close(id: string): Promise<void> {
    const state = this.open.get(id);
    if (!state) return;
    this.open.delete(id);
    await state.journal.close();
  }

  private async writeAtomic(dir: string, name: string, text: string): Promise<void> {
    const temporary = join(dir, `.${name}.${process.pid}.tmp`);
    const handle = await open(temporary, 'w');
    try {
      await handle.writeFile(text);
      if (this.sync) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, join(dir, name));
    if (this.sync) {
      const folder = await open(dir, 'r');
      try {
        await folder.sync();
      } finally {
        await folder.close();
      }
    }
  }
}
