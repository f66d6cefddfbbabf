import { compareDiagnostics, type Diagnostic, type DocumentPath } from '../spec/diagnostic.js';
import { parseSourceFile } from '../spec/source/parse-source-file.js';
import { compileGlob } from './glob-matcher.js';
import { parseArtifactSettings, parseCommandSettings, parseConcurrency, parseLogSettings } from './config-run-settings.js';
import { parseTriggers, type Triggers } from './config-triggers.js';

export type { Triggers } from './config-triggers.js';
import { readTextFile } from './read-text-file.js';
import type { RepositoryTree } from './repository-tree.js';
import { SYNC_LIMITS, type SyncLimits } from './sync-limits.js';

/** Where sync looks for a repository's config, first match wins. */
export const CONFIG_FILES = ['.skiff.yml', '.github/skiff.yml'] as const;

/** The kinds sync knows; Workflows are listed to be run, the others to be applied. */
export const SYNC_KINDS = ['ConfigMap', 'WorkflowTemplate', 'ClusterWorkflowTemplate', 'CronWorkflow', 'Workflow'] as const;
export type SyncKind = (typeof SYNC_KINDS)[number];

export const DEFAULT_INCLUDE = ['**/*.yaml', '**/*.yml', '**/*.json'];

/** A repository's sync config, validated, with defaults filled in. */
export interface RepositoryConfig {
  /** The file it was read from, e.g. `.skiff.yml`. */
  file: string;
  version: 1;
  /** Directories (or single files) holding manifests, relative to the root; `''` is the whole repository. */
  paths: string[];
  /** Globs over root-relative paths: a file under `paths` is read when it matches one include and no exclude. */
  include: string[];
  exclude: string[];
  /** The namespace given to objects that name none. */
  namespace: string;
  /** Every namespace an object may name: `namespace` and those listed under `namespaces`. */
  namespaces: string[];
  /** The kinds that may be synced; a document of another kind is an error. */
  kinds: SyncKind[];
  /** Whether objects that left the repository are to be deleted from the cluster. */
  prune: boolean;
  /** What the GitHub App runs, and when (`on:`); absent: nothing runs, the sync alone applies. */
  triggers: Triggers;
  /** How long artifact links on GitHub stay valid, in seconds (`artifacts.linkLifetime`; default and at most 7 days). */
  artifactLinkSeconds: number;
  /** Whether a new push to a pull request or branch terminates the runs of the head it replaces (`concurrency.cancelInProgress`). */
  cancelInProgress: boolean;
  /** Teams (`org/team-slug`) whose members may use the comment commands besides those with write access (`commands.teams`). */
  commandTeams: string[];
  /** How many of the last lines of each failed step's log a check run shows (`logs.excerptLines`, default 30). */
  logExcerptLines: number;
  /** The line of each top-level key, so later findings can point back at the config. */
  lines: Partial<Record<ConfigKey, number>>;
}

type ConfigKey =
  | 'version'
  | 'paths'
  | 'include'
  | 'exclude'
  | 'namespace'
  | 'namespaces'
  | 'kinds'
  | 'prune'
  | 'on'
  | 'artifacts'
  | 'concurrency'
  | 'commands'
  | 'logs';
const KEYS: readonly ConfigKey[] = [
  'version',
  'paths',
  'include',
  'exclude',
  'namespace',
  'namespaces',
  'kinds',
  'prune',
  'on',
  'artifacts',
  'concurrency',
  'commands',
  'logs',
];
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export type ConfigResult = { ok: true; config: RepositoryConfig } | { ok: false; diagnostics: Diagnostic[] };

/**
 * Finds and validates the repository config at a commit. A missing, unreadable or invalid config
 * is an error result: a repository without a valid config has nothing to sync.
 *
 * @example const result = await readRepositoryConfig(tree); if (result.ok) result.config.namespace
 */
export async function readRepositoryConfig(tree: RepositoryTree, limits: SyncLimits = SYNC_LIMITS): Promise<ConfigResult> {
  for (const file of CONFIG_FILES) {
    if ((await tree.entryType(file)) === undefined) continue;
    const read = await readTextFile(tree, file, limits.maxConfigBytes);
    if (!('text' in read)) return { ok: false, diagnostics: [fileError(file, `config-${read.rule}`, `${file} ${read.message}`)] };
    return parseRepositoryConfig(file, read.text);
  }
  return {
    ok: false,
    diagnostics: [fileError(CONFIG_FILES[0], 'config-missing', `no ${CONFIG_FILES.join(' or ')} at this commit: it says which paths to sync and where`)],
  };
}

/**
 * Validates a config file's text; every problem is a diagnostic on its line, all reported at once.
 *
 * @example parseRepositoryConfig('.skiff.yml', 'paths: [workflows]\nnamespace: ci\n').ok // → true
 */
export function parseRepositoryConfig(file: string, text: string): ConfigResult {
  const parsed = parseSourceFile(file, text);
  const diagnostics = parsed.diagnostics.filter((d) => d.severity === 'error');
  if (diagnostics.length > 0) return { ok: false, diagnostics: diagnostics.map((d) => ({ ...d, rule: `config-${d.rule}` })) };
  if (parsed.documents.length !== 1) {
    const line = parsed.documents[1]?.locate([]).line ?? 1;
    return { ok: false, diagnostics: [fileError(file, 'config-shape', `${file} must hold exactly one YAML document`, line)] };
  }
  const document = parsed.documents[0]!;
  const problems: Diagnostic[] = [];
  const report = (path: DocumentPath, message: string, at: 'key' | 'value' = 'value'): void => {
    const range = document.locate(path, at);
    problems.push({ file, ...range, severity: 'error', rule: 'config-invalid', message });
  };
  const root = document.value;
  if (root === null || typeof root !== 'object' || Array.isArray(root)) {
    report([], `${file} must be a map of settings (paths, namespace, ...)`);
    return { ok: false, diagnostics: problems };
  }
  const values = root as Record<string, unknown>;
  for (const key of Object.keys(values)) {
    if (!KEYS.includes(key as ConfigKey)) report([key], `unknown setting "${key}"; known settings: ${KEYS.join(', ')}`, 'key');
  }
  if (values.version !== undefined && values.version !== 1) report(['version'], 'version must be 1');

  const paths = stringList(values, 'paths', report, { required: true });
  paths?.forEach((path, index) => {
    if (path.startsWith('/') || path.split('/').some((part) => part === '..')) {
      report(['paths', index], `path "${path}" must be relative to the repository root and stay inside it`);
    }
  });
  const include = stringList(values, 'include', report) ?? DEFAULT_INCLUDE;
  const exclude = stringList(values, 'exclude', report) ?? [];
  for (const key of ['include', 'exclude'] as const) {
    (values[key] === undefined ? [] : key === 'include' ? include : exclude).forEach((glob, index) => {
      try {
        compileGlob(glob);
      } catch (error) {
        report([key, index], `glob "${glob}" is malformed: ${(error as Error).message}`);
      }
    });
  }

  let namespace = '';
  if (values.namespace === undefined) report([], 'namespace is required: the namespace given to objects that name none', 'key');
  else if (typeof values.namespace !== 'string' || !DNS_LABEL.test(values.namespace) || values.namespace.length > 63) {
    report(['namespace'], 'namespace must be a Kubernetes namespace name (lowercase letters, digits and "-", at most 63)');
  } else namespace = values.namespace;
  const extra = stringList(values, 'namespaces', report) ?? [];
  extra.forEach((name, index) => {
    if (!DNS_LABEL.test(name) || name.length > 63) report(['namespaces', index], `"${name}" is not a Kubernetes namespace name`);
  });

  const kinds = stringList(values, 'kinds', report) ?? [...SYNC_KINDS];
  kinds.forEach((kind, index) => {
    if (!SYNC_KINDS.includes(kind as SyncKind)) {
      report(
        ['kinds', index],
        kind === 'Secret'
          ? 'Secrets are never read from git: keep them in the cluster'
          : `kind "${kind}" cannot be synced; use one of ${SYNC_KINDS.join(', ')}`,
      );
    }
  });
  if (values.prune !== undefined && typeof values.prune !== 'boolean') report(['prune'], 'prune must be true or false');
  const triggers = parseTriggers(values.on, report);
  const artifacts = parseArtifactSettings(values.artifacts, report);
  const concurrency = parseConcurrency(values.concurrency, report);
  const commands = parseCommandSettings(values.commands, report);
  const logs = parseLogSettings(values.logs, report);

  if (problems.length > 0 || !paths) return { ok: false, diagnostics: problems.sort(compareDiagnostics) };
  const lines: RepositoryConfig['lines'] = {};
  for (const key of KEYS) if (values[key] !== undefined) lines[key] = document.locate([key], 'key').line;
  return {
    ok: true,
    config: {
      file,
      version: 1,
      paths: paths.map(normalizePath),
      include,
      exclude,
      namespace,
      namespaces: [...new Set([namespace, ...extra])],
      kinds: kinds as SyncKind[],
      prune: values.prune === true,
      triggers,
      artifactLinkSeconds: artifacts.linkSeconds,
      cancelInProgress: concurrency.cancelInProgress,
      commandTeams: commands.teams,
      logExcerptLines: logs.excerptLines,
      lines,
    },
  };
}

function stringList(
  values: Record<string, unknown>,
  key: ConfigKey,
  report: (path: DocumentPath, message: string, at?: 'key' | 'value') => void,
  options: { required?: boolean } = {},
): string[] | undefined {
  const value = values[key];
  if (value === undefined) {
    if (options.required) report([], `${key} is required: a list of strings`, 'key');
    return undefined;
  }
  if (!Array.isArray(value) || value.length === 0) {
    report([key], `${key} must be a non-empty list of strings`);
    return undefined;
  }
  let ok = true;
  value.forEach((item, index) => {
    if (typeof item !== 'string' || item === '') {
      report([key, index], `each entry of ${key} must be a non-empty string`);
      ok = false;
    }
  });
  return ok ? (value as string[]) : undefined;
}

/** `./workflows/` and `workflows` name the same directory; `.` is the whole repository. */
function normalizePath(path: string): string {
  return path
    .split('/')
    .filter((part) => part !== '' && part !== '.')
    .join('/');
}

function fileError(file: string, rule: string, message: string, line = 1): Diagnostic {
  return { file, line, column: 1, severity: 'error', rule, message };
}
