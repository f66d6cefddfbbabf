import type { StoredRun } from '../ports/run-store.js';
import { DamagedRunError } from '../state/damaged-run-error.js';
import { LocalRunStore } from '../state/local-run-store.js';
import { runPath, type StateLayout } from '../state/state-layout.js';
import type { RunKey } from '../ports/run-key.js';
import { describeRun, runArgs } from './describe-run.js';
import type { RunTarget } from './run-target.js';

/**
 * A run as saved, read without touching its files (LocalRunStore.peek). LocalRunStore.load is for
 * the one process that drives a run; commands that only look (get, list, logs, wait) use this, so
 * they can read a run another process is driving. Throws DamagedRunError for a damaged run.
 */
export async function readRun(layout: StateLayout, key: RunKey): Promise<StoredRun | undefined> {
  try {
    runPath(key);
  } catch {
    return undefined; // no run can have such a name
  }
  return new LocalRunStore(layout.root).peek(key);
}

/** The run, or an error that says it does not exist, or that it is damaged and what can be done. */
export async function requireRun(layout: StateLayout, key: RunKey): Promise<StoredRun> {
  let run: StoredRun | undefined;
  try {
    run = await readRun(layout, key);
  } catch (error) {
    if (error instanceof DamagedRunError) throw new Error(`${error.message}\n${damagedAdvice(key)}`);
    throw error;
  }
  if (!run) throw new Error(`${describeRun(key)} not found in ${layout.root}`);
  return run;
}

/** What a person can do about a damaged run. */
export function damagedAdvice(key: RunKey): string {
  return `it is left as it is (nothing of it runs again); "skiff delete ${runArgs(key)}" removes it`;
}

/** The run from wherever the command works (state directory or cluster), as requireRun says it. */
export async function requireTargetRun(target: RunTarget, key: RunKey): Promise<StoredRun> {
  let run: StoredRun | undefined;
  try {
    run = await target.readRun(key);
  } catch (error) {
    if (error instanceof DamagedRunError) throw new Error(`${error.message}\n${damagedAdvice(key)}`);
    throw error;
  }
  if (!run) throw new Error(`${describeRun(key)} not found${target.location !== undefined ? ` in ${target.location}` : ''}`);
  return run;
}
