import type { Dirent, Stats } from 'node:fs';
import { type FileHandle, lstat, open, readdir } from 'node:fs/promises';
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

/** What `-` reads, and the name its problems are reported under. */
export const STDIN_NAME = '<stdin>';

/**
 * Reads the files named, and the `.yaml`, `.yml` and `.json` files under the directories named
 * (recursively, without following symbolic links to directories, so a link loop cannot hang it).
 * `-` reads standard input (once). Nothing is ever read past the size limit.
 */
export async function collectFiles(paths: string[], cwd: string, stdin?: AsyncIterable<Buffer | string>): Promise<CollectedFiles> {
  const result: CollectedFiles = { sources: [], problems: [], missing: [] };
  const seen = new Set<string>();
  for (const given of paths) {
    if (given === '-') {
      if (seen.has(STDIN_NAME)) continue;
      seen.add(STDIN_NAME);
      if (!stdin) result.missing.push('- (no standard input here)');
      else decodeSource(STDIN_NAME, await readLimited(stdin), result);
      continue;
    }
    const absolute = resolve(cwd, given);
    let stats: Stats;
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
    let entries: Dirent[];
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
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, 'r');
    const stats = await handle.stat();
    if (!stats.isFile()) return problem('unreadable', 'not a regular file');
    if (stats.size > SOURCE_LIMITS.maxFileBytes) return problem('file-too-large', tooLarge(stats.size));
    decodeSource(file, await handle.readFile(), result);
  } catch (error) {
    problem('unreadable', `cannot read the file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  } finally {
    await handle?.close();
  }
}

function tooLarge(bytes: number): string {
  return `file is ${(bytes / 1024 / 1024).toFixed(1)} MiB, over the ${SOURCE_LIMITS.maxFileBytes / 1024 / 1024} MiB limit; refusing to read it`;
}

/** Adds the text of `buffer` as a source, or the reason it is not text. */
function decodeSource(file: string, buffer: Buffer, result: CollectedFiles): void {
  if (buffer.length > SOURCE_LIMITS.maxFileBytes) {
    result.problems.push({ file, line: 1, column: 1, severity: 'error', rule: 'file-too-large', message: tooLarge(buffer.length) });
    return;
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buffer);
  } catch {
    result.problems.push({ file, line: 1, column: 1, severity: 'error', rule: 'binary-file', message: 'file is not UTF-8 text' });
    return;
  }
  result.sources.push({ file, text: text.replace(/^\uFEFF/, '') });
}

/** A stream's bytes up to one past the size limit: enough to say it is too large, never more. */
async function readLimited(stream: AsyncIterable<Buffer | string>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    chunks.push(bytes);
    size += bytes.length;
    if (size > SOURCE_LIMITS.maxFileBytes) break;
  }
  return Buffer.concat(chunks);
}
