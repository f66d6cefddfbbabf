import { kubeStoredObjects } from '../kube/kube-stored-objects.js';
import type { StoredObjects } from '../ports/stored-objects.js';
import { localStoredObjects } from '../state/local-stored-objects.js';
import type { CliIO } from './cli-io.js';
import { openRunTarget } from './open-run-target.js';

/**
 * The WorkflowTemplates and CronWorkflows `skiff template` and `skiff cron` work with: a
 * cluster's with `--kubeconfig` or `--context`, else the state directory's, chosen as the run
 * commands choose (see openRunTarget).
 */
export function openStoredObjects(
  io: CliIO,
  values: { kubeconfig?: string | undefined; context?: string | undefined; 'state-dir'?: string | undefined; namespace?: string | undefined },
): StoredObjects {
  const target = openRunTarget(io, values);
  return target.kind === 'local' ? localStoredObjects(target.objects) : kubeStoredObjects(target.client, target.namespace);
}
