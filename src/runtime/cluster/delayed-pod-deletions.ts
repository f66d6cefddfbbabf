import type { V1Pod } from '@kubernetes/client-node';
import type { KubeClient } from '../../kube/kube-client.js';
import { KubeNotFoundError } from '../../kube/kube-errors.js';
import { DELETE_AFTER_ANNOTATION } from '../../kube/kube-names.js';

/** The longest wait one timer may have (Node's timers overflow past 2^31-1 ms); a longer one is set again. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface DelayedPodDeletionsOptions {
  client: KubeClient;
  /** Deletes a pod now (one already gone is no error). */
  deletePod(namespace: string, name: string): Promise<void>;
  now(): number;
  /** Runs background work and reports its failure. */
  chore(work: Promise<unknown>): void;
  warn?(message: string): void;
}

/**
 * Pod deletions that podGC's `deleteDelayDuration` holds back. The time a pod goes is written on
 * the pod itself (DELETE_AFTER_ANNOTATION) before the wait starts, and every pod the informer shows
 * with that mark is deleted when its time comes: a controller that dies while a delay is pending
 * leaves the mark in the cluster, and the one that starts next deletes the pod (at once, when the
 * time has passed meanwhile). Timers are only this process's copy of the marks.
 *
 * @example
 *   const deletions = new DelayedPodDeletions({ client, deletePod, now: Date.now, chore });
 *   await deletions.deleteAt('ci', 'hello-x7k2p-1234', Date.now() + 30_000);
 *   deletions.seen(pod, false); // from the pod informer: schedules a marked pod
 */
export class DelayedPodDeletions {
  private readonly timers = new Map<string, { due: number; timer: NodeJS.Timeout }>();
  private closed = false;

  constructor(private readonly options: DelayedPodDeletionsOptions) {}

  /** Deletes the pod at `due` (ms since the epoch): now if that has passed, else marks it and waits. */
  async deleteAt(namespace: string, name: string, due: number): Promise<void> {
    if (due <= this.options.now()) return this.options.deletePod(namespace, name);
    try {
      await this.options.client.patch(
        { apiVersion: 'v1', kind: 'Pod', namespace, name },
        { metadata: { annotations: { [DELETE_AFTER_ANNOTATION]: new Date(due).toISOString() } } },
        'merge',
      );
    } catch (error) {
      if (error instanceof KubeNotFoundError) return;
      // Unmarked, the deletion lives only as long as this process: still better than none.
      this.options.warn?.(`cannot mark pod ${namespace}/${name} for deletion: ${(error as Error).message}`);
    }
    this.schedule(namespace, name, due);
  }

  /** A pod as the informer shows it: one marked for deletion is deleted when its time comes; a deleted one needs no timer. */
  seen(pod: V1Pod, deleted: boolean): void {
    const namespace = pod.metadata?.namespace ?? 'default';
    const name = pod.metadata?.name ?? '';
    if (deleted) return this.cancel(`${namespace}/${name}`);
    const mark = pod.metadata?.annotations?.[DELETE_AFTER_ANNOTATION];
    if (mark === undefined) return;
    const due = Date.parse(mark);
    if (Number.isNaN(due)) {
      this.options.warn?.(`pod ${namespace}/${name}: ${DELETE_AFTER_ANNOTATION} "${mark}" is not a time; the pod is kept`);
      return;
    }
    this.schedule(namespace, name, due);
  }

  /** Stops every timer; the marks stay on the pods for the next controller. */
  close(): void {
    this.closed = true;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private schedule(namespace: string, name: string, due: number): void {
    const key = `${namespace}/${name}`;
    if (this.closed || this.timers.get(key)?.due === due) return;
    this.cancel(key);
    const wait = Math.min(Math.max(0, due - this.options.now()), MAX_TIMER_MS);
    const timer = setTimeout(() => {
      if (this.timers.get(key)?.timer !== timer) return;
      this.timers.delete(key);
      if (due > this.options.now()) return this.schedule(namespace, name, due);
      this.options.chore(this.options.deletePod(namespace, name));
    }, wait);
    this.timers.set(key, { due, timer });
  }

  private cancel(key: string): void {
    const pending = this.timers.get(key);
    if (pending) clearTimeout(pending.timer);
    this.timers.delete(key);
  }
}
