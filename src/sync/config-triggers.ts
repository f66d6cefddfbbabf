import type { DocumentPath } from '../spec/diagnostic.js';
import { compileGlob, type GlobMatcher, matchesAny } from './glob-matcher.js';

type Report = (path: DocumentPath, message: string, at?: 'key' | 'value') => void;

/**
 * `on:` of the config, as the GitHub App reads it.
 *
 * @example
 *   // on:
 *   //   push: {branches: [main], workflows: [build], paths: ['src/**']}
 *   //   pull_request: {workflows: [test], paths-ignore: ['docs/**']}
 */
export interface Triggers {
  /** A push to one of `branches` (globs) applies the repository and runs `workflows` (every Workflow when absent). */
  push?: { branches: string[]; workflows?: string[] } & PathFilter;
  /** A pull request runs `workflows` (a fork's only after `/skiff ok-to-test`). */
  pullRequest?: { workflows: string[] } & PathFilter;
}

/**
 * Which changes an event's workflows run for, as GitHub Actions reads `paths` and `paths-ignore`:
 * at most one of the two is set (the parser refuses both).
 */
export interface PathFilter {
  /** Run only when at least one changed file matches one of these globs. */
  paths?: string[];
  /** Skip when every changed file matches one of these globs. */
  pathsIgnore?: string[];
}

/** The config key of each filter, as reasons and errors name it. */
export type PathFilterKey = 'paths' | 'paths-ignore';

/** Path filters are matched against every changed file: kept short, so a hostile glob cannot cost much. */
export const MAX_PATH_GLOBS = 50;
export const MAX_PATH_GLOB_CHARS = 200;
const MAX_WILDCARDS = 8;

const TRIGGER_KEYS: Record<string, readonly string[]> = {
  push: ['branches', 'workflows', 'paths', 'paths-ignore'],
  pull_request: ['workflows', 'paths', 'paths-ignore'],
};

/** Parses `on:`; every mistake is reported on its line. */
export function parseTriggers(value: unknown, report: Report): Triggers {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    report(['on'], 'on must be a map: push (branches, workflows, paths or paths-ignore) and pull_request (workflows, paths or paths-ignore)');
    return {};
  }
  const triggers: Triggers = {};
  for (const [event, settings] of Object.entries(value as Record<string, unknown>)) {
    const known = TRIGGER_KEYS[event];
    if (!known) {
      report(['on', event], `unknown event "${event}"; known: ${Object.keys(TRIGGER_KEYS).join(', ')}`, 'key');
      continue;
    }
    if (settings === null || typeof settings !== 'object' || Array.isArray(settings)) {
      report(['on', event], `on.${event} must be a map of ${known.join(', ')}`);
      continue;
    }
    const map = settings as Record<string, unknown>;
    for (const key of Object.keys(map))
      if (!known.includes(key)) report(['on', event, key], `unknown setting "${key}" of on.${event}; known: ${known.join(', ')}`, 'key');
    const list = (key: string, required: boolean): string[] | undefined => {
      const items = map[key];
      if (items === undefined) {
        if (required) report(['on', event], `on.${event}.${key} is required: a list of names`, 'key');
        return undefined;
      }
      if (!Array.isArray(items) || items.length === 0 || items.some((item) => typeof item !== 'string' || item === '')) {
        report(['on', event, key], `on.${event}.${key} must be a non-empty list of ${key.startsWith('paths') ? 'globs' : 'names'}`);
        return undefined;
      }
      return items as string[];
    };
    const filter = parsePathFilter(event, list, report);
    if (event === 'push') {
      const branches = list('branches', true);
      const workflows = list('workflows', false);
      branches?.forEach((glob, index) => {
        try {
          compileGlob(glob);
        } catch (error) {
          report(['on', event, 'branches', index], `branch pattern "${glob}" is malformed: ${(error as Error).message}`);
        }
      });
      if (branches) triggers.push = { branches, ...(workflows ? { workflows } : {}), ...filter };
    } else {
      const workflows = list('workflows', true);
      if (workflows) triggers.pullRequest = { workflows, ...filter };
    }
  }
  return triggers;
}

/**
 * `paths` or `paths-ignore` of one event, each glob checked on its line. Both at once is an error,
 * as in GitHub Actions: Skiff's globs have no `!` negation, so a filter either lists what runs or
 * what does not.
 */
function parsePathFilter(event: string, list: (key: string, required: boolean) => string[] | undefined, report: Report): PathFilter {
  const checked = (key: PathFilterKey): string[] | undefined => {
    const globs = list(key, false);
    const valid = globs && validatePathGlobs(globs, (index, message) => report(['on', event, key, ...(index === undefined ? [] : [index])], message));
    return valid ? globs : undefined;
  };
  const paths = checked('paths');
  const pathsIgnore = checked('paths-ignore');
  if (paths && pathsIgnore) {
    report(
      ['on', event, 'paths-ignore'],
      `on.${event} sets both paths and paths-ignore: use one (paths runs when a changed file matches; paths-ignore skips when every changed file matches)`,
      'key',
    );
    return {};
  }
  return { ...(paths ? { paths } : {}), ...(pathsIgnore ? { pathsIgnore } : {}) };
}

/**
 * Path filters are globs over repository-relative paths of changed files. They name files inside
 * the repository only (no `..`, no leading `/`), and are bounded in number, length and wildcards:
 * each is compiled to a regular expression run over every changed file.
 */
function validatePathGlobs(globs: readonly string[], problem: (index: number | undefined, message: string) => void): boolean {
  let ok = true;
  if (globs.length > MAX_PATH_GLOBS) {
    problem(undefined, `at most ${MAX_PATH_GLOBS} path globs, not ${globs.length}`);
    ok = false;
  }
  globs.slice(0, MAX_PATH_GLOBS).forEach((glob, index) => {
    const shown = glob.length > 60 ? `${glob.slice(0, 60)}…` : glob;
    let message: string | undefined;
    if (glob.length > MAX_PATH_GLOB_CHARS) message = `path glob "${shown}" is ${glob.length} characters long; at most ${MAX_PATH_GLOB_CHARS}`;
    else if (glob.split('/').some((part) => part === '..' || part === '.'))
      message = `path glob "${shown}" must name files inside the repository, without "." or ".." segments`;
    else if ((glob.match(/[*?]/g) ?? []).length > MAX_WILDCARDS) message = `path glob "${shown}" has more than ${MAX_WILDCARDS} wildcards`;
    else {
      try {
        compileGlob(glob);
      } catch (error) {
        message = `path glob "${shown}" is malformed: ${(error as Error).message}`;
      }
    }
    if (message) {
      problem(index, message);
      ok = false;
    }
  });
  return ok;
}

/** Steps (characters of changed paths times glob size) a path filter may take before it gives up and lets the change through. */
export const PATH_FILTER_BUDGET = 200_000_000;

/**
 * Whether a trigger's `paths` lets a change through: no filter, or an unknown list of changed
 * files (`undefined`: too many to list, a new branch), always does; else one changed file must
 * match. A change so large that matching could take more than PATH_FILTER_BUDGET steps is let
 * through too: a filter may make Skiff run more, never hang it.
 */
export function pathsMatch(paths: readonly string[] | undefined, changed: readonly string[] | undefined): boolean {
  if (!paths || !changed) return true;
  const matchers = affordableMatchers(paths, changed);
  return !matchers || changed.some((file) => matchesAny(matchers, file));
}

/**
 * Whether `paths-ignore` leaves a change out: every changed file matches one of its globs. No
 * filter, an unknown list of changed files, or one too large to match within PATH_FILTER_BUDGET,
 * never does (the workflows run). A change of no files is left out, as `paths` leaves it out.
 */
export function pathsAllIgnored(pathsIgnore: readonly string[] | undefined, changed: readonly string[] | undefined): boolean {
  if (!pathsIgnore || !changed) return false;
  const matchers = affordableMatchers(pathsIgnore, changed);
  return matchers !== undefined && changed.every((file) => matchesAny(matchers, file));
}

/**
 * The filter that leaves a change out, if one does: the workflows then get a skipped check naming it.
 *
 * @example pathFilterSkips({pathsIgnore: ['docs/**']}, ['docs/a.md']) // → 'paths-ignore'
 */
export function pathFilterSkips(filter: PathFilter | undefined, changed: readonly string[] | undefined): PathFilterKey | undefined {
  if (!pathsMatch(filter?.paths, changed)) return 'paths';
  if (pathsAllIgnored(filter?.pathsIgnore, changed)) return 'paths-ignore';
  return undefined;
}

/** The globs compiled, or undefined when matching them over `changed` could take more than PATH_FILTER_BUDGET steps. */
function affordableMatchers(globs: readonly string[], changed: readonly string[]): GlobMatcher[] | undefined {
  const matchers = globs.map((glob) => compileGlob(glob));
  const size = matchers.reduce((sum, match) => sum + match.size, 0);
  const characters = changed.reduce((sum, file) => sum + file.length, 0);
  return size * characters > PATH_FILTER_BUDGET ? undefined : matchers;
}
