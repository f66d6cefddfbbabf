import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runGit } from './run-git.js';

/** File contents by path relative to the repository root, e.g. `{ 'workflows/hello.yaml': '...' }`. */
export type RepoFiles = Record<string, string | Uint8Array>;

export interface CreateBareRepoOptions {
  branch?: string;
  message?: string;
}

export interface BareRepo {
  /** Absolute path of the bare repository (`<root>/<name>.git`). */
  path: string;
  branch: string;
  /** The commit holding `files`, the tip of `branch`. */
  commit: string;
}

const REPO_NAME = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

/**
 * Creates the bare repository `<root>/<name>.git` whose `branch` holds one commit with `files`,
 * ready for the git server to serve, with pushes over HTTP allowed.
 *
 * @example
 *   const { commit } = await createBareRepo(root, 'org/flows', { 'hello.yaml': 'kind: Workflow\n' });
 */
export async function createBareRepo(root: string, name: string, files: RepoFiles, options: CreateBareRepoOptions = {}): Promise<BareRepo> {
  if (!REPO_NAME.test(name) || name.split('/').some((part) => part === '..' || part === '.')) {
    throw new Error(`invalid repository name ${JSON.stringify(name)}`);
  }
  const { branch = 'main', message = 'Initial commit' } = options;
  const path = join(root, `${name}.git`);
  await mkdir(dirname(path), { recursive: true });
  await runGit(['init', '--quiet', '--bare', `--initial-branch=${branch}`, path]);
  await runGit(['config', 'http.receivepack', 'true'], { cwd: path });

  const work = await mkdtemp(join(tmpdir(), 'skiff-git-seed-'));
  try {
    await runGit(['init', '--quiet', `--initial-branch=${branch}`, work]);
    for (const [file, content] of Object.entries(files)) {
      const target = join(work, file);
      if (!target.startsWith(`${work}/`)) throw new Error(`file path escapes the repository: ${file}`);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, content);
    }
    await runGit(['add', '--all'], { cwd: work });
    await runGit(['commit', '--quiet', '--allow-empty', '-m', message], { cwd: work });
    await runGit(['push', '--quiet', path, `HEAD:refs/heads/${branch}`], { cwd: work });
    const commit = await runGit(['rev-parse', 'HEAD'], { cwd: work });
    return { path, branch, commit };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
