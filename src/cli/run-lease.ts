import { readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { acquireLeaseAt, type FileLease } from '../state/file-lease.js';
import { makePrivateDir, writePrivateFile } from '../state/private-files.js';
import type { StateLayout } from '../state/state-layout.js';
import type { RunKey } from '../ports/run-key.js';
import { processAlive } from '../shared/process-alive.js';

/**
 * Which process drives a run. A local run moves only while a `skiff` process drives it, and two
 * drivers of one run would start its pods twice and interleave its journal; so the driver holds
 * `runs/<namespace>/<name>/driver.json` (its pid), created exclusively. A lease whose process is gone is
 * stale and is taken over: that is how a run left behind by a killed `skiff` is continued.
 */
export type RunLease = FileLease;

export function leasePath(layout: StateLayout, key: RunKey): string {
  return join(layout.runDir(key), 'driver.json');
}

/** The pid of the live process driving the run, if any. */
export async function leaseOwner(layout: StateLayout, runId: RunKey): Promise<number | undefined> {
  let pid: number;
  try {
    pid = (JSON.parse(await readFile(leasePath(layout, runId), 'utf8')) as { pid: number }).pid;
  } catch {
    return undefined;
  }
  return processAlive(pid) ? pid : undefined;
}

/**
 * Takes the lease for this process (or for `pid`, when a parent hands a run to a background
 * driver it has just started). Resolves undefined if another live process holds it.
 */
export async function acquireLease(layout: StateLayout, runId: RunKey, pid = process.pid): Promise<RunLease | undefined> {
  await makePrivateDir(layout.runDir(runId));
  return acquireLeaseAt(leasePath(layout, runId), pid);
}

/** Hands a lease this process holds to another process (a background driver it started). */
export async function transferLease(layout: StateLayout, runId: RunKey, toPid: number): Promise<void> {
  const path = leasePath(layout, runId);
  const temporary = `${path}.${process.pid}.tmp`;
  await writePrivateFile(temporary, JSON.stringify({ pid: toPid, since: new Date().toISOString() }));
  await rename(temporary, path);
}
