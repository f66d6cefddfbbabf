import { defaultStateDir } from '../state/state-layout.js';
import type { ClusterTarget } from './cluster-target.js';
import type { LocalTarget } from './local-target.js';

/**
 * Where the secret that signs run page links is kept: the state directory of local runs, and for
 * a cluster's runs the default state directory of this machine (SKIFF_STATE_DIR, else
 * ~/.local/state/skiff), so `skiff get --ui-url` and `skiff ui` with the same kubeconfig agree.
 */
export function runPageSecretDir(target: LocalTarget | ClusterTarget, env: NodeJS.ProcessEnv): string {
  return target.kind === 'local' ? target.layout.root : defaultStateDir(env);
}
