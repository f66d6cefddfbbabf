import fs from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import git from 'isomorphic-git';
import { runGit } from '../git/run-git.js';

// Reads go through isomorphic-git (in-process, never blocking the server that serves the same repo);
// writes and diffs through the git CLI, asynchronously.

export interface TreeEntry {
  name: string;
  path: string;
  type: 'file' | 'dir' | 'symlink' | 'submodule';
  sha: string;
  size: number;
}

export type PathContent = { type: 'file' | 'symlink'; path: string; sha: string; content: Uint8Array } | { type: 'dir'; path: string; entries: TreeEntry[] };

/** The commit `ref` names (branch, tag, full ref, full or abbreviated sha), or undefined. */
export async function resolveCommit(gitdir: string, ref: string): Promise<string | undefined> {
  const candidates = [ref, `refs/heads/${ref}`, `refs/tags/${ref}`];
  for (const candidate of candidates) {
    try {
      const oid = await git.resolveRef({ fs, gitdir, ref: candidate });
      return await peelToCommit(gitdir, oid);
    } catch {
      // try the next spelling
    }
  }
  if (/^[0-9a-f]{4,40}$/i.test(ref)) {
    try {
      const oid = await git.expandOid({ fs, gitdir, oid: ref.toLowerCase() });
      return await peelToCommit(gitdir, oid);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

async function peelToCommit(gitdir: string, oid: string): Promise<string> {
  const object = await git.readObject({ fs, gitdir, oid });
  if (object.type === 'commit') return oid;
  if (object.type === 'tag') {
    const { tag } = await git.readTag({ fs, gitdir, oid });
    return peelToCommit(gitdir, tag.object);
  }
  throw new Error(`${oid} is a ${object.type}, not a commit`);
}

/** The file or directory at `path` ('' for the root) in `commit`, or undefined if there is none. */
export async function readPath(gitdir: string, commit: string, path: string): Promise<PathContent | undefined> {
  const clean = path.replace(/^\/+|\/+$/g, '');
  const { commit: parsed } = await git.readCommit({ fs, gitdir, oid: commit });
  let treeOid = parsed.tree;
  const parts = clean === '' ? [] : clean.split('/');
  for (let i = 0; i < parts.length; i++) {
    const { tree } = await git.readTree({ fs, gitdir, oid: treeOid });
    const entry = tree.find((e) => e.path === parts[i]);
    if (!entry) return undefined;
    if (i === parts.length - 1 && entry.type === 'blob') {
      const { blob } = await git.readBlob({ fs, gitdir, oid: entry.oid });
      return { type: entry.mode === '120000' ? 'symlink' : 'file', path: clean, sha: entry.oid, content: blob };
    }
    if (entry.type !== 'tree') return undefined;
    treeOid = entry.oid;
  }
  const { tree } = await git.readTree({ fs, gitdir, oid: treeOid });
  const entries: TreeEntry[] = [];
  for (const entry of tree) {
    const type = entry.type === 'tree' ? 'dir' : entry.type === 'commit' ? 'submodule' : entry.mode === '120000' ? 'symlink' : 'file';
    const size = entry.type === 'blob' ? (await git.readBlob({ fs, gitdir, oid: entry.oid })).blob.length : 0;
    entries.push({ name: entry.path, path: clean ? `${clean}/${entry.path}` : entry.path, type, sha: entry.oid, size });
  }
  return { type: 'dir', path: clean, entries };
}

export interface ChangedFile {
  filename: string;
  status: 'added' | 'removed' | 'modified' | 'renamed' | 'copied' | 'changed' | 'unchanged';
  /** The blob in head (in base for a removed file). */
  sha: string;
  additions: number;
  deletions: number;
}

/** Files a pull request from `head` into `base` changes: `git diff base...head`, as GitHub shows it. */
export async function changedFiles(gitdir: string, base: string, head: string): Promise<ChangedFile[]> {
  const range = `${base}...${head}`;
  const raw = await runGit(['diff', '--raw', '--no-renames', '--no-abbrev', '-z', range], { cwd: gitdir });
  const numstat = await runGit(['diff', '--numstat', '--no-renames', '-z', range], { cwd: gitdir });
  const counts = new Map<string, { additions: number; deletions: number }>();
  for (const record of numstat.split('\0')) {
    const m = /^(\d+|-)\t(\d+|-)\t(.+)$/s.exec(record);
    if (m) counts.set(m[3]!, { additions: Number(m[1]) || 0, deletions: Number(m[2]) || 0 });
  }
  const files: ChangedFile[] = [];
  const fields = raw.split('\0');
  for (let i = 0; i + 1 < fields.length; i += 2) {
    // ":100644 100644 <old> <new> M" then the path
    const meta = fields[i]!.replace(/^:/, '').split(' ');
    const filename = fields[i + 1]!;
    const [oldSha, newSha, letter] = [meta[2] ?? '', meta[3] ?? '', meta[4] ?? 'M'];
    const status = letter === 'A' ? 'added' : letter === 'D' ? 'removed' : letter === 'T' ? 'changed' : 'modified';
    const count = counts.get(filename) ?? { additions: 0, deletions: 0 };
    files.push({ filename, status, sha: status === 'removed' ? oldSha : newSha, ...count });
  }
  return files;
}

/** What one commit changed against its first parent (everything, for a root commit), as a push payload lists it. */
export async function filesOfCommit(gitdir: string, sha: string): Promise<{ added: string[]; removed: string[]; modified: string[] }> {
  const raw = await runGit(['diff-tree', '-r', '--root', '--no-commit-id', '--no-renames', '--name-status', '-z', sha], { cwd: gitdir });
  const out = { added: [] as string[], removed: [] as string[], modified: [] as string[] };
  const fields = raw.split('\0').filter((f) => f !== '');
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const list = fields[i] === 'A' ? out.added : fields[i] === 'D' ? out.removed : out.modified;
    list.push(fields[i + 1]!);
  }
  return out;
}

/** File contents by path; `null` deletes the file. */
export type FileChanges = Record<string, string | Uint8Array | null>;

/**
 * Commits `changes` onto `branch` (created from `from` if it does not exist) and pushes it into the
 * bare repository; returns the new commit.
 */
export async function commitFiles(gitdir: string, branch: string, changes: FileChanges, options: { message?: string; from?: string } = {}): Promise<string> {
  const work = await mkdtemp(join(tmpdir(), 'skiff-fake-github-commit-'));
  try {
    await runGit(['clone', '--quiet', '--no-checkout', gitdir, work]);
    const exists = (await resolveCommit(gitdir, `refs/heads/${branch}`)) !== undefined;
    const start = exists ? `origin/${branch}` : options.from ? `origin/${options.from}` : 'HEAD';
    await runGit(['checkout', '--quiet', '-B', branch, start], { cwd: work });
    for (const [file, content] of Object.entries(changes)) {
      const target = join(work, file);
      if (!target.startsWith(`${work}/`)) throw new Error(`file path escapes the repository: ${file}`);
      if (content === null) {
        await runGit(['rm', '--quiet', '--', file], { cwd: work });
      } else {
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, content);
      }
    }
    await runGit(['add', '--all'], { cwd: work });
    await runGit(['commit', '--quiet', '--allow-empty', '-m', options.message ?? `Update ${branch}`], { cwd: work });
    await runGit(['push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`], { cwd: work });
    return await runGit(['rev-parse', 'HEAD'], { cwd: work });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
