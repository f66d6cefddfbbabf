import { createArtifactDriver } from '../artifacts/index.js';
import type { ArtifactAccess } from '../ports/run-page-source.js';
import type { StoredRun } from '../ports/run-store.js';
import { localRootConfinement } from './local-root-confinement.js';
import type { LocalTarget } from './local-target.js';
import { runRepository } from './run-repository.js';

/**
 * How a local run's artifacts are read (the run page, `skiff cp`): through the repository the run
 * saved them to, with the state directory's Secrets as credentials, and local-directory
 * repositories only where local repositories may be (see localRootConfinement). The counterpart
 * of kubeArtifactAccess for a cluster's runs.
 */
export async function localArtifactAccess(target: LocalTarget, run: StoredRun, env: NodeJS.ProcessEnv): Promise<ArtifactAccess> {
  const driver = createArtifactDriver({
    secrets: target.objects,
    namespace: run.workflow.metadata.namespace ?? 'default',
    localRoot: localRootConfinement(target, env),
  });
  return { driver, repository: await runRepository(target, run), close: () => driver.close() };
}
