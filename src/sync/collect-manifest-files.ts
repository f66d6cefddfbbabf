import type { Diagnostic } from '../spec/diagnostic.js';
import type { LintSource } from '../spec/lint-sources.js';
import { compileGlob, matchesAny } from './glob-matcher.js';
import { formatBytes, readTextFile } from './read-text-file.js';
import { CONFIG_FILES, type RepositoryConfig } from './repository-config.js';
import type { RepositoryTree } from './repository-tree.js';
import { SYNC_LIMITS, type SyncLimits } from './sync-limits.js';

const READ_CONCURRENCY = 8;

export interface CollectedManifests {
  /** The selected files' text, by root-relative path, in path order. */
  files: LintSource[];
  /** Why some selected files could not be read, or why the selection itself was refused. */
  diagnostics: Diagnostic[];
}

/**
 * Walks the config's paths at a commit and reads every file the include and exclude globs select,
 * within the sync limits. Submodules are outside the repository and skipped; a selected symbolic
 * link is an error, never followed. Exceeding the file-count, tree-size or total-size limit stops
 * the walk with one error on the config's `paths` line: a partial set must never look complete.
 *
 * @example const { files, diagnostics } = await collectManifestFiles(tree, config)
 */
export async function collectManifestFiles(tree: RepositoryTree, config: RepositoryConfig, limits: SyncLimits = SYNC_LIMITS): Promise<CollectedManifests> {
  const include = config.include.map(compileGlob);
  const exclude = config.exclude.map(compileGlob);
  // The config file is never a manifest, even when `paths: [.]` and the globs would select it.
  const selected = (path: string): boolean => !(CONFIG_FILES as readonly string[]).includes(path) && matchesAny(include, path) && !matchesAny(exclude, path);
  const diagnostics: Diagnostic[] = [];
  const refuse = (message: string): CollectedManifests => ({
    files: [],
    diagnostics: [{ file: config.file, line: config.lines.paths ?? 1, column: 1, severity: 'error', rule: 'sync-limit', message }],
  });

  const candidates = new Set<string>();
  let walked = 0;
  for (const root of config.paths) {
    const type = root === '' ? 'directory' : await tree.entryType(root);
    if (type === undefined) {
      diagnostics.push({
        file: config.file,
        line: config.lines.paths ?? 1,
        column: 1,
        severity: 'warning',
        rule: 'sync-path-missing',
        message: `path "${root}" does not exist at this commit`,
      });
      continue;
    }
    if (type !== 'directory') {
      // A path naming one file is read even if the globs would not select it: it was asked for by name.
      if (type !== 'submodule') candidates.add(root);
      continue;
    }
    const pending = [root];
    while (pending.length > 0) {
      const directory = pending.pop()!;
      const entries = (await tree.listDirectory(directory)) ?? [];
      walked += entries.length;
      if (walked > limits.maxTreeEntries) {
        return refuse(`the paths to sync hold more than ${limits.maxTreeEntries} entries; narrow "paths" or "exclude" what is not manifests`);
      }
      for (const entry of entries) {
        const path = directory === '' ? entry.name : `${directory}/${entry.name}`;
        if (entry.type === 'directory') pending.push(path);
        else if (entry.type !== 'submodule' && selected(path)) candidates.add(path);
      }
      if (candidates.size > limits.maxFiles) {
        return refuse(`more than ${limits.maxFiles} files match the paths and globs; sync reads at most ${limits.maxFiles}`);
      }
    }
  }

  const files: LintSource[] = [];
  let total = 0;
  const sorted = [...candidates].sort();
  // A few reads at a time: each object read waits on the disk more than on the CPU (measured: 8
  // at a time halves the time for 1,000 files); results are used in path order all the same.
  for (let start = 0; start < sorted.length; start += READ_CONCURRENCY) {
    const batch = sorted.slice(start, start + READ_CONCURRENCY);
    const reads = await Promise.all(batch.map((path) => readTextFile(tree, path, limits.maxFileBytes)));
    for (const [i, read] of reads.entries()) {
      const path = batch[i]!;
      if (!('text' in read)) {
        diagnostics.push({ file: path, line: 1, column: 1, severity: 'error', rule: read.rule, message: `${path} ${read.message}` });
        continue;
      }
      total += read.text.length;
      if (total > limits.maxTotalBytes) {
        return refuse(`the selected files hold more than ${formatBytes(limits.maxTotalBytes)} together; sync refuses to read more`);
      }
      files.push({ file: path, text: read.text });
    }
  }
  return { files, diagnostics };
}
