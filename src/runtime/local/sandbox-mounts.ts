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

/** The host's top-level directories a step sees (read-only): programs and libraries, nothing else. */
export const HOST_SYSTEM_DIRS = ['usr'];

/**
 * The host's /etc entries a step sees (read-only), where they exist: what the dynamic loader,
 * name resolution, TLS, time zones and Debian's alternatives need. Not the rest of /etc: no
 * shadow, no machine credentials or service configuration.
 */
export const HOST_ETC_ENTRIES = [
  'alternatives',
  'ca-certificates',
  'ca-certificates.conf',
  'debian_version',
  'gai.conf',
  'host.conf',
  'ld.so.cache',
  'ld.so.conf',
  'ld.so.conf.d',
  'localtime',
  'mime.types',
  'nsswitch.conf',
  'os-release',
  'protocols',
  'resolv.conf',
  'services',
  'ssl',
  'timezone',
];

/** What of the host the root filesystem is made of. */
export interface RootSource {
  /** Top-level host directories bound read-only, with the top-level symlinks into them (/bin -> usr/bin). */
  systemDirs: string[];
  /** Host /etc entries bound read-only into an otherwise empty /etc. */
  etcEntries: string[];
  /** Files written for the sandbox (passwd, group, hosts), by name in /etc: host path. */
  etcFiles: Record<string, string>;
}

/**
 * Plans the bubblewrap arguments for a root filesystem made of the host's system directories
 * (read-only), a small /etc and the given mounts, on an otherwise empty tmpfs root.
 *
 * A mount target inside a read-only host directory (a ConfigMap at /usr/share/config, say) cannot
 * be created there, so that directory is "shadowed": replaced by a tmpfs holding read-only binds
 * of each of its host entries, and the walk continues down the target's path. Only directories on
 * a target's path are shadowed; everything else is one bind.
 *
 * @example planRootMounts(tree, [{ hostPath: '/state/out', containerPath: '/mnt/out' }], { systemDirs: ['usr'], etcEntries: ['hosts'], etcFiles: {} })
 *   // → ['--symlink', 'usr/bin', '/bin', '--ro-bind', '/usr', '/usr', '--dir', '/etc', '--ro-bind', '/etc/hosts', '/etc/hosts', '--bind', '/state/out', '/mnt/out']
 */
export function planRootMounts(tree: HostTree, mounts: SandboxMount[], root: RootSource): string[] {
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
  const rootEntries = new Set(root.systemDirs);
  replicate(
    '/',
    (name) => rootEntries.has(name) || (tree.list('/') ?? []).some((e) => e.name === name && e.kind === 'symlink' && isSystemLink(e.target, root.systemDirs)),
  );

  // /etc: the allowed host entries and the files written for the sandbox.
  args.push('--dir', '/etc');
  const etcFiles = Object.keys(root.etcFiles);
  replicate('/etc', (name) => root.etcEntries.includes(name) && !etcFiles.includes(name));
  for (const name of etcFiles.sort()) {
    if (!targets.includes(`/etc/${name}`)) args.push('--ro-bind', root.etcFiles[name]!, `/etc/${name}`);
  }

  // Mounts, parents first, so that a mount inside another mount lands on top of it. The
  // directories leading to a mount are made first, open to the step as the image's own would be
  // to its root (an input artifact at /work/in.txt, an output written to /work/out.txt):
  // bubblewrap would make them for root only (0700), and the step does not run as root.
  const ordered = mounts.map((m) => ({ ...m, containerPath: cleanPath(m.containerPath) })).sort((a, b) => depth(a.containerPath) - depth(b.containerPath));
  const made = new Set(args.filter((arg, i) => arg.startsWith('/') && !(args[i + 1] ?? '').startsWith('/')));
  const inside = (path: string, dirs: Iterable<string>): boolean => [...dirs].some((d) => path === d || path.startsWith(`${d}/`));
  for (const mount of ordered) {
    const parents: string[] = [];
    for (let dir = posix.dirname(mount.containerPath); dir !== '/'; dir = posix.dirname(dir)) parents.unshift(dir);
    for (const dir of parents) {
      if (made.has(dir) || inside(dir, targets)) continue;
      made.add(dir);
      args.push('--perms', '0777', '--dir', dir);
    }
  }
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
