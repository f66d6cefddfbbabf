import { lstat, open, readdir } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { Diagnostic } from '../spec/diagnostic.js';
import { SOURCE_LIMITS } from '../spec/source/parse-source-file.js';
import type { LintSource } from '../spec/lint-sources.js';

const EXTENSIONS = ['.yaml', '.yml', '.json'];
/** Directories that never hold a repository's own workflow files. */
const SKIPPED_DIRECTORIES = new Set(['.git', 'node_modules']);

export interface CollectedFiles {
  sources: LintSource[];
  /** Files that could not be read as text: too large, unreadable, not UTF-8. */
  problems: Diagnostic[];
  /** Paths given on the command line that do not exist. */
  missing: string[];
}

/**
 * Reads the files named, and the `.yaml`, `.yml` and `.json` files under the directories named
 * (recursively, without following symbolic links to directories, so a link loop cannot hang it).
 * A file is never read past the size limit.
 */
export async function collectFiles(paths: string[], cwd: string): Promise<CollectedFiles> {
  const result: CollectedFiles = { sources: [], problems: [], missing: [] };
  const seen = new Set<string>();
  for (const given of paths) {
    const absolute = resolve(cwd, given);
    let stats;
    try {
      stats = await lstat(absolute);
    } catch {
      result.missing.push(given);
      continue;
    }
    if (stats.isDirectory()) {
      for (const file of await walk(absolute)) await readSource(file, cwd, result, seen);
    } else {
      await readSource(absolute, cwd, result, seen);
    }
  }
  return result;
}

async function walk(root: string): Promise<string[]> {
  const files: string[] = [];
  const pending = [root];
  while (pending.length > 0) {
    const directory = pending.pop()!;
    let entries;
    try {
      entries = await readdir(directory, { withFileTypes: true });
    } catch {
      continue; // an unreadable directory holds nothing we can lint
    }
    for (const entry of entries) {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRECTORIES.has(entry.name)) pending.push(path);
      } else if ((entry.isFile() || entry.isSymbolicLink()) && EXTENSIONS.some((ext) => entry.name.endsWith(ext))) {
        files.push(path);
      }
    }
  }
  return files.sort();
}

async function readSource(path: string, cwd: string, result: CollectedFiles, seen: Set<string>): Promise<void> {
  if (seen.has(path)) return;
  seen.add(path);
  const file = relative(cwd, path) || path;
  const problem = (rule: string, message: string): void => {
    result.problems.push({ file, line: 1, column: 1, severity: 'error', rule, message });
  };
  let handle;
  try {
    handle = await open(path, 'r');
    const stats = await handle.stat();
    if (!stats.isFile()) return problem('unreadable', 'not a regular file');
    if (stats.size > SOURCE_LIMITS.maxFileBytes) {
      return problem('file-too-large', `file is ${(stats.size / 1024 / 1024).toFixed(1)} MiB, over the ${SOURCE_LIMITS.maxFileBytes / 1024 / 1024} MiB limit; refusing to read it`);
    }
    const buffer = await handle.readFile();
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(buffer);
    } catch {
      return problem('binary-file', 'file is not UTF-8 text');
    }
    result.sources.push({ file, text: text.replace(/^\uFEFF/, '') });
  } catch (error) {
    problem('unreadable', `cannot read the file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  } finally {
    await handle?.close();
  }
}
