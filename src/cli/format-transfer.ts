import type { TransferProgress } from '../runtime/pod-spec/executor-plan.js';

/**
 * One transfer for people: `saving out: 312 MiB at 85 MiB/s` (stored bytes, so a tarball counts
 * compressed). The rate is the average since the artifact started.
 *
 * @example
 *   formatTransfer({ direction: 'load', artifact: 'data', bytes: 3 * 2 ** 30, startedAt: 0, updatedAt: 12_000 })
 *   // 'loading data: 3.00 GiB at 256 MiB/s'
 */
export function formatTransfer(progress: TransferProgress): string {
  const seconds = (progress.updatedAt - progress.startedAt) / 1000;
  const rate = seconds > 0 ? ` at ${formatBytes(progress.bytes / seconds)}/s` : '';
  return `${progress.direction === 'load' ? 'loading' : 'saving'} ${progress.artifact}: ${formatBytes(progress.bytes)}${rate}`;
}

/** Bytes in binary units with three significant digits: `512 B`, `9.54 MiB`, `1.00 GiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${Math.round(value)} B`;
  return `${value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2)} ${units[unit]}`;
}
