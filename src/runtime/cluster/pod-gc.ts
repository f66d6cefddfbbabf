import type { V1Pod } from '@kubernetes/client-node';
import { parseDuration } from '../../engine/durations.js';
import type { KubeClient } from '../../kube/kube-client.js';
import { KubeNotFoundError } from '../../kube/kube-errors.js';
import { WORKFLOW_LABEL } from '../../kube/kube-names.js';
import type { KubernetesObject } from '../../spec/model/kubernetes.js';
import type { Workflow } from '../../spec/model/workflow.js';
import { deleteRunClaims } from './run-claims.js';

export type PodGCStrategy = 'OnPodCompletion' | 'OnPodSuccess' | 'OnWorkflowCompletion' | 'OnWorkflowSuccess';

interface PodGC {
  strategy?: string;
  labelSelector?: { matchLabels?: Record<string, string> };
  deleteDelayDuration?: string;
}

/**
 * Whether a pod that just ended goes now, by the run's `podGC` (Argo's rule: OnPodCompletion
 * deletes every ended pod, OnPodSuccess those that succeeded; with a `labelSelector`, only pods
 * whose labels match its `matchLabels`). No podGC keeps every pod, as Argo does. Pure.
 *
 * @example deletePodNow(workflow, { labels, succeeded: true }) // true for strategy OnPodSuccess
 */
export function deletePodNow(workflow: Workflow, pod: { labels: Record<string, string>; succeeded: boolean }): boolean {
  const gc = workflow.spec.podGC as PodGC | undefined;
  if (!selected(gc, pod.labels)) return false;
  return gc?.strategy === 'OnPodCompletion' || (gc?.strategy === 'OnPodSuccess' && pod.succeeded);
}

/**
 * Which of a finished run's pods go: with OnWorkflowCompletion (or OnWorkflowSuccess and it
 * succeeded) every pod podGC's matchLabels pick; with OnPodCompletion (OnPodSuccess) those that
 * ended (succeeded) and are still there, which each pod's own end should have removed but a
 * controller that died in between missed. Undefined: they stay.
 */
export function podsToDeleteAtEnd(workflow: Workflow, phase: string | undefined): { matchLabels: Record<string, string>; podPhases?: string[] } | undefined {
  const gc = workflow.spec.podGC as PodGC | undefined;
  const matchLabels = gc?.labelSelector?.matchLabels ?? {};
  if (gc?.strategy === 'OnWorkflowCompletion' || (gc?.strategy === 'OnWorkflowSuccess' && phase === 'Succeeded')) return { matchLabels };
  if (gc?.strategy === 'OnPodCompletion') return { matchLabels, podPhases: ['Succeeded', 'Failed'] };
  if (gc?.strategy === 'OnPodSuccess') return { matchLabels, podPhases: ['Succeeded'] };
  return undefined;
}

/**
 * Whether a finished run's volumeClaimTemplates claims go: Argo's `volumeClaimGC`, whose default
 * is OnWorkflowSuccess (a failed run keeps its claims for a person to look at).
 */
export function deleteClaimsAtEnd(workflow: Workflow, phase: string | undefined): boolean {
  const strategy = (workflow.spec.volumeClaimGC as { strategy?: string } | undefined)?.strategy || 'OnWorkflowSuccess';
  return strategy === 'OnWorkflowCompletion' || phase === 'Succeeded';
}

/**
 * How long a pod podGC picked waits before it is deleted: `podGC.deleteDelayDuration`, read as Argo
 * reads it (a Go duration such as "30s" or "1h", or a bare number of seconds). Unset or empty: no
 * wait. A value that does not parse (lint refuses it; a Workflow created with kubectl may still have
 * one) gives an `error` to warn about, and no wait, as Argo falls back to its default then. Pure.
 *
 * @example podGCDelay(workflow) // { ms: 30000 } for deleteDelayDuration "30s"
 */
export function podGCDelay(workflow: Workflow): { ms: number; error?: string } {
  const value = (workflow.spec.podGC as PodGC | undefined)?.deleteDelayDuration;
  if (value === undefined || value === '') return { ms: 0 };
  const ms = parseDuration(value);
  if (ms === undefined || ms < 0)
    return { ms: 0, error: `podGC.deleteDelayDuration "${String(value)}" is not a duration such as "30s"; pods are deleted without delay` };
  return { ms };
}

/**
 * When a pod ended, from its status: the last container's finish, else the last change of its
 * conditions. The delay of podGC counts from here, so a controller that reads the pod later (after
 * a restart) waits no longer than the one that saw it end. Undefined: the status does not say.
 */
export function podFinishedAt(pod: V1Pod): number | undefined {
  const status = pod.status ?? {};
  const times = [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])].map((c) => c.state?.terminated?.finishedAt);
  const finished = latest(times);
  return finished ?? latest((status.conditions ?? []).map((c) => c.lastTransitionTime));
}

function latest(times: Array<Date | string | undefined>): number | undefined {
  let found: number | undefined;
  for (const time of times) {
    const ms = time === undefined ? Number.NaN : new Date(time).getTime();
    if (Number.isFinite(ms) && (found === undefined || ms > found)) found = ms;
  }
  return found;
}

function selected(gc: PodGC | undefined, labels: Record<string, string>): boolean {
  return Object.entries(gc?.labelSelector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
}

/**
 * A finished run's garbage, by its podGC and volumeClaimGC and its phase (from the Workflow as the
 * cluster has it now): its pods (those podGC's matchLabels select) and its claims.
 */
export async function collectFinishedRun(client: KubeClient, workflow: Workflow, deletePod: (name: string) => Promise<void>): Promise<void> {
  const phase = (workflow.status as { phase?: string } | undefined)?.phase;
  const pods = podsToDeleteAtEnd(workflow, phase);
  if (pods) {
    const selector = [`${WORKFLOW_LABEL}=${workflow.metadata.name}`, ...Object.entries(pods.matchLabels).map(([k, v]) => `${k}=${v}`)].join(',');
    const { items } = await client.list<KubernetesObject & { status?: { phase?: string } }>('v1', 'Pod', workflow.metadata.namespace ?? 'default', {
      labelSelector: selector,
    });
    for (const pod of items) if (!pods.podPhases || pods.podPhases.includes(pod.status?.phase ?? '')) await deletePod(pod.metadata.name ?? '');
  }
  if (deleteClaimsAtEnd(workflow, phase)) await deleteRunClaims(client, workflow);
}

/** Deletes a pod; one already gone is no error, another failure is only warned about (the pod's node has ended). */
export async function deletePod(client: KubeClient, namespace: string, name: string, warn?: (message: string) => void): Promise<void> {
  try {
    await client.delete({ apiVersion: 'v1', kind: 'Pod', namespace, name });
  } catch (error) {
    if (!(error instanceof KubeNotFoundError)) warn?.(`cannot delete pod ${namespace}/${name}: ${(error as Error).message}`);
  }
}

/**
 * Deletes a pod and waits (at most two minutes, or until `closed`) until the API server no longer
 * has it: a pod asked for again under the same name (a retried step) must be a new one.
 */
export async function deletePodAndWait(
  client: KubeClient,
  namespace: string,
  name: string,
  warn: ((message: string) => void) | undefined,
  closed: () => boolean,
): Promise<void> {
  await deletePod(client, namespace, name, warn);
  const deadline = Date.now() + 120_000;
  while (!closed() && Date.now() < deadline) {
    try {
      await client.get({ apiVersion: 'v1', kind: 'Pod', namespace, name });
    } catch (error) {
      if (error instanceof KubeNotFoundError) return;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
