import { UsageError } from './cli-io.js';

/** `NAME=VALUE` pairs of -p and -l, as a map; a pair without `=` is a usage error naming `flag`. */
export function parseAssignments(pairs: string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const given of pairs) {
    const at = given.indexOf('=');
    if (at <= 0) throw new UsageError(`${flag} ${given}: expected NAME=VALUE`);
    out[given.slice(0, at).trim()] = given.slice(at + 1);
  }
  return out;
}
