import type { RepositoryTree } from './repository-tree.js';

export type TextFileRead = { text: string } | { rule: 'file-too-large' | 'binary-file' | 'symlink' | 'not-a-file'; message: string };

/**
 * Reads one file of a repository as UTF-8 text, refusing what sync never reads: a file over
 * `maxBytes`, bytes that are not UTF-8, and a symbolic link. Links are refused rather than resolved:
 * their target is whatever the repository's author wrote (`/etc/passwd`, `../../other-repo`), and
 * a manifest has no reason to be one.
 *
 * @example const read = await readTextFile(tree, '.skiff.yml', 64 * 1024); if ('text' in read) ...
 */
export async function readTextFile(tree: RepositoryTree, path: string, maxBytes: number): Promise<TextFileRead> {
  const type = await tree.entryType(path);
  if (type === 'symlink') {
    return { rule: 'symlink', message: 'is a symbolic link; Skiff never follows links in a repository: commit the file itself' };
  }
  if (type !== 'file') return { rule: 'not-a-file', message: `is ${type === undefined ? 'missing' : `a ${type}`}, not a file` };
  const bytes = await tree.readFile(path, maxBytes);
  if (bytes === undefined) return { rule: 'not-a-file', message: 'cannot be read as a file' };
  if (bytes === 'too-large' || bytes.length > maxBytes) {
    return { rule: 'file-too-large', message: `is larger than the ${formatBytes(maxBytes)} limit; refusing to read it` };
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '') };
  } catch {
    return { rule: 'binary-file', message: 'is not UTF-8 text' };
  }
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(bytes % (1024 * 1024) === 0 ? 0 : 1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(bytes % 1024 === 0 ? 0 : 1)} KiB`;
  return `${bytes} bytes`;
}
