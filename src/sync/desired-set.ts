import { compareDiagnostics, type Diagnostic, type DocumentPath } from '../spec/diagnostic.js';
import { lintSources, type LintSource } from '../spec/lint-sources.js';
import { parseSourceFile } from '../spec/source/parse-source-file.js';
import type { SourceDocument } from '../spec/source/source-document.js';
import { collectManifestFiles } from './collect-manifest-files.js';
import { readRepositoryConfig, SYNC_KINDS, type RepositoryConfig, type SyncKind } from './repository-config.js';
import type { RepositoryTree } from './repository-tree.js';
import { SYNC_LIMITS, type SyncLimits } from './sync-limits.js';
import { contradictsConfig, type WorkflowEvent, workflowEvents } from './workflow-events.js';

/** Where an object is written: enough to put a later plan's or apply's finding on its line. */
export interface ObjectSource {
  file: string;
  /** 1-based line of the document's start. */
  line: number;
  /** 0-based position of the document in its file. */
  document: number;
}

/** What the cluster knows an object by: what apply, diff and prune will match on. */
export interface ObjectIdentity {
  apiVersion: string;
  kind: Exclude<SyncKind, 'Workflow'>;
  /** Absent for cluster-scoped kinds (ClusterWorkflowTemplate). */
  namespace?: string;
  name: string;
}

/** An object to apply, with its namespace filled in from the config when it named none. */
export interface DesiredObject {
  identity: ObjectIdentity;
  source: ObjectSource;
  object: Record<string, unknown>;
}

/** A Workflow found in the repository: something to run, never applied as desired state. */
export interface DesiredRun {
  namespace: string;
  /** One of name and generateName is set, as in the manifest. */
  name?: string;
  generateName?: string;
  source: ObjectSource;
  object: Record<string, unknown>;
  /** The events its `skiff.dev/on` annotation runs it on; absent: the config alone decides. */
  on?: WorkflowEvent[];
}

export interface DesiredSet {
  config: RepositoryConfig;
  apply: DesiredObject[];
  run: DesiredRun[];
  /** Lint warnings and notices: shown, but they do not stop the sync. */
  warnings: Diagnostic[];
}

/** An error result carries every diagnostic found, so one push shows all that is wrong. */
export type DesiredSetResult = { ok: true; desired: DesiredSet } | { ok: false; diagnostics: Diagnostic[] };

/**
 * The objects a commit asks for, from the repository's files and a config (for a fork's pull
 * request, the base branch's config: the fork does not choose its own paths or namespaces).
 * Every file is linted as `skiff lint` does; a Secret, a kind the config does not allow, a
 * namespace it does not allow, two files defining one object, or any lint error make the result
 * an error, and then nothing is to be applied.
 *
 * @example
 *   const result = await computeDesiredSet(tree, config);
 *   if (result.ok) for (const o of result.desired.apply) console.log(o.identity.kind, o.identity.name);
 */
export async function computeDesiredSet(tree: RepositoryTree, config: RepositoryConfig, limits: SyncLimits = SYNC_LIMITS): Promise<DesiredSetResult> {
  const collected = await collectManifestFiles(tree, config, limits);
  return desiredSetFromFiles(collected.files, config, collected.diagnostics);
}

/**
 * The desired set of the commit `files` is read from, with the config read from `configFrom`:
 * the same commit for a push, the base branch's commit for a pull request. A missing or invalid
 * config is an error result like any other.
 *
 * @example await desiredSetAt(mirror.treeAt(url, headSha), mirror.treeAt(url, baseSha))
 */
export async function desiredSetAt(files: RepositoryTree, configFrom: RepositoryTree = files, limits: SyncLimits = SYNC_LIMITS): Promise<DesiredSetResult> {
  const config = await readRepositoryConfig(configFrom, limits);
  if (!config.ok) return config;
  return computeDesiredSet(files, config.config, limits);
}

/** The pure part of computeDesiredSet, over files already read. */
export function desiredSetFromFiles(files: LintSource[], config: RepositoryConfig, earlier: Diagnostic[] = []): DesiredSetResult {
  const diagnostics = [...earlier, ...lintSources(files).diagnostics];
  const apply: DesiredObject[] = [];
  const run: DesiredRun[] = [];
  const defined = new Map<string, { source: ObjectSource; document: SourceDocument }>();

  for (const file of files) {
    // Parsing again is cheap next to linting, and keeps the lint's report shape unchanged.
    for (const document of parseSourceFile(file.file, file.text).documents) {
      const error = (path: DocumentPath, rule: string, message: string): undefined => {
        diagnostics.push({ file: file.file, ...document.locate(path), severity: 'error', rule, message });
        return undefined;
      };
      const found = classify(document, config, error);
      if (!found) continue;
      // A Workflow with a fixed name is one object too: two files naming it would race to create it.
      const name = 'identity' in found ? found.identity : found.name ? { kind: 'Workflow', namespace: found.namespace, name: found.name } : undefined;
      if (name) {
        const label = `${name.kind} ${name.namespace ? `${name.namespace}/` : ''}${name.name}`;
        const earlier = defined.get(label);
        if (earlier) {
          error(['metadata', 'name'], 'sync-duplicate', `${label} is also defined in ${earlier.source.file}:${earlier.source.line}`);
          const at = earlier.document.locate(['metadata', 'name']);
          diagnostics.push({
            file: earlier.source.file,
            ...at,
            severity: 'error',
            rule: 'sync-duplicate',
            message: `${label} is also defined in ${file.file}:${found.source.line}`,
          });
          continue;
        }
        defined.set(label, { source: found.source, document });
      }
      if ('identity' in found) apply.push(found);
      else run.push(found);
    }
  }

  diagnostics.sort(compareDiagnostics);
  if (diagnostics.some((d) => d.severity === 'error')) return { ok: false, diagnostics };
  return { ok: true, desired: { config, apply, run, warnings: diagnostics } };
}

function classify(
  document: SourceDocument,
  config: RepositoryConfig,
  error: (path: DocumentPath, rule: string, message: string) => undefined,
): DesiredObject | DesiredRun | undefined {
  const value = document.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return error([], 'sync-not-an-object', 'this document is not a Kubernetes object; exclude the file in the repository config');
  }
  const object = structuredClone(value) as Record<string, unknown>;
  const kind = object.kind;
  if (kind === 'Secret') {
    return error(['kind'], 'secret-in-git', 'Secrets are never read from git: create this Secret in the cluster and remove it from the repository');
  }
  if (typeof kind !== 'string' || !SYNC_KINDS.includes(kind as SyncKind)) {
    return error(
      typeof kind === 'string' ? ['kind'] : [],
      'sync-kind',
      `${typeof kind === 'string' ? kind : 'a document without a kind'} is not a kind Skiff syncs (${SYNC_KINDS.join(', ')}); exclude the file in ${config.file}`,
    );
  }
  if (!config.kinds.includes(kind as SyncKind)) {
    return error(['kind'], 'sync-kind-not-allowed', `${config.file} allows only ${config.kinds.join(', ')}; ${kind} is not among them`);
  }
  const metadata = (typeof object.metadata === 'object' && object.metadata !== null ? object.metadata : (object.metadata = {})) as Record<string, unknown>;
  const source: ObjectSource = { file: document.file, line: document.locate([]).line, document: document.index };
  const name = typeof metadata.name === 'string' && metadata.name !== '' ? metadata.name : undefined;

  let namespace: string | undefined;
  if (kind === 'ClusterWorkflowTemplate') {
    if (metadata.namespace !== undefined)
      return error(['metadata', 'namespace'], 'sync-namespace', 'a ClusterWorkflowTemplate is cluster-scoped: remove metadata.namespace');
  } else if (metadata.namespace === undefined) {
    namespace = config.namespace;
    metadata.namespace = namespace;
  } else if (typeof metadata.namespace !== 'string' || !config.namespaces.includes(metadata.namespace)) {
    return error(
      ['metadata', 'namespace'],
      'sync-namespace',
      `namespace "${String(metadata.namespace)}" is not one ${config.file} allows (${config.namespaces.join(', ')})`,
    );
  } else {
    namespace = metadata.namespace;
  }

  if (kind === 'Workflow') {
    const generateName = typeof metadata.generateName === 'string' && metadata.generateName !== '' ? metadata.generateName : undefined;
    if (!name && !generateName) return error(['metadata'], 'sync-name', 'a Workflow needs metadata.name or metadata.generateName');
    const on = workflowEvents(metadata, error);
    if (on === 'invalid') return undefined;
    if (on && contradictsConfig(name ?? generateName?.replace(/-+$/, ''), on, config, error)) return undefined;
    return { namespace: namespace!, ...(name ? { name } : {}), ...(generateName ? { generateName } : {}), source, object, ...(on ? { on } : {}) };
  }
  if (!name) return error(['metadata'], 'sync-name', `a ${kind} to apply needs metadata.name (generateName makes a new object on every apply)`);
  const apiVersion = typeof object.apiVersion === 'string' ? object.apiVersion : 'v1';
  const identity: ObjectIdentity = { apiVersion, kind: kind as ObjectIdentity['kind'], ...(namespace ? { namespace } : {}), name };
  return { identity, source, object };
}
