import type { V1Pod } from '@kubernetes/client-node';
import { KubeForbiddenError } from '../../kube/kube-errors.js';

/**
 * Why the API server would not create a step's pod, in words that say what to fix. The commonest
 * case gets its own sentence: the ServiceAccount admission plugin (on in every real cluster)
 * refuses a pod whose `serviceAccountName` names no ServiceAccount, and its words ("error looking
 * up service account") do not say that the workflow or template chose the name. Pure.
 *
 * @example podCreateRefusal(pod, new KubeForbiddenError('... serviceaccount "ci" not found'))
 *   // 'cannot create pod p: serviceAccountName "ci" names no ServiceAccount in namespace "build"; create it ...'
 */
export function podCreateRefusal(pod: V1Pod, error: Error): string {
  const name = pod.metadata?.name ?? '';
  const account = pod.spec?.serviceAccountName;
  const namespace = pod.metadata?.namespace ?? 'default';
  if (error instanceof KubeForbiddenError && account && /serviceaccount "[^"]*" not found/i.test(error.message)) {
    return (
      `cannot create pod ${name}: serviceAccountName "${account}" names no ServiceAccount in namespace "${namespace}"; ` +
      `create it (kubectl create serviceaccount ${account} -n ${namespace}) or name an existing one (${error.message})`
    );
  }
  return `cannot create pod ${name}: ${error.message}`;
}
