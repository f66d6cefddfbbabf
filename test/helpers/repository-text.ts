import { execFileSync } from 'node:child_process';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Every byte a directory artifact repository holds, its tarballs unpacked, as one text: a test
 * that must show nothing leaked into the repository looks for the secret in it, whatever form
 * the artifact took.
 */
export async function repositoryText(root: string): Promise<string> {
  const files = await readdir(root, { recursive: true }).catch(() => [] as string[]);
  let text = '';
  for (const file of files) {
    const path = join(root, file);
    if (!(await lstat(path)).isFile()) continue;
    text += file.endsWith('.tgz') ? execFileSync('tar', ['-xzOf', path], { encoding: 'utf8' }) : await readFile(path, 'utf8');
  }
  return text;
}
