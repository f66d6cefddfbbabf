import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { PROGRESS_PATH, RUN_DIR, RUN_VOLUME, type TransferProgress } from '../pod-spec/executor-plan.js';

/** A progress file not rewritten for this long belongs to an executor that is gone. */
const STALE_MS = 5000;
/** A real progress file is about 150 bytes. */
const MAX_BYTES = 4096;

/**
 * The artifact transfer a locally run pod has under way, read from the progress file its
 * executor keeps in the pod's run volume (see TransferProgressFile), or undefined when it moves
 * nothing (no file, a stale one, or one cut short mid-write). The step can write the run volume
 * too, so what is there may be a link or a FIFO meant to make Skiff read elsewhere or hang: it is
 * read without following a link, without blocking, and no more than a few KiB of it.
 */
export function readTransferProgress(podDir: string, now: number = Date.now()): TransferProgress | undefined {
  const text = readSmallRegularFile(join(podDir, 'volumes', RUN_VOLUME, PROGRESS_PATH.slice(RUN_DIR.length)));
  if (text === undefined) return undefined;
  let value: Partial<TransferProgress>;
  try {
    value = JSON.parse(text) as Partial<TransferProgress>;
  } catch {
    return undefined;
  }
  const valid =
    (value.direction === 'load' || value.direction === 'save') &&
    typeof value.artifact === 'string' &&
    [value.bytes, value.startedAt, value.updatedAt].every((n) => typeof n === 'number' && Number.isFinite(n));
  if (!valid || now - value.updatedAt! > STALE_MS) return undefined;
  return value as TransferProgress;
}

function readSmallRegularFile(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    if (!fstatSync(fd).isFile()) return undefined;
    const buffer = Buffer.alloc(MAX_BYTES);
    const read = readSync(fd, buffer, 0, MAX_BYTES, 0);
    return buffer.subarray(0, read).toString('utf8');
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}
