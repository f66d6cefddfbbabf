import type { RepositoryTree, TreeEntry } from '../../src/sync/repository-tree.js';

/** A file's content, or a symbolic link (its target, never followed), or a submodule. */
export type MemoryEntry = string | Uint8Array | { symlink: string } | { submodule: string };

/**
 * A RepositoryTree over a map of root-relative paths, for tests of everything above the git
 * mirror. Directories are implied by the paths of the files under them.
 *
 * @example memoryTree({ '.skiff.yml': 'paths: [flows]\nnamespace: ci\n', 'flows/a.yaml': '...' })
 */
export function memoryTree(files: Record<string, MemoryEntry>): RepositoryTree & { reads: string[] } {
  const reads: string[] = [];
  const typeOf = (path: string): TreeEntry['type'] | undefined => {
    const entry = files[path];
    if (entry !== undefined) {
      if (typeof entry === 'object' && 'symlink' in entry) return 'symlink';
      if (typeof entry === 'object' && 'submodule' in entry) return 'submodule';
      return 'file';
    }
    return path === '' || Object.keys(files).some((file) => file.startsWith(`${path}/`)) ? 'directory' : undefined;
  };
  return {
    reads,
    async listDirectory(path) {
      if (typeOf(path) !== 'directory') return undefined;
      const prefix = path === '' ? '' : `${path}/`;
      const names = new Set<string>();
      for (const file of Object.keys(files)) if (file.startsWith(prefix)) names.add(file.slice(prefix.length).split('/')[0]!);
      return [...names].sort().map((name) => ({ name, type: typeOf(`${prefix}${name}`)! }));
    },
    async entryType(path) {
      return typeOf(path);
    },
    async readFile(path, maxBytes) {
      if (typeOf(path) !== 'file') return undefined;
      const entry = files[path]!;
      const bytes = typeof entry === 'string' ? new TextEncoder().encode(entry) : (entry as Uint8Array);
      if (bytes.length > maxBytes) return 'too-large';
      reads.push(path);
      return bytes;
    },
  };
}
