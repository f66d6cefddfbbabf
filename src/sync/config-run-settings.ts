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

/** The log lines a check run shows of each failed step, unless `logs.excerptLines` says otherwise. */
export const DEFAULT_LOG_EXCERPT_LINES = 30;
/** More would not fit: a check run's text holds 65,535 characters for every failed step together. */
export const MAX_LOG_EXCERPT_LINES = 500;

/**
 * `logs:` of the config: `excerptLines`, how many of the last lines of each failed step's log its
 * check run shows (1 to 500, default 30).
 *
 * @example parseLogSettings({ excerptLines: 100 }, report) // → { excerptLines: 100 }
 */
export function parseLogSettings(value: unknown, report: Report): { excerptLines: number } {
  const lines = mapOf(value, 'logs', ['excerptLines'], report)?.excerptLines;
  if (lines === undefined) return { excerptLines: DEFAULT_LOG_EXCERPT_LINES };
  if (typeof lines !== 'number' || !Number.isInteger(lines) || lines < 1 || lines > MAX_LOG_EXCERPT_LINES) {
    report(['logs', 'excerptLines'], `logs.excerptLines must be a whole number from 1 to ${MAX_LOG_EXCERPT_LINES} (default ${DEFAULT_LOG_EXCERPT_LINES})`);
    return { excerptLines: DEFAULT_LOG_EXCERPT_LINES };
  }
  return { excerptLines: lines };
}

/** A team as `org/team-slug`: GitHub's organization login and team slug characters, nothing that could reshape a URL. */
const TEAM = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?\/[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;

/**
 * `commands:` of the config: `teams`, teams (`org/team-slug`) whose active members may use the
 * comment commands besides everyone with write access.
 *
 * @example parseCommandSettings({ teams: ['acme/release'] }, report) // → { teams: ['acme/release'] }
 */
export function parseCommandSettings(value: unknown, report: Report): { teams: string[] } {
  const teams = mapOf(value, 'commands', ['teams'], report)?.teams;
  if (teams === undefined) return { teams: [] };
  if (!Array.isArray(teams) || teams.length === 0 || teams.length > 20) {
    report(['commands', 'teams'], 'commands.teams must be a list of 1 to 20 teams, each as org/team-slug');
    return { teams: [] };
  }
  const valid: string[] = [];
  teams.forEach((team, index) => {
    if (typeof team === 'string' && TEAM.test(team)) valid.push(team);
    else {
      const shown = typeof team === 'string' ? `"${team.length > 60 ? `${team.slice(0, 60)}…` : team}"` : 'this entry';
      report(['commands', 'teams', index], `${shown} is not a team: write org/team-slug (letters, digits, "-" and "_")`);
    }
  });
  return { teams: valid };
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
