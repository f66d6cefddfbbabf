import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { SyncLockResult, SyncLocks } from '../ports/sync-locks.js';
import { acquireLeaseAt, leaseOwnerAt } from './file-lease.js';
import { makePrivateDir } from './private-files.js';

const POLL_MS = 200;

/**
 * Sync locks of the local state directory: a lease file per repository under `dir`, held by one
 * live process; a lock whose process died is taken over at once.
 */
export class LocalSyncLocks implements SyncLocks {
  constructor(private readonly dir: string) {}

  async acquire(repository: string, options: { waitMs: number; onWait?: (holder: string) => void }): Promise<SyncLockResult> {
    await makePrivateDir(this.dir);
    // Repository names hold slashes and anything a URL may: the file is named by a hash of it.
    const path = join(this.dir, `${createHash('sha256').update(repository).digest('hex').slice(0, 24)}.json`);
    const deadline = Date.now() + options.waitMs;
    let told = false;
    for (;;) {
      const lease = await acquireLeaseAt(path);
      if (lease) return { held: lease };
      const holder = `skiff process ${(await leaseOwnerAt(path)) ?? '?'}`;
      if (Date.now() >= deadline) return { heldBy: holder };
      if (!told) options.onWait?.(holder);
      told = true;
      await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, Math.max(1, deadline - Date.now()))));
    }
  }
}
