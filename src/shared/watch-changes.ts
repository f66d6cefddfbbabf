import { watch, type FSWatcher } from 'node:fs';

/**
 * Calls `onChange` (at most once per `settleMs`) when something in `dir` changes: fs.watch where
 * it works, and a poll every `pollMs` besides, because fs.watch misses changes on some file
 * systems and cannot watch a folder that does not exist yet. The poll is the fallback, so it can
 * be slow; the watch makes changes show at once.
 */
export function watchChanges(dir: string, onChange: () => void, options: { pollMs: number; settleMs?: number }): { close(): void } {
  let watcher: FSWatcher | undefined;
  let pending: NodeJS.Timeout | undefined;
  let closed = false;
  const fire = (): void => {
    if (pending || closed) return;
    pending = setTimeout(() => {
      pending = undefined;
      if (!closed) onChange();
    }, options.settleMs ?? 50);
  };
  const tryWatch = (): void => {
    if (watcher || closed) return;
    try {
      watcher = watch(dir, { persistent: false }, fire);
      watcher.on('error', () => {
        watcher?.close();
        watcher = undefined;
      });
    } catch {
      watcher = undefined; // not there yet: the poll looks again
    }
  };
  tryWatch();
  const poll = setInterval(() => {
    tryWatch();
    fire();
  }, options.pollMs);
  poll.unref();
  return {
    close(): void {
      closed = true;
      clearInterval(poll);
      if (pending) clearTimeout(pending);
      watcher?.close();
    },
  };
}
