import type { ConfigMapSource, SecretSource } from '../artifacts/index.js';
import type { WorkflowStatus } from '../engine/workflow-status.js';
import { type RunGarbagePass, runGarbagePass } from '../runs/run-artifact-gc.js';
import type { Workflow } from '../spec/model/workflow.js';
import { kubeArtifactDriver } from './kube-artifact-access.js';
import { kubeRunRepository } from './kube-run-repository.js';

/**
 * A cluster run's artifact GC (runGarbagePass), made from the controller with the credentials
 * of the run's namespace (its Secrets) in the repository the run recorded, else the one the
 * namespace's ConfigMaps name. `deleting`: the Workflow is being deleted (OnWorkflowDeletion).
 *
 * @example
 *   const pass = await collectKubeRunGarbage(new KubeClusterObjects(client), { workflow, status }, true);
 */
export async function collectKubeRunGarbage(
  objects: ConfigMapSource & SecretSource,
  run: { workflow: Workflow; status: WorkflowStatus },
  deleting: boolean,
): Promise<RunGarbagePass> {
  const driver = kubeArtifactDriver(objects, run.workflow.metadata.namespace ?? 'default');
  try {
    return await runGarbagePass(run.workflow, run.status, { deleting, driver, repository: () => kubeRunRepository(objects, run) });
  } finally {
    driver.close();
  }
}
