import type { RunChanges } from '../ports/run-launcher.js';
import { type RunKey, runKeyOf } from '../ports/run-key.js';
import { ARGO_API_VERSION, type Workflow } from '../spec/model/workflow.js';
import type { KubeClient } from './kube-client.js';
import { CONTROLLER_INSTANCE_ID_LABEL, SKIFF_INSTANCE_ID } from './kube-names.js';
import { WatchObjects } from './watch-objects.js';

export interface WorkflowChangesOptions {
  /** The namespaces watched, one watch each; every namespace (one watch) when undefined. */
  namespaces?: readonly string[] | undefined;
  /** Only the Workflows of this instance id; default `skiff`. */
  instanceId?: string;
  onError?: (error: Error) => void;
}

/**
 * One watch of a cluster's Workflows (of Skiff's instance id) shared by every follower of a run:
 * each follower gets a RunChanges feed of its run, told when the Workflow changes. The watch
 * starts with the first feed and relists after an outage (WatchObjects), so no change is missed
 * for long; followers still bound how often they act on changes.
 */
export class WorkflowChanges {
  private watches: WatchObjects<Workflow>[] | undefined;
  private readonly feeds = new Map<RunKey, Set<Feed>>();

  constructor(
    private readonly client: KubeClient,
    private readonly options: WorkflowChangesOptions = {},
  ) {}

  feed(key: RunKey): RunChanges {
    this.watches ??= (this.options.namespaces ?? [undefined]).map((namespace) => this.startWatch(namespace));
    const feed = new Feed(() => {
      const set = this.feeds.get(key);
      set?.delete(feed);
      if (set?.size === 0) this.feeds.delete(key);
    });
    const set = this.feeds.get(key) ?? new Set();
    set.add(feed);
    this.feeds.set(key, set);
    return feed;
  }

  close(): void {
    for (const watch of this.watches ?? []) watch.close();
    this.watches = undefined;
    for (const set of this.feeds.values()) for (const feed of set) feed.close();
  }

  private startWatch(namespace: string | undefined): WatchObjects<Workflow> {
    const watch = new WatchObjects<Workflow>(this.client, {
      apiVersion: ARGO_API_VERSION,
      kind: 'Workflow',
      namespace,
      labelSelector: `${CONTROLLER_INSTANCE_ID_LABEL}=${this.options.instanceId ?? SKIFF_INSTANCE_ID}`,
      onEvent: ({ object }) => {
        for (const feed of this.feeds.get(runKeyOf(object)) ?? []) feed.changed();
      },
      ...(this.options.onError ? { onError: this.options.onError } : {}),
    });
    void watch.start();
    return watch;
  }
}

class Feed implements RunChanges {
  private dirty = false;
  private closed = false;
  private wake: (() => void) | undefined;

  constructor(private readonly onClose: () => void) {}

  changed(): void {
    this.dirty = true;
    this.wake?.();
  }

  next(timeoutMs: number): Promise<void> {
    if (this.dirty || this.closed) {
      this.dirty = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      const self = this;
      function done(): void {
        clearTimeout(timer);
        self.wake = undefined;
        self.dirty = false;
        resolve();
      }
      this.wake = done;
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.wake?.();
    this.onClose();
  }
}
