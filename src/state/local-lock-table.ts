import { readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LockTable, LockTableState } from '../ports/lock-table.js';
import { makePrivateDir, openPrivate, writePrivateFile } from './private-files.js';
import { processAlive } from '../shared/process-alive.js';

/** How long a guard may stay without its pid before it counts as left by a dead process. */
const UNWRITTEN_GUARD_MS = 2000;

export interface LocalLockTableOptions {
  /** Whether a process still runs (a guard left by a dead one is removed). */
  isAlive?: (pid: number) => boolean;
  /** Longest wait for the guard before giving up, in ms. */
  timeoutMs?: number;
}

/**
 * The lock table of a state directory, shared by every `skiff` process using it: `table.json`,
 * read and replaced (write a temporary file, rename) only while holding `table.guard`, a file
 * created exclusively with the holder's pid in it. Updates are a few milliseconds, so waiting
 * for the guard is a short retry loop; a guard whose process died mid-update is removed, so a
 * killed `skiff` never blocks the others.
 *
 * @example
 * const locks = new SharedLocks(new LocalLockTable(layout.locks), { pollMs: 200 });
 */
export class LocalLockTable implements LockTable {
  private readonly isAlive: (pid: number) => boolean;
  private readonly timeoutMs: number;
  /** Updates of this process go one at a time (the guard is per process, not per call). */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly dir: string,
    options: LocalLockTableOptions = {},
  ) {
    this.isAlive = options.isAlive ?? processAlive;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  update<T>(change: (state: LockTableState) => T): Promise<T> {
    const next = this.chain.then(() => this.guarded(change));
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async guarded<T>(change: (state: LockTableState) => T): Promise<T> {
    await makePrivateDir(this.dir);
    const guard = join(this.dir, 'table.guard');
    await this.takeGuard(guard);
    try {
      const path = join(this.dir, 'table.json');
      let state: LockTableState = { seq: 0, locks: {} };
      try {
        state = JSON.parse(await readFile(path, 'utf8')) as LockTableState;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`the lock table ${path} cannot be read: ${(error as Error).message}`);
      }
      const before = JSON.stringify(state);
      const result = change(state);
      const after = JSON.stringify(state);
      if (after !== before) {
        const temporary = `${path}.${process.pid}.tmp`;
        await writePrivateFile(temporary, after);
        await rename(temporary, path);
      }
      return result;
    } finally {
      await rm(guard, { force: true });
    }
  }

  private async takeGuard(guard: string): Promise<void> {
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      try {
        const handle = await openPrivate(guard, 'wx');
        await handle.writeFile(String(process.pid));
        await handle.close();
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const owner = Number.parseInt(await readFile(guard, 'utf8').catch(() => ''), 10);
      // A guard whose process is gone is stale. One without a pid is being written, unless it has
      // been so for long: its process died between creating it and writing its pid.
      const unwritten = !Number.isInteger(owner) && Date.now() - ((await stat(guard).catch(() => undefined))?.mtimeMs ?? Date.now()) > UNWRITTEN_GUARD_MS;
      if (unwritten || (Number.isInteger(owner) && owner !== process.pid && !this.isAlive(owner))) {
        await rm(guard, { force: true });
        continue;
      }
      if (Date.now() > deadline)
        throw new Error(`the lock table guard ${guard} is held by process ${Number.isInteger(owner) ? owner : '?'} for more than ${this.timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}
