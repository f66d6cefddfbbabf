/** A sync lock this process holds. */
export interface SyncLock {
  release(): Promise<void>;
}

export type SyncLockResult = { held: SyncLock } | { heldBy: string };

/**
 * Keeps two syncs of one repository to one target (a person's `skiff sync`, the server on merge)
 * from interleaving their applies and prunes: one would prune what the other just applied. The
 * local state directory keeps a lease file per repository (LocalSyncLocks); a cluster a Lease per
 * repository (KubeSyncLocks), so processes on different machines see each other.
 *
 * @example
 *   const lock = await locks.acquire('acme/flows', { waitMs: 60_000, onWait: (who) => log(`waiting for ${who}`) });
 *   if ('heldBy' in lock) throw new Error(`another sync holds acme/flows: ${lock.heldBy}`);
 *   try { await applySync(input); } finally { await lock.held.release(); }
 */
export interface SyncLocks {
  /** Holds the lock of `repository`, waiting up to `waitMs` for its holder to finish (or die). */
  acquire(repository: string, options: { waitMs: number; onWait?: (holder: string) => void }): Promise<SyncLockResult>;
}
