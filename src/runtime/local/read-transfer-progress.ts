import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROGRESS_PATH, RUN_DIR, RUN_VOLUME, type TransferProgress } from '../pod-spec/executor-plan.js';

/** A progress file not rewritten for this long belongs to an executor that is gone. */
const STALE_MS = 5000;

/**
 * The artifact transfer a locally run pod has under way, read from the progress file its
 * executor keeps in the pod's run volume (see TransferProgressFile), or undefined when it moves
 * nothing (no file, a stale one, or one cut short mid-write).
 */
export function readTransferProgress(podDir: string, now: number = Date.now()): TransferProgress | undefined {
  let text: string;
  try {
    text = readFileSync(join(podDir, 'volumes', RUN_VOLUME, PROGRESS_PATH.slice(RUN_DIR.length)), 'utf8');
  } catch {
    return undefined;
  }
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
