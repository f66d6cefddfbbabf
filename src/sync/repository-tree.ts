/** One entry of a directory in a repository at a commit. */
export interface TreeEntry {
  name: string;
  /** A symlink's target is data in git, never followed; a submodule is a commit of another repository. */
  type: 'file' | 'directory' | 'symlink' | 'submodule';
}

/**
 * The files of a repository at one commit, read without a checkout. The git mirror implements it
 * over its object database; tests implement it over a map of paths. Paths are `/`-separated and
 * relative to the repository root (`''` is the root).
 */
export interface RepositoryTree {
  /**
   * The entries directly inside a directory, or undefined when the path is absent or not a directory.
   *
   * @example await tree.listDirectory('workflows') // → [{ name: 'build.yaml', type: 'file' }, ...]
   */
  listDirectory(path: string): Promise<TreeEntry[] | undefined>;
  /**
   * The bytes of a regular file, `'too-large'` when it holds more than `maxBytes` (found out
   * without reading it), or undefined when it is absent or not a regular file.
   *
   * @example const bytes = await tree.readFile('.skiff.yml', 64 * 1024); if (bytes === 'too-large') ...
   */
  readFile(path: string, maxBytes: number): Promise<Uint8Array | 'too-large' | undefined>;
  /** What kind of entry a path is, without reading it; undefined when absent. */
  entryType(path: string): Promise<TreeEntry['type'] | undefined>;
}
