import { type ClusterTarget, openClusterTarget } from './cluster-target.js';
import type { CliIO } from './cli-io.js';
import { type LocalTarget, openLocalTarget } from './local-target.js';

/**
 * The runs a command works with: a cluster's when `--kubeconfig` or `--context` names one, else the
 * state directory's. Local stays the default even when `$KUBECONFIG` is set: a person who has a
 * kubeconfig for other work should not send runs to a cluster without saying so (`skiff plan` and
 * `skiff sync` choose the same way).
 */
export function openRunTarget(
  io: CliIO,
  values: { kubeconfig?: string | undefined; context?: string | undefined; 'state-dir'?: string | undefined; namespace?: string | undefined },
): LocalTarget | ClusterTarget {
  if (values.kubeconfig !== undefined || values.context !== undefined) {
    if (values['state-dir'] !== undefined) throw new Error('--state-dir is for runs on this machine; it cannot go with --kubeconfig or --context');
    return openClusterTarget(io, values);
  }
  return openLocalTarget(io, { stateDir: values['state-dir'], ...(values.namespace !== undefined ? { namespace: values.namespace } : {}) });
}
