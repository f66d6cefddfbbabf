import { dirname, join } from 'node:path';
import { realpathSync } from 'node:fs';
import type { V1Pod } from '@kubernetes/client-node';
import { SHIMS_PATH } from './host-shims.js';
import { CONTAINER_PATH } from './sandbox.js';
import { HOST_SYSTEM_DIRS } from './sandbox-mounts.js';

export interface LocalizeOptions {
  /** This project's directory (holding bin/skiff.js, dist/, node_modules/), mounted read-only. */
  projectDir: string;
  /** The Node.js binary that runs the executor. */
  nodePath: string;
  executorImage: string;
  /** Local artifact repository directories the executor reads and writes, mounted read-write. */
  repositoryDirs?: string[];
  /** Aliases for commands the host lacks (see host-shims.ts), added at the end of main's PATH. */
  shimsDir?: string;
}

/**
 * The host directories a container must see to run Skiff's own code with this Node.js: the
 * project, and Node.js's prefix when it lives outside the system directories every sandbox sees.
 */
export function skiffHostDirs(projectDir: string, nodePath: string): Array<{ name: string; path: string }> {
  const dirs = [{ name: 'skiff-project', path: projectDir }];
  // A project whose node_modules is a link elsewhere (a git worktree sharing one install) needs
  // that directory too, or the executor finds none of its packages.
  const modules = realModulesDir(projectDir);
  if (modules !== undefined && !modules.startsWith(`${projectDir}/`)) dirs.push({ name: 'skiff-modules', path: modules });
  const nodePrefix = dirname(dirname(nodePath));
  if (!HOST_SYSTEM_DIRS.some((dir) => nodePrefix === `/${dir}` || nodePrefix.startsWith(`/${dir}/`))) dirs.push({ name: 'skiff-node', path: nodePrefix });
  return dirs;
}

function realModulesDir(projectDir: string): string | undefined {
  try {
    return realpathSync(join(projectDir, 'node_modules'));
  } catch {
    return undefined;
  }
}

/**
 * Makes a pod spec runnable on this machine: the executor image is not pulled, so its containers'
 * `skiff` command becomes this Node.js running this project's `bin/skiff.js`, with the project
 * (and Node.js, when it lives outside the system directories every sandbox sees) mounted
 * read-only at the same paths, and local artifact repositories (directories on this machine, where
 * a cluster would have S3) read-write at theirs. Everything else of the spec is left exactly as built.
 */
export function localizePod(pod: V1Pod, options: LocalizeOptions): V1Pod {
  const spec = { ...pod.spec!, containers: pod.spec!.containers.map((c) => ({ ...c })) };
  const hostDirs = skiffHostDirs(options.projectDir, options.nodePath);
  const repositories = [...new Set(options.repositoryDirs ?? [])].map((path, i) => ({ name: `skiff-repository-${i}`, path }));
  const localize = (containers: V1Pod['spec'] extends infer S ? (NonNullable<S> extends { containers: infer C } ? C : never) : never) =>
    containers.map((c) => {
      if (c.image !== options.executorImage || c.command?.[0] !== 'skiff') return c;
      return {
        ...c,
        command: [options.nodePath, join(options.projectDir, 'bin', 'skiff.js'), ...c.command.slice(1)],
        volumeMounts: [
          ...(c.volumeMounts ?? []),
          ...hostDirs.map((d) => ({ name: d.name, mountPath: d.path, readOnly: true })),
          ...repositories.map((d) => ({ name: d.name, mountPath: d.path })),
        ],
      };
    });
  // The user's containers: main, or every container of a containerSet.
  const users = spec.containers.filter((c) => c.image !== options.executorImage && !(c.env ?? []).some((e) => e.name === 'PATH'));
  if (users.length > 0 && options.shimsDir) {
    for (const user of users) {
      user.env = [...(user.env ?? []), { name: 'PATH', value: `${CONTAINER_PATH}:${SHIMS_PATH}` }];
      user.volumeMounts = [...(user.volumeMounts ?? []), { name: 'skiff-shims', mountPath: SHIMS_PATH, readOnly: true }];
    }
    spec.volumes = [...(spec.volumes ?? []), { name: 'skiff-shims', hostPath: { path: options.shimsDir } }];
  }
  const uses = [...(spec.initContainers ?? []), ...spec.containers].some((c) => c.image === options.executorImage);
  return {
    ...pod,
    spec: {
      ...spec,
      initContainers: localize(spec.initContainers ?? []),
      containers: localize(spec.containers),
      volumes: [...(spec.volumes ?? []), ...(uses ? [...hostDirs, ...repositories].map((d) => ({ name: d.name, hostPath: { path: d.path } })) : [])],
    },
  };
}
