import { type ArtifactDriver, type ConfigMapSource, createArtifactDriver, type SecretSource } from '../artifacts/index.js';
import type { ArtifactAccess } from '../ports/run-page-source.js';
import type { StoredRun } from '../ports/run-store.js';
import { kubeRunRepository } from './kube-run-repository.js';

/**
 * How a cluster run's artifacts are read from outside the cluster's pods (the run page, `skiff
 * logs`): through the repository the run recorded in its status, else the one Argo's rule finds
 * from the namespace's ConfigMap, with the cluster's Secrets as credentials. A local-directory
 * repository is refused: the pods that wrote it are elsewhere, and a path from a status is data,
 * never opened.
 */
export async function kubeArtifactAccess(run: StoredRun, objects: ConfigMapSource & SecretSource): Promise<ArtifactAccess> {
  const namespace = run.workflow.metadata.namespace ?? 'default';
  const repository = await kubeRunRepository(objects, run);
  const driver = kubeArtifactDriver(objects, namespace);
  return { driver, repository, close: () => driver.close() };
}

/**
 * A driver for a cluster run's artifacts, with the Secrets of its namespace as credentials; a
 * local-directory repository is refused (its files are on the machines of the pods that wrote them).
 */
export function kubeArtifactDriver(secrets: SecretSource, namespace: string): ArtifactDriver {
  return createArtifactDriver({
    secrets,
    namespace,
    localRoot: async () => {
      throw new Error('a local directory repository is not readable for a run on a cluster');
    },
  });
}
