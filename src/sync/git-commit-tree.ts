import fs from 'node:fs';
import git, { type ReadTreeResult, type TreeEntry as GitTreeEntry } from 'isomorphic-git';
import { gitObjectSizes } from './git-object-size.js';
import type { RepositoryTree, TreeEntry } from './repository-tree.js';

/**
 * The files of one commit of a bare repository, read from its object database (no checkout, no
 * file of the repository ever on disk). Directory listings are cached for the object's lifetime,
 * so a walk reads each tree object once.
 *
 * @example const tree = gitCommitTree(gitdir, 'a1b2...'); await tree.readFile('.skiff.yml', 65536)
 */
export function gitCommitTree(gitdir: string, commit: string): RepositoryTree {
  const cache = {};
  const sizes = gitObjectSizes(gitdir);
  const listings = new Map<string, Promise<GitTreeEntry[] | undefined>>();
  const listRaw = (path: string): Promise<GitTreeEntry[] | undefined> => {
    let listing = listings.get(path);
    if (!listing) {
      listing = git
        .readTree({ fs, gitdir, oid: commit, filepath: path === '' ? undefined : path, cache })
        .then((result: ReadTreeResult) => result.tree)
        .catch((error: { code?: string }) => {
          // A missing path or one naming a file is "no such directory"; anything else (a damaged
          // object database) must surface, not read as an empty repository.
          if (error.code === 'NotFoundError' || error.code === 'ObjectTypeError') return undefined;
          throw error;
        });
      listings.set(path, listing);
    }
    return listing;
  };
  const find = async (path: string): Promise<GitTreeEntry | undefined> => {
    const slash = path.lastIndexOf('/');
    const entries = await listRaw(slash === -1 ? '' : path.slice(0, slash));
    const name = path.slice(slash + 1);
    return entries?.find((entry) => entry.path === name);
  };
  return {
    async listDirectory(path) {
      return (await listRaw(path))?.map((entry) => ({ name: entry.path, type: entryType(entry) }));
    },
    async entryType(path) {
      const entry = await find(path);
      return entry ? entryType(entry) : undefined;
    },
    async readFile(path, maxBytes) {
      const entry = await find(path);
      if (!entry || entryType(entry) !== 'file') return undefined;
      // Sizes first: a blob is inflated whole when read, and a few compressed megabytes can hold
      // gigabytes of zeros.
      const size = await sizes.sizeOf(entry.oid);
      if (size !== undefined && size > maxBytes) return 'too-large';
      const { blob } = await git.readBlob({ fs, gitdir, oid: entry.oid, cache });
      return blob;
    },
  };
}

function entryType(entry: GitTreeEntry): TreeEntry['type'] {
  if (entry.type === 'tree') return 'directory';
  if (entry.type === 'commit') return 'submodule';
  return entry.mode === '120000' ? 'symlink' : 'file';
}
