/** A duration as people read it in a table: `0s`, `42s`, `3m 5s`, `2h 10m`, `3d 4h`. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${seconds % 60}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h ${minutes % 60}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

/** From `startedAt` to `finishedAt`, or to now while it runs; empty when it never started. */
export function spanOf(item: { startedAt?: string; finishedAt?: string }, now: number): string {
  if (!item.startedAt) return '';
  const end = item.finishedAt ? Date.parse(item.finishedAt) : now;
  return formatDuration(end - Date.parse(item.startedAt));
}

/** How long ago, for AGE columns. */
export function ageOf(iso: string | undefined, now: number): string {
  return iso ? formatDuration(now - Date.parse(iso)) : '';
}
