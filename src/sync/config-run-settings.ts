import type { DocumentPath } from '../spec/diagnostic.js';

type Report = (path: DocumentPath, message: string, at?: 'key' | 'value') => void;

/** Longest artifact link lifetime: a SigV4 presigned URL is valid for at most 7 days. */
export const MAX_LINK_SECONDS = 7 * 86_400;
const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/**
 * `artifacts:` of the config: `linkLifetime`, how long the artifact links Skiff puts on GitHub
 * stay valid (`90m`, `12h`, `7d`; default and at most 7 days).
 *
 * @example parseArtifactSettings({ linkLifetime: '1d' }, report) // → { linkSeconds: 86400 }
 */
export function parseArtifactSettings(value: unknown, report: Report): { linkSeconds: number } {
  const settings = mapOf(value, 'artifacts', ['linkLifetime'], report);
  const lifetime = settings?.linkLifetime;
  if (lifetime === undefined) return { linkSeconds: MAX_LINK_SECONDS };
  const match = typeof lifetime === 'string' ? /^(\d{1,7})([smhd])$/.exec(lifetime) : null;
  const seconds = match ? Number(match[1]) * UNITS[match[2]!]! : NaN;
  if (!(seconds >= 60 && seconds <= MAX_LINK_SECONDS)) {
    report(['artifacts', 'linkLifetime'], 'artifacts.linkLifetime must be a duration from 1m to 7d, such as 90m, 12h or 7d (S3 links live 7 days at most)');
    return { linkSeconds: MAX_LINK_SECONDS };
  }
  return { linkSeconds: seconds };
}

/**
 * `concurrency:` of the config: `cancelInProgress: true` stops (terminates) the runs of a pull
 * request's or branch's earlier head when a new commit is pushed there. Default false.
 *
 * @example parseConcurrency({ cancelInProgress: true }, report) // → { cancelInProgress: true }
 */
export function parseConcurrency(value: unknown, report: Report): { cancelInProgress: boolean } {
  const settings = mapOf(value, 'concurrency', ['cancelInProgress'], report);
  const cancel = settings?.cancelInProgress;
  if (cancel !== undefined && typeof cancel !== 'boolean') report(['concurrency', 'cancelInProgress'], 'concurrency.cancelInProgress must be true or false');
  return { cancelInProgress: cancel === true };
}

function mapOf(value: unknown, key: string, known: readonly string[], report: Report): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    report([key], `${key} must be a map of ${known.join(', ')}`);
    return undefined;
  }
  const map = value as Record<string, unknown>;
  for (const name of Object.keys(map)) if (!known.includes(name)) report([key, name], `unknown setting "${name}" of ${key}; known: ${known.join(', ')}`, 'key');
  return map;
}
