import type { StoredRun } from '../ports/run-store.js';
import { DamagedRunError } from '../state/damaged-run-error.js';
import { LocalRunStore } from '../state/local-run-store.js';
import type { StateLayout } from '../state/state-layout.js';

/**
 * A run as saved, read without touching its files (LocalRunStore.peek). LocalRunStore.load is for
 * the one process that drives a run; commands that only look (get, list, logs, wait) use this, so
 * they can read a run another process is driving. Throws DamagedRunError for a damaged run.
 */
export async function readRun(layout: StateLayout, id: string): Promise<StoredRun | undefined> {
  if (!/^[a-z0-9][-a-z0-9.]*$/.test(id)) return undefined;
  return new LocalRunStore(layout.root).peek(id);
}

/** The run, or an error that says it does not exist, or that it is damaged and what can be done. */
export async function requireRun(layout: StateLayout, id: string): Promise<StoredRun> {
  let run: StoredRun | undefined;
  try {
    run = await readRun(layout, id);
  } catch (error) {
    if (error instanceof DamagedRunError) throw new Error(`${error.message}\n${damagedAdvice(id)}`);
    throw error;
  }
  if (!run) throw new Error(`run "${id}" not found in ${layout.root}`);
  return run;
}

/** What a person can do about a damaged run. */
export function damagedAdvice(id: string): string {
  return `it is left as it is (nothing of it runs again); "skiff delete ${id}" removes it`;
}
