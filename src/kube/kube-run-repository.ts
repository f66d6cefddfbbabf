import type { ConfigMapSource, Repository } from '../artifacts/index.js';
import type { StoredRun } from '../ports/run-store.js';
import { RunRepositories } from '../runs/run-repositories.js';

/**
 * The artifact repository a run on a cluster saved to: the one its status recorded, else the one
 * Argo's rule resolves again from the cluster (the workflow's ref, the namespace's
 * `artifact-repositories` ConfigMap). Undefined when neither names one. A cluster has no local
 * default: its pods' directories are on other machines.
 */
export async function kubeRunRepository(configMaps: ConfigMapSource, run: Pick<StoredRun, 'workflow' | 'status'>): Promise<Repository | undefined> {
  const recorded = run.status.artifactRepositoryRef?.artifactRepository as Repository | undefined;
  if (recorded) return recorded;
  return new RunRepositories({ configMaps }).repository(run.workflow).then(
    (r) => r.repository,
    () => undefined,
  );
}
