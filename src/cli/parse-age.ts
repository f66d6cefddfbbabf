import { UsageError } from './cli-io.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * A relative duration as argo's `--since` and `--older` take it (Go's units plus `d` for days,
 * combined: `90s`, `1h30m`, `2d`), in milliseconds; anything else is a usage error.
 *
 * @example parseAge('1h30m', '--since') // 5_400_000
 */
export function parseAge(text: string, flag: string): number {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text)
    throw new UsageError(`${flag} ${text}: expected a duration such as 30s, 10m, 1h30m or 2d`);
  return parts.reduce((sum, [, amount, unit]) => sum + Number(amount) * UNITS[unit!]!, 0);
}
