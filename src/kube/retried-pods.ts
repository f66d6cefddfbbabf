import type { RunKey } from '../ports/run-key.js';
import type { Workflow } from '../spec/model/workflow.js';
import type { KubeClient } from './kube-client.js';
import { RETRIED_PODS_ANNOTATION } from './kube-names.js';
import { workflowRef } from './run-workflow-object.js';

/**
 * Notes on a finished run's Workflow the pods its retry is about to reset (see
 * RETRIED_PODS_ANNOTATION). Written before the retried run is saved, so the controller finds the
 * note as soon as it sees the run unfinished again; a save keeps it.
 */
export async function noteRetriedPods(client: KubeClient, key: RunKey, pods: string[]): Promise<void> {
  await client.patch<Workflow>(
    workflowRef(key),
    { metadata: { annotations: { [RETRIED_PODS_ANNOTATION]: pods.length > 0 ? JSON.stringify(pods) : null } } },
    'merge',
  );
}

/** The pods a retry reset, as noted on the Workflow; a note that is not a list of names is none. */
export function retriedPodsOf(workflow: Workflow): string[] {
  const note = workflow.metadata.annotations?.[RETRIED_PODS_ANNOTATION];
  if (note === undefined) return [];
  try {
    const pods: unknown = JSON.parse(note);
    return Array.isArray(pods) ? pods.filter((pod): pod is string => typeof pod === 'string') : [];
  } catch {
    return [];
  }
}

/** Removes the note once the pods are deleted. */
export async function clearRetriedPods(client: KubeClient, key: RunKey): Promise<void> {
  await noteRetriedPods(client, key, []);
}
