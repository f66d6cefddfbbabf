import type { StoredRun } from '../engine/ports/run-store.js';
import { LocalRunStore } from '../state/local-run-store.js';
import type { StateLayout } from '../state/state-layout.js';

/**
 * A run as saved, read without touching its files (LocalRunStore.peek). LocalRunStore.load is for
 * the one process that drives a run; commands that only look (get, list, logs, wait) use this, so
 * they can read a run another process is driving.
 */
export async function readRun(layout: StateLayout, id: string): Promise<StoredRun | undefined> {
  if (!/^[a-z0-9][-a-z0-9.]*$/.test(id)) return undefined;
  return new LocalRunStore(layout.root).peek(id);
}

/** The run, or an error that says it does not exist. */
export async function requireRun(layout: StateLayout, id: string): Promise<StoredRun> {
  const run = await readRun(layout, id);
  if (!run) throw new Error(`run "${id}" not found in ${layout.root}`);
  return run;
}
