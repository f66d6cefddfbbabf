import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StoredRun } from '../engine/ports/run-store.js';
import { replayJournal } from '../state/journal-format.js';
import type { StateLayout } from '../state/state-layout.js';

/**
 * A run as saved, read without touching its files. LocalRunStore.load is for the one process
 * that drives a run (it opens the journal for appending and cuts a torn last line); commands that
 * only look (get, list, logs, wait) use this, so they can read a run another process is driving.
 */
export async function readRun(layout: StateLayout, id: string): Promise<StoredRun | undefined> {
  if (!/^[a-z0-9][-a-z0-9.]*$/.test(id)) return undefined;
  const dir = join(layout.runs, id);
  let snapshot: string;
  try {
    snapshot = await readFile(join(dir, 'snapshot.json'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let journal = '';
  try {
    journal = await readFile(join(dir, 'journal.ndjson'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return replayJournal(snapshot, journal).run;
}

/** The run, or an error that says it does not exist. */
export async function requireRun(layout: StateLayout, id: string): Promise<StoredRun> {
  const run = await readRun(layout, id);
  if (!run) throw new Error(`run "${id}" not found in ${layout.root}`);
  return run;
}
