import { KeyedSerializer } from '../shared/keyed-serializer.js';
import { readFileSync } from 'node:fs';
import { link, open, readdir, readFile, rename, rm, stat, truncate, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { type JournalRecord, RunExistsError, type RunStore, type SaveOptions, type StoredRun } from '../ports/run-store.js';
import { DamagedRunError } from './damaged-run-error.js';
import { encodeJournalHeader, encodeRecord, encodeSnapshot, type SaveKind } from './journal-format.js';
import { makePrivateDir, openPrivate } from './private-files.js';
import { replayRun, type ReplayedRun, type RunFile } from './replay-run.js';
import { isLegacyEntry, isLegacyRunDir, legacyNameOf, migrateLegacyRun } from './migrate-legacy-run.js';
import { isPathSegment, StateLayout } from './state-layout.js';
import { canonicalRunKey, splitRunKey, type RunKey } from '../ports/run-key.js';

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

const SNAPSHOT = 'snapshot.json';
const JOURNAL = 'journal.ndjson';
const PREVIOUS_SNAPSHOT = 'snapshot.prev.json';
const PREVIOUS_JOURNAL = 'journal.prev.ndjson';
/** Why the run's driver holds it (see noteHeld); absent when it does not. */
const HELD = 'held.json';

/**
 * Runs in a local state directory, one folder per run, `runs/<namespace>/<name>/` (a run of the
 * layout before namespaces, `runs/<name>/`, is moved there when listed or loaded:
 * migrate-legacy-run.ts): `snapshot.json` and `journal.ndjson`
 * (format: journal-format.ts), and the generation before them, `snapshot.prev.json` and
 * `journal.prev.ndjson`, which stand in for a damaged snapshot when they provably hold the same
 * run (replay-run.ts). A save writes the new snapshot and journal beside the old ones, keeps the
 * old ones as the previous generation, then renames the new ones in; appends are fsynced per
 * batch. A crash can at worst cut the journal's last line, which loading ignores and cuts off
 * before anything more is appended. Anything else wrong makes the run damaged (DamagedRunError):
 * its files are then left exactly as they are. Files are owner-only (private-files.ts).
 *
 * @example
 * const store = new LocalRunStore('.skiff/state');
 * const driver = new RunDriver({ store, runtime });
 */
export class LocalRunStore implements RunStore {
  private readonly open = new Map<RunKey, OpenRun>();
  private readonly sync: boolean;
  private readonly compactBytes: number;
  private readonly layout: StateLayout;

  constructor(
    private readonly dir: string,
    options: LocalRunStoreOptions = {},
  ) {
    this.sync = options.sync ?? true;
    this.compactBytes = options.compactBytes ?? 4 << 20;
    this.layout = new StateLayout(dir);
  }

  private runDir(key: RunKey): string {
    return this.layout.runDir(key);
  }

  async list(): Promise<RunKey[]> {
    const keys: RunKey[] = [];
    for (const entry of await readdirOrNone(this.layout.runs)) {
      if (!isLegacyEntry(entry)) continue;
      const migrated = await migrateLegacyRun(this.dir, legacyNameOf(entry));
      if (migrated) {
        keys.push(migrated);
        continue;
      }
      if (!isPathSegment(entry)) continue;
      for (const name of await readdirOrNone(join(this.layout.runs, entry))) if (isPathSegment(name)) keys.push(`${entry}/${name}`);
    }
    return [...new Set(keys)].sort();
  }

  /** Moves the run from the layout before namespaces when it is still there (see migrate-legacy-run.ts). */
  private async migrated(key: RunKey): Promise<void> {
    const { name } = splitRunKey(key);
    if (await isLegacyRunDir(join(this.layout.runs, name))) await migrateLegacyRun(this.dir, name);
  }

  /**
   * The run as saved, read without taking it over: nothing is opened for writing and a torn last
   * journal line is skipped, not cut. For commands that look at a run another process drives.
   * Throws DamagedRunError for a damaged run.
   */
  async peek(key: RunKey): Promise<StoredRun | undefined> {
    const id = canonicalRunKey(key);
    // A save by the driving process may swap the files between our two reads: read again before
    // calling the run damaged.
    for (let attempt = 0; ; attempt++) {
      try {
        return (await this.replay(id))?.run;
      } catch (error) {
        if (!(error instanceof DamagedRunError) || attempt >= 2) throw error;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  }

  /** Takes the run over for writing. Throws DamagedRunError, leaving its files untouched, for a damaged run. */
  async load(key: RunKey): Promise<StoredRun | undefined> {
    const id = canonicalRunKey(key);
    const replayed = await this.replay(id);
    if (!replayed) return undefined;
    const { run, seq, goodLength, rewrite } = replayed;
    await this.close(id);
    if (rewrite) {
      // The journal is not the snapshot's own: start the generation again from what was read.
      await this.saveNow(run, 'compaction', seq);
      return run;
    }
    const journalPath = join(this.runDir(id), JOURNAL);
    const bytes = await fileSize(journalPath);
    if (goodLength < bytes) await truncate(journalPath, goodLength);
    this.open.set(id, {
      journal: await openPrivate(journalPath, 'a'),
      journalBytes: goodLength,
      snapshotBytes: await fileSize(join(this.runDir(id), SNAPSHOT)),
      seq,
    });
    return run;
  }

  private async replay(id: RunKey): Promise<ReplayedRun | undefined> {
    const dir = this.runDir(id);
    if (!(await exists(dir))) await this.migrated(id);
    const snapshot = await readRunFile(join(dir, SNAPSHOT));
    const journal = await readRunFile(join(dir, JOURNAL));
    // A folder with neither is a run not saved yet (its submitter holds the lease); a journal
    // or an older snapshot without a snapshot is a run whose snapshot went missing.
    if (snapshot.text === undefined && journal.text === undefined && !(await exists(join(dir, PREVIOUS_SNAPSHOT)))) return undefined;
    const replayed = replayRun(id, {
      snapshot,
      journal,
      previous: () => ({ snapshot: readRunFileSync(join(dir, PREVIOUS_SNAPSHOT)), journal: readRunFileSync(join(dir, PREVIOUS_JOURNAL)) }),
    });
    const held = await readHeld(join(dir, HELD));
    if (held) replayed.run.held = held;
    return replayed;
  }

  /**
   * Shows that the run is held, and why, to every reader (`skiff get`), in a file of its own: the
   * run's snapshot and journal are what cannot be written. Written whole by rename; best effort.
   */
  async noteHeld(id: string, problem: string | undefined): Promise<void> {
    const path = join(this.runDir(id), HELD);
    if (problem === undefined) return rm(path, { force: true });
    const file = await openPrivate(`${path}.tmp`, 'w');
    try {
      await file.writeFile(JSON.stringify({ problem, since: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') }));
    } finally {
      await file.close();
    }
    await rename(`${path}.tmp`, path);
  }

  // Saves and appends of one run take turns: a save closes and truncates the journal an append
  // might be writing (the driver's batches and its after-the-end GC record can overlap).
  private readonly turns = new KeyedSerializer();

  private inTurn<T>(id: RunKey, work: () => Promise<T>): Promise<T> {
    return this.turns.run(id, work);
  }

  /** Saves a new run. A run there already, even a damaged one, is never replaced. */
  async create(run: StoredRun): Promise<void> {
    let existing: StoredRun | undefined;
    try {
      existing = await this.peek(run.key);
    } catch (error) {
      if (!(error instanceof DamagedRunError)) throw error;
      throw new RunExistsError(run.key);
    }
    if (existing) throw new RunExistsError(run.key);
    await this.save(run);
  }

  save(given: StoredRun, options: SaveOptions = {}): Promise<void> {
    const run = given.key === canonicalRunKey(given.key) ? given : { ...given, key: canonicalRunKey(given.key) };
    return this.inTurn(run.key, async () => {
      const open = this.open.get(run.key);
      // A compaction holds exactly the records so far: it takes the last one's number, which is
      // how a later reader knows the previous generation may stand in for it. A replacement
      // takes a number of its own.
      if (options.compaction && open) return this.saveNow(run, 'compaction', open.seq);
      return this.saveNow(run, 'replacement', (open?.seq ?? (await this.savedSeq(run.key))) + 1);
    });
  }

  append(key: RunKey, record: JournalRecord): Promise<boolean> {
    const id = canonicalRunKey(key);
    return this.inTurn(id, () => this.appendNow(id, record));
  }

  /** The last number used for a run not opened by this store (0 when it is new or unreadable). */
  private async savedSeq(id: RunKey): Promise<number> {
    try {
      return (await this.replay(id))?.seq ?? 0;
    } catch {
      return 0;
    }
  }

  private async saveNow(run: StoredRun, by: SaveKind, seq: number): Promise<void> {
    const dir = this.runDir(run.key);
    await makePrivateDir(dir);
    await this.close(run.key);
    const text = encodeSnapshot(seq, run, by);
    const header = encodeJournalHeader(seq, by);
    const newSnapshot = join(dir, `.${SNAPSHOT}.${process.pid}.tmp`);
    const newJournal = join(dir, `.${JOURNAL}.${process.pid}.tmp`);
    await this.writeSynced(newSnapshot, text);
    await this.writeSynced(newJournal, header);
    // The generation being replaced becomes the previous one; until the snapshot's rename below
    // the current files are still whole, so a crash anywhere leaves a readable run.
    await keepAs(join(dir, SNAPSHOT), join(dir, PREVIOUS_SNAPSHOT));
    await keepAs(join(dir, JOURNAL), join(dir, PREVIOUS_JOURNAL));
    await rename(newSnapshot, join(dir, SNAPSHOT));
    await rename(newJournal, join(dir, JOURNAL));
    if (this.sync) await syncFolder(dir);
    const journal = await openPrivate(join(dir, JOURNAL), 'a');
    this.open.set(run.key, { journal, journalBytes: Buffer.byteLength(header), snapshotBytes: Buffer.byteLength(text), seq });
  }

  private async appendNow(id: RunKey, record: JournalRecord): Promise<boolean> {
    const state = this.open.get(id) ?? (await this.reopen(id));
    const line = encodeRecord(state.seq + 1, record);
    await state.journal.write(line);
    if (this.sync) await state.journal.datasync();
    state.seq++;
    state.journalBytes += Buffer.byteLength(line);
    return state.journalBytes > Math.max(this.compactBytes, 2 * state.snapshotBytes);
  }

  /** Bytes on disk for a run (snapshot + journal, both generations). */
  async sizeOf(key: RunKey): Promise<number> {
    const dir = this.runDir(canonicalRunKey(key));
    let total = 0;
    for (const name of [SNAPSHOT, JOURNAL, PREVIOUS_SNAPSHOT, PREVIOUS_JOURNAL]) total += await fileSize(join(dir, name));
    return total;
  }

  /** Closes open journals (end of process, tests). */
  async closeAll(): Promise<void> {
    for (const id of [...this.open.keys()]) await this.close(id);
  }

  private async reopen(id: RunKey): Promise<OpenRun> {
    const run = await this.load(id);
    if (!run) throw new Error(`run ${id} was never saved`);
    return this.open.get(id)!;
  }

  private async close(id: RunKey): Promise<void> {
    const state = this.open.get(id);
    if (!state) return;
    this.open.delete(id);
    await state.journal.close();
  }

  private async writeSynced(path: string, text: string): Promise<void> {
    const handle = await openPrivate(path, 'w');
    try {
      await handle.writeFile(text);
      if (this.sync) await handle.sync();
    } finally {
      await handle.close();
    }
  }
}

/** Makes `to` another name of `from` (atomically replacing what `to` was); nothing if `from` does not exist. */
async function keepAs(from: string, to: string): Promise<void> {
  const temporary = `${to}.${process.pid}.tmp`;
  await rm(temporary, { force: true });
  try {
    await link(from, temporary);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  await rename(temporary, to);
}

async function syncFolder(dir: string): Promise<void> {
  const folder = await open(dir, 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}

async function readRunFile(path: string): Promise<RunFile> {
  try {
    return { path, text: await readFile(path, 'utf8') };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { path, text: undefined };
    throw error;
  }
}

function readRunFileSync(path: string): RunFile {
  try {
    return { path, text: readFileSync(path, 'utf8') };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { path, text: undefined };
    throw error;
  }
}

async function readdirOrNone(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
    throw error;
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

/** The hold noted beside a run, if any; a note that cannot be read is no hold. */
async function readHeld(path: string): Promise<StoredRun['held']> {
  try {
    const note = JSON.parse(await readFile(path, 'utf8')) as { problem?: unknown; since?: unknown };
    return typeof note.problem === 'string' && typeof note.since === 'string' ? { problem: note.problem, since: note.since } : undefined;
  } catch {
    return undefined;
  }
}
