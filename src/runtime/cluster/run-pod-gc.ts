import type { V1Pod } from '@kubernetes/client-node';
import type { KubeClient } from '../../kube/kube-client.js';
import type { Workflow } from '../../spec/model/workflow.js';
import { DelayedPodDeletions } from './delayed-pod-deletions.js';
import { collectFinishedRun, deletePod, deletePodNow, podFinishedAt, podGCDelay } from './pod-gc.js';

export interface RunPodGCOptions {
  client: KubeClient;
  now(): number;
  /** Runs background work and reports its failure. */
  chore(work: Promise<unknown>): void;
  warn?(message: string): void;
}

/**
 * The cluster runtime's podGC: which pods Argo's strategies delete when a pod ends and when its
 * run ends, each after the workflow's `deleteDelayDuration` (kept on the pods themselves by
 * DelayedPodDeletions, so a delay outlives this process).
 *
 * @example
 *   const gc = new RunPodGC({ client, now: Date.now, chore });
 *   await gc.podEnded(pod, workflow, true);
 */
export class RunPodGC {
  private readonly deletions: DelayedPodDeletions;

  constructor(private readonly options: RunPodGCOptions) {
    this.deletions = new DelayedPodDeletions({
      client: options.client,
      deletePod: (namespace, name) => this.deletePod(namespace, name),
      now: options.now,
      chore: options.chore,
      ...(options.warn ? { warn: options.warn } : {}),
    });
  }

  /** Every pod event of the informer: a pod marked for a delayed deletion is scheduled. */
  seen(pod: V1Pod, deleted: boolean): void {
    this.deletions.seen(pod, deleted);
  }

  /** Deletes a pod now; one already gone is no error. */
  deletePod(namespace: string, name: string): Promise<void> {
    return deletePod(this.options.client, namespace, name, this.options.warn);
  }

  /** An ended pod: one still running something (sidecars, a wait that died) goes now; otherwise podGC decides. */
  async podEnded(pod: V1Pod, workflow: Workflow | undefined, succeeded: boolean): Promise<void> {
    const namespace = pod.metadata?.namespace ?? 'default';
    const name = pod.metadata?.name ?? '';
    if ((pod.status?.containerStatuses ?? []).some((c) => c.state?.running !== undefined)) return this.deletePod(namespace, name);
    if (workflow && deletePodNow(workflow, { labels: pod.metadata?.labels ?? {}, succeeded })) {
      await this.collectPod(workflow, namespace, name, podFinishedAt(pod) ?? this.options.now());
    }
  }

  /** A finished run (as the cluster has it now): the workflow strategies' pods and volumeClaimGC. */
  async runEnded(workflow: Workflow): Promise<void> {
    const namespace = workflow.metadata.namespace ?? 'default';
    try {
      const finishedAt = Date.parse(String((workflow.status as { finishedAt?: string } | undefined)?.finishedAt));
      const since = Number.isNaN(finishedAt) ? this.options.now() : finishedAt;
      await collectFinishedRun(this.options.client, workflow, (pod) => this.collectPod(workflow, namespace, pod, since));
    } catch (error) {
      this.options.warn?.(`run ${namespace}/${workflow.metadata.name}: garbage collection failed: ${(error as Error).message}`);
    }
  }

  close(): void {
    this.deletions.close();
  }

  /** Deletes a pod podGC picked, once `deleteDelayDuration` has passed since `since` (when the pod, or its run, ended). */
  private collectPod(workflow: Workflow, namespace: string, name: string, since: number): Promise<void> {
    const delay = podGCDelay(workflow);
    if (delay.error) this.options.warn?.(`run ${namespace}/${workflow.metadata.name}: ${delay.error}`);
    return delay.ms > 0 ? this.deletions.deleteAt(namespace, name, since + delay.ms) : this.deletePod(namespace, name);
  }
}
