import { posix } from 'node:path';

/** A host path made visible inside the sandbox. */
export interface SandboxMount {
  hostPath: string;
  containerPath: string;
  readOnly?: boolean;
}

/** What the planner needs to know of the host's filesystem; a fake in tests. */
export interface HostTree {
  /** Entries of a host directory, or undefined when it is not a directory. */
  list(dir: string): Array<{ name: string; kind: 'dir' | 'file' | 'symlink' | 'other'; target?: string }> | undefined;
}

/**
 * The host's top-level directories a step may use: programs, libraries and configuration. Home
 * directories, the host's /tmp and work trees are left out, so a step sees only what it mounts.
 */
export const HOST_SYSTEM_DIRS = ['usr', 'etc', 'opt', 'var', 'run', 'sys'];

/**
 * Plans the bubblewrap arguments for a root filesystem that is the host's system directories,
 * read-only, plus the given mounts, on an otherwise empty tmpfs root.
 *
 * A mount target inside a read-only host directory (a ConfigMap at /etc/config, say) cannot be
 * created there, so that directory is "shadowed": replaced by a tmpfs holding read-only binds of
 * each of its host entries, and the walk continues down the target's path. Only directories on a
 * target's path are shadowed; everything else is one bind.
 *
 * @example planRootMounts(tree, [{ hostPath: '/state/out', containerPath: '/mnt/out' }])
 *   // → ['--ro-bind', '/usr', '/usr', ..., '--dir', '/mnt', '--bind', '/state/out', '/mnt/out']
 */
export function planRootMounts(tree: HostTree, mounts: SandboxMount[], systemDirs: string[] = HOST_SYSTEM_DIRS): string[] {
  const args: string[] = [];
  const targets = mounts.map((m) => cleanPath(m.containerPath));
  const onTargetPath = (dir: string): boolean => targets.some((t) => t !== dir && t.startsWith(dir === '/' ? '/' : `${dir}/`));

  // Replicates host directory `dir` (already a tmpfs in the sandbox) entry by entry.
  const replicate = (dir: string, only?: (name: string) => boolean): void => {
    for (const entry of tree.list(dir) ?? []) {
      if (only && !only(entry.name)) continue;
      const path = posix.join(dir, entry.name);
      if (targets.includes(path)) continue; // the mount itself takes this place
      if (entry.kind === 'symlink' && entry.target !== undefined) {
        args.push('--symlink', entry.target, path);
      } else if (entry.kind === 'dir' && onTargetPath(path)) {
        args.push('--tmpfs', path);
        replicate(path);
      } else if (entry.kind === 'dir' || entry.kind === 'file') {
        args.push('--ro-bind', path, path);
      }
    }
  };

  // The root: system directories, and symlinks such as /bin -> usr/bin.
  const rootEntries = new Set(systemDirs);
  replicate('/', (name) => rootEntries.has(name) || (tree.list('/') ?? []).some((e) => e.name === name && e.kind === 'symlink' && isSystemLink(e.target, systemDirs)));

  // Mounts, parents first, so that a mount inside another mount lands on top of it.
  const ordered = mounts.map((m) => ({ ...m, containerPath: cleanPath(m.containerPath) })).sort((a, b) => depth(a.containerPath) - depth(b.containerPath));
  for (const mount of ordered) {
    args.push(mount.readOnly ? '--ro-bind' : '--bind', mount.hostPath, mount.containerPath);
  }
  return args;
}

function isSystemLink(target: string | undefined, systemDirs: string[]): boolean {
  return target !== undefined && systemDirs.some((dir) => target === dir || target.startsWith(`${dir}/`) || target.startsWith(`/${dir}/`));
}

/** `/a/b/` and `/a//b` are `/a/b`. */
export function cleanPath(path: string): string {
  return posix.normalize(path).replace(/(.)\/+$/, '$1');
}

function depth(path: string): number {
  return path.split('/').length;
}
