import { constants } from 'node:fs';
import { lstat, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { RepositoryTree, TreeEntry } from './repository-tree.js';

/**
 * A working directory read as a repository tree (`skiff plan PATH`): the same rules as the git
 * mirror's tree — a symlink is reported and never followed, `.git` is not part of the tree, and a
 * file over the limit is found out from its size without reading it.
 *
 * @example const tree = new DirectoryTree('/src/flows'); await desiredSetAt(tree);
 */
export class DirectoryTree implements RepositoryTree {
  constructor(private readonly root: string) {}

  async listDirectory(path: string): Promise<TreeEntry[] | undefined> {
    if ((await this.entryType(path)) !== 'directory') return undefined;
    const entries = await readdir(this.resolve(path), { withFileTypes: true });
    const out: TreeEntry[] = [];
    for (const entry of entries) {
      if (path === '' && entry.name === '.git') continue;
      if (entry.isSymbolicLink()) out.push({ name: entry.name, type: 'symlink' });
      else if (entry.isDirectory()) out.push({ name: entry.name, type: 'directory' });
      else if (entry.isFile()) out.push({ name: entry.name, type: 'file' });
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async readFile(path: string, maxBytes: number): Promise<Uint8Array | 'too-large' | undefined> {
    if ((await this.entryType(path)) !== 'file') return undefined;
    // O_NOFOLLOW: a file swapped for a link after the check is not followed either; O_NONBLOCK: a FIFO does not hang.
    const handle = await open(this.resolve(path), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch(() => undefined);
    if (!handle) return undefined;
    try {
      const stats = await handle.stat();
      if (!stats.isFile()) return undefined;
      if (stats.size > maxBytes) return 'too-large';
      return new Uint8Array(await handle.readFile());
    } finally {
      await handle.close();
    }
  }

  async entryType(path: string): Promise<TreeEntry['type'] | undefined> {
    if (path.split('/').some((part) => part === '..' || part === '.git')) return undefined;
    // Every directory on the way must be a real one: a linked directory leads out of the tree.
    const parts = path === '' ? [] : path.split('/');
    for (let i = 0; i <= parts.length; i++) {
      const stats = await lstat(this.resolve(parts.slice(0, i).join('/'))).catch(() => undefined);
      if (!stats) return undefined;
      if (stats.isSymbolicLink()) return i === parts.length ? 'symlink' : undefined;
      if (i < parts.length && !stats.isDirectory()) return undefined;
      if (i === parts.length) return stats.isDirectory() ? 'directory' : stats.isFile() ? 'file' : undefined;
    }
    return undefined;
  }

  private resolve(path: string): string {
    return path === '' ? this.root : join(this.root, ...path.split('/'));
  }
}
