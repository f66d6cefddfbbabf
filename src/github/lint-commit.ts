import { compareDiagnostics, type Diagnostic } from '../spec/diagnostic.js';
import { lintSources } from '../spec/lint-sources.js';
import { collectManifestFiles } from '../sync/collect-manifest-files.js';
import { type DesiredSet, desiredSetFromFiles } from '../sync/desired-set.js';
import { readRepositoryConfig, type RepositoryConfig } from '../sync/repository-config.js';
import type { RepositoryTree } from '../sync/repository-tree.js';

export interface CommitLint {
  /** Everything `skiff lint` (strict, as its default) and the sync find, each once, in file order. */
  diagnostics: Diagnostic[];
  /** What the commit asks for, when it has no errors. */
  desired?: DesiredSet;
  /** The repository config, when it is valid (even if a manifest is not). */
  config?: RepositoryConfig;
}

/**
 * Lints the manifests of a commit as `skiff lint` does by default (strict: unknown fields are
 * errors, as in `argo lint`) and as the sync does (config, kinds, namespaces, Secrets in git),
 * with the repository config read from `configFrom` (for a fork's PR, the base branch).
 */
export async function lintCommit(files: RepositoryTree, configFrom: RepositoryTree): Promise<CommitLint> {
  const config = await readRepositoryConfig(configFrom);
  if (!config.ok) return { diagnostics: config.diagnostics };
  const collected = await collectManifestFiles(files, config.config);
  const strict = lintSources(collected.files, { strict: true }).diagnostics;
  const desired = desiredSetFromFiles(collected.files, config.config, collected.diagnostics);
  const seen = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  // The strict lint's findings come first, so where both report one thing its severity wins.
  for (const d of [...strict, ...(desired.ok ? desired.desired.warnings : desired.diagnostics)]) {
    const key = `${d.file}\0${d.line}\0${d.column}\0${d.rule}\0${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    diagnostics.push(d);
  }
  diagnostics.sort(compareDiagnostics);
  const failed = diagnostics.some((d) => d.severity === 'error');
  return failed || !desired.ok ? { diagnostics, config: config.config } : { diagnostics, desired: desired.desired, config: config.config };
}
