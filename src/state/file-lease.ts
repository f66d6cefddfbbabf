import { readFile, rm } from 'node:fs/promises';
import { processAlive } from '../shared/process-alive.js';
import { openPrivate } from './private-files.js';

/** A file of the state directory held by one live process; `release` removes it if this process still holds it. */
export interface FileLease {
  release(): Promise<void>;
}

/**
 * A lease on a file of the state directory (its folder must exist): held by one
 * live process at a time, taken over from a process that is gone. The cron scheduler holds one,
 * so two schedulers never run the same CronWorkflows.
 */
export async function acquireLeaseAt(path: string, pid = process.pid): Promise<FileLease | undefined> {
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

function lease(path: string, pid: number): FileLease {
  return {
    release: async () => {
      if ((await leaseOwnerAt(path)) === pid) await rm(path, { force: true });
    },
  };
}

/** The pid written in a lease file, alive or not. */
export async function leaseOwnerAt(path: string): Promise<number | undefined> {
  try {
    return (JSON.parse(await readFile(path, 'utf8')) as { pid: number }).pid;
  } catch {
    return undefined;
  }
}
