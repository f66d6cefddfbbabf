import { readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { makePrivateDir, openPrivate, writePrivateFile } from '../state/private-files.js';
import type { StateLayout } from '../state/state-layout.js';
import type { RunKey } from '../ports/run-key.js';
import { processAlive } from '../shared/process-alive.js';

/**
 * Which process drives a run. A local run moves only while a `skiff` process drives it, and two
 * drivers of one run would start its pods twice and interleave its journal; so the driver holds
 * `runs/<namespace>/<name>/driver.json` (its pid), created exclusively. A lease whose process is gone is
 * stale and is taken over: that is how a run left behind by a killed `skiff` is continued.
 */
export interface RunLease {
  release(): Promise<void>;
}

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

/**
 * The same kind of lease on any file of the state directory (its folder must exist): held by one
 * live process at a time, taken over from a process that is gone. The cron scheduler holds one,
 * so two schedulers never run the same CronWorkflows.
 */
export async function acquireLeaseAt(path: string, pid = process.pid): Promise<RunLease | undefined> {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      const handle = await openPrivate(path, 'wx');
      await handle.writeFile(JSON.stringify({ pid, since: new Date().toISOString() }));
      await handle.close();
      return lease(path, pid);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = await leaseOwnerAt(path);
    if (owner === pid) return lease(path, pid); // handed to us by the process that started us
    if (owner !== undefined && owner === process.ppid && attempt < 99) {
      // Our parent is handing this run to us (transferLease); give it a moment to finish.
      await new Promise((resolve) => setTimeout(resolve, 20));
      continue;
    }
    if (owner !== undefined && processAlive(owner)) return undefined;
    await rm(path, { force: true }); // stale: its process is gone
  }
  return undefined;
}

/** Hands a lease this process holds to another process (a background driver it started). */
export async function transferLease(layout: StateLayout, runId: RunKey, toPid: number): Promise<void> {
  const path = leasePath(layout, runId);
  const temporary = `${path}.${process.pid}.tmp`;
  await writePrivateFile(temporary, JSON.stringify({ pid: toPid, since: new Date().toISOString() }));
  await rename(temporary, path);
}

function lease(path: string, pid: number): RunLease {
  return {
    release: async () => {
      if ((await leaseOwnerAt(path)) === pid) await rm(path, { force: true });
    },
  };
}

export async function leaseOwnerAt(path: string): Promise<number | undefined> {
  try {
    return (JSON.parse(await readFile(path, 'utf8')) as { pid: number }).pid;
  } catch {
    return undefined;
  }
}
