import type { KubernetesObject } from '../spec/model/kubernetes.js';
import type { KubeClient, WatchEvent, WatchHandle } from './kube-client.js';
import { type KubeError, KubeGoneError, toKubeError } from './kube-errors.js';

export type ObjectEventType = 'added' | 'modified' | 'deleted';

export interface ObjectEvent<T> {
  type: ObjectEventType;
  object: T;
}

export interface WatchObjectsOptions<T> {
  apiVersion: string;
  kind: string;
  /** One namespace, or every namespace when undefined (and always for cluster-scoped kinds). */
  namespace?: string | undefined;
  labelSelector?: string;
  fieldSelector?: string;
  /** Every change, in order: what the first list found as `added`, then what watches and relists saw. */
  onEvent: (event: ObjectEvent<T>) => void;
  /** A failure that the watcher is recovering from (it lists again after a pause); for logs and metrics. */
  onError?: (error: KubeError) => void;
  /** The server ends each watch after about this long, and the watcher watches again; default 300 s. */
  watchTimeoutSeconds?: number;
  /** Pause after a failure: doubles from `initialMs` to at most `maxMs`; defaults 500 ms and 30 s. */
  backoff?: { initialMs: number; maxMs: number };
  /** Waits between retries; tests pass a fake. */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * A self-restarting list+watch of one kind (client-go's reflector and store, in small): it lists,
 * watches from the list's resourceVersion, and keeps a copy of every object. When the watch ends
 * normally it watches again from the last version seen; when the version is too old (410 Gone) or
 * anything fails, it lists again and reports the difference from its copy as events, so a consumer
 * misses no deletion however long the outage. It never stops on its own; only `close()` ends it.
 *
 * @example
 *   const runs = new WatchObjects<Workflow>(kube, { apiVersion: ARGO_API_VERSION, kind: 'Workflow', namespace: 'ci', onEvent: (e) => queue.push(e) });
 *   await runs.start(); // resolves once the first list has been reported
 *   runs.close();
 */
export class WatchObjects<T extends KubernetesObject> {
  private readonly known = new Map<string, T>();
  private resourceVersion = '';
  private watch: WatchHandle | undefined;
  private closed = false;
  private failures = 0;
  private started: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly client: KubeClient,
    private readonly options: WatchObjectsOptions<T>,
  ) {}

  /** Starts listing and watching; resolves once the first list has been reported (or on close). */
  start(): Promise<void> {
    this.started ??= new Promise<void>((synced) => {
      void this.run(synced);
    });
    return this.started;
  }

  /** The objects as last seen, keyed `namespace/name` (`name` for cluster-scoped ones). */
  snapshot(): ReadonlyMap<string, T> {
    return new Map(this.known);
  }

  /** One object as last seen, by `namespace/name` (`name` for cluster-scoped ones). */
  get(key: string): T | undefined {
    return this.known.get(key);
  }

  close(): void {
    this.closed = true;
    this.watch?.close();
    this.watch = undefined;
    this.wake?.();
  }

  // One loop owns the list-then-watch cycle, so two relists never race each other.
  private async run(synced: () => void): Promise<void> {
    while (!this.closed) {
      try {
        await this.relist();
        if (this.closed) break;
        synced();
        // Watch until a watch fails; a normal end (the server's timeout) watches again from the last
        // version, and shows the server well again, so the pause after the next failure starts short.
        let ended: KubeError | undefined;
        for (;;) {
          ended = await this.watchOnce();
          if (this.closed || ended !== undefined) break;
          this.failures = 0;
        }
        if (this.closed || ended === undefined) break;
        this.report(ended);
        // 410 Gone: the version is compacted; listing again at once is the remedy, not a pause.
        if (!(ended instanceof KubeGoneError)) await this.pause();
      } catch (error) {
        if (this.closed) break;
        this.report(toKubeError(error, { kind: this.options.kind, namespace: this.options.namespace }));
        await this.pause();
      }
    }
    synced();
  }

  private async relist(): Promise<void> {
    const { apiVersion, kind, namespace, labelSelector, fieldSelector } = this.options;
    const list = await this.client.list<T>(apiVersion, kind, namespace, {
      ...(labelSelector ? { labelSelector } : {}),
      ...(fieldSelector ? { fieldSelector } : {}),
    });
    if (this.closed) return;
    const seen = new Set<string>();
    for (const object of list.items) {
      const key = keyOf(object);
      seen.add(key);
      const before = this.known.get(key);
      this.known.set(key, object);
      if (!before) this.emit('added', object);
      else if (before.metadata.resourceVersion !== object.metadata.resourceVersion) this.emit('modified', object);
    }
    for (const [key, object] of [...this.known]) {
      if (seen.has(key)) continue;
      this.known.delete(key);
      this.emit('deleted', object);
    }
    this.resourceVersion = list.resourceVersion;
  }

  /** One watch, from the last version seen; resolves when it ends: undefined for a normal end. */
  private watchOnce(): Promise<KubeError | undefined> {
    const { apiVersion, kind, namespace, labelSelector, fieldSelector } = this.options;
    return new Promise<KubeError | undefined>((resolve, reject) => {
      this.client
        .watch<T>(
          apiVersion,
          kind,
          namespace,
          {
            resourceVersion: this.resourceVersion,
            allowWatchBookmarks: true,
            timeoutSeconds: this.options.watchTimeoutSeconds ?? 300,
            ...(labelSelector ? { labelSelector } : {}),
            ...(fieldSelector ? { fieldSelector } : {}),
          },
          (event) => this.apply(event),
          (error) => {
            this.watch = undefined;
            resolve(error);
          },
        )
        .then((handle) => {
          if (this.closed) handle.close();
          else this.watch = handle;
        }, reject);
      // close() must end a watch that is still open: resolve as a normal end, the loop sees `closed`.
      this.wake = () => resolve(undefined);
    });
  }

  private apply(event: WatchEvent<T>): void {
    this.failures = 0;
    const version = event.object.metadata?.resourceVersion;
    if (version) this.resourceVersion = version;
    if (event.type === 'BOOKMARK') return;
    const key = keyOf(event.object);
    if (event.type === 'DELETED') {
      this.known.delete(key);
      this.emit('deleted', event.object);
      return;
    }
    const existed = this.known.has(key);
    this.known.set(key, event.object);
    this.emit(existed ? 'modified' : 'added', event.object);
  }

  private emit(type: ObjectEventType, object: T): void {
    try {
      this.options.onEvent({ type, object });
    } catch (error) {
      // A consumer's bug must not end the watch of every object after it.
      this.report(toKubeError(error, { kind: this.options.kind, namespace: object.metadata.namespace, name: object.metadata.name }));
    }
  }

  private report(error: KubeError): void {
    this.options.onError?.(error);
  }

  private pause(): Promise<void> {
    const { initialMs, maxMs } = this.options.backoff ?? { initialMs: 500, maxMs: 30_000 };
    const ms = Math.min(maxMs, initialMs * 2 ** this.failures);
    this.failures++;
    const { sleep } = this.options;
    if (sleep) return Promise.race([sleep(ms), new Promise<void>((resolve) => (this.wake = resolve))]);
    // A timer of our own, cleared on close, so a closed watcher keeps no process alive.
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

function keyOf(object: KubernetesObject): string {
  const { namespace, name } = object.metadata;
  return namespace ? `${namespace}/${name}` : (name ?? '');
}
