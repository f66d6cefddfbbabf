import type { KubeClient } from '../../kube/kube-client.js';
import { KubeAlreadyExistsError, KubeNotFoundError } from '../../kube/kube-errors.js';
import { WORKFLOW_LABEL } from '../../kube/kube-names.js';
import type { KubernetesObject } from '../../spec/model/kubernetes.js';
import type { Workflow } from '../../spec/model/workflow.js';
import { claimName } from '../pod-spec/build-pod-spec.js';

/**
 * The PersistentVolumeClaims of a run's `volumeClaimTemplates`, as Argo makes them: one per
 * template, named `<run>-<claim>`, labelled with the run and owned by its Workflow (so deleting
 * the run deletes them), created before the run's first pod. Creating one that exists is fine:
 * a controller that restarted makes them again.
 */
export async function ensureRunClaims(client: KubeClient, workflow: Workflow): Promise<void> {
  const namespace = workflow.metadata.namespace ?? 'default';
  const run = workflow.metadata.name ?? '';
  for (const template of workflow.spec.volumeClaimTemplates ?? []) {
    const name = claimName(run, template.metadata.name ?? '');
    const claim: KubernetesObject = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        ...template.metadata,
        name,
        namespace,
        labels: { ...template.metadata.labels, [WORKFLOW_LABEL]: run },
        ...(workflow.metadata.uid
          ? {
              ownerReferences: [
                { apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', name: run, uid: workflow.metadata.uid, controller: true, blockOwnerDeletion: true },
              ],
            }
          : {}),
      },
      spec: (template as { spec?: unknown }).spec,
    } as KubernetesObject;
    try {
      await client.create(claim);
    } catch (error) {
      if (!(error instanceof KubeAlreadyExistsError))
        throw new Error(`cannot create the volume claim ${name} of volumeClaimTemplate "${template.metadata.name}": ${(error as Error).message}`);
    }
  }
}

/** Deletes a run's volumeClaimTemplates claims (volumeClaimGC); one already gone is fine. */
export async function deleteRunClaims(client: KubeClient, workflow: Workflow): Promise<void> {
  const namespace = workflow.metadata.namespace ?? 'default';
  for (const template of workflow.spec.volumeClaimTemplates ?? []) {
    const name = claimName(workflow.metadata.name ?? '', template.metadata.name ?? '');
    await client.delete({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace, name }).catch((error: unknown) => {
      if (!(error instanceof KubeNotFoundError)) throw error;
    });
  }
}
