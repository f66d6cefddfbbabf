import { LocalRepositoryRoots, localRepositoryRootsFromEnv } from '../runtime/local/index.js';
import type { LocalTarget } from './local-target.js';

/**
 * What Skiff's own process may touch of `local` artifact repositories when a command reads or
 * deletes artifacts (`skiff delete`, `skiff cp`): a root is data (a status, a ConfigMap), so only
 * roots in the state directory's artifacts or SKIFF_LOCAL_REPOSITORY_ROOTS are used.
 */
export function localRootConfinement(target: LocalTarget, env: NodeJS.ProcessEnv): (root: string) => Promise<string> {
  const roots = new LocalRepositoryRoots([target.layout.artifacts, ...localRepositoryRootsFromEnv(env.SKIFF_LOCAL_REPOSITORY_ROOTS)]);
  return (root) => roots.confine(root);
}
