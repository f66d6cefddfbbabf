const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Milliseconds of an Argo duration (wfv1.ParseStringToDuration): a bare integer is seconds,
 * anything else is a Go duration (`90s`, `1h30m`, `1.5m`). Undefined when malformed.
 *
 * @example parseDuration('1m30s') // 90000
 */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value * 1000 : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const pattern = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;
  let total = 0;
  let at = 0;
  const negative = text.startsWith('-');
  if (negative || text.startsWith('+')) at = 1;
  if (at >= text.length) return undefined;
  while (at < text.length) {
    pattern.lastIndex = at;
    const match = pattern.exec(text);
    if (!match) return undefined;
    total += Number(match[1]) * UNITS[match[2]!]!;
    at = pattern.lastIndex;
  }
  return negative ? -total : total;
}

/** Go's time.Duration String() for whole milliseconds, as Argo prints backoffs ("1m30s"). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  return `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${s}s`;
}
