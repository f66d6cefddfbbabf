import { compareDiagnostics } from '../spec/diagnostic.js';
import { lintSources } from '../spec/lint-sources.js';
import type { KubernetesObject } from '../spec/model/kubernetes.js';
import { parseSourceFile } from '../spec/source/parse-source-file.js';
import { UsageError, type CliIO } from './cli-io.js';
import { collectFiles } from './collect-files.js';
import { formatHuman } from './format-diagnostics.js';

export interface Manifest {
  file: string;
  object: KubernetesObject;
}

/**
 * Reads and lints the files named (directories recursively), as `skiff lint` would. With any
 * lint error it prints the diagnostics, exactly as `skiff lint` does, to stderr and returns
 * undefined: nothing is applied or run from a file that fails its lint. Warnings are printed too,
 * but do not stop anything. Otherwise returns every document that is a Kubernetes object.
 */
export async function readManifests(paths: string[], io: CliIO): Promise<Manifest[] | undefined> {
  const collected = await collectFiles(paths, io.cwd, io.stdin);
  if (collected.missing.length > 0) throw new UsageError(`no such file or directory: ${collected.missing.join(', ')}`);
  const report = lintSources(collected.sources);
  report.diagnostics.push(...collected.problems);
  report.diagnostics.sort(compareDiagnostics);
  const errors = report.diagnostics.some((d) => d.severity === 'error');
  if (errors || report.diagnostics.some((d) => d.severity === 'warning')) {
    const shown = { ...report, diagnostics: report.diagnostics.filter((d) => d.severity !== 'notice'), skipped: [] };
    io.stderr.write(formatHuman(shown, { color: false }));
  }
  if (errors) {
    io.stderr.write(`refusing to go on: ${paths.join(' ')} ${paths.length === 1 ? 'has' : 'have'} lint errors (see above; skiff lint shows the same)\n`);
    return undefined;
  }
  const manifests: Manifest[] = [];
  for (const source of collected.sources) {
    for (const document of parseSourceFile(source.file, source.text).documents) {
      const value = document.value as Partial<KubernetesObject> | null;
      if (value && typeof value === 'object' && typeof value.kind === 'string') manifests.push({ file: source.file, object: value as KubernetesObject });
    }
  }
  return manifests;
}
