import type { KubernetesObject } from '../spec/model/kubernetes.js';
import type { KubeError, ObjectRef } from './kube-errors.js';

/** One object of the API: its apiVersion and kind, its namespace (none if cluster-scoped) and name. */
export interface ResourceRef extends ObjectRef {
  apiVersion: string;
  name: string;
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /** Page size; `list` follows `continue` tokens itself unless `continue` is given. */
  limit?: number;
  /** Ask for one page only, from this token of an earlier page (`''` for the first page). */
  continue?: string;
}

export interface ObjectList<T> {
  items: T[];
  /** The list's resourceVersion: where a watch that follows this list starts. */
  resourceVersion: string;
  /** Set when `continue` asked for one page and more remain. */
  continue?: string;
}

export interface WriteOptions {
  /** `dryRun=All`: the server validates and admits, and stores nothing. */
  dryRun?: boolean;
  fieldManager?: string;
}

export interface ApplyOptions {
  fieldManager: string;
  /** Take fields that other managers own instead of failing with a conflict. */
  force?: boolean;
  dryRun?: boolean;
}

export interface DeleteOptions {
  dryRun?: boolean;
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  /** Delete only if the object still has this uid or resourceVersion (409 otherwise). */
  preconditions?: { uid?: string; resourceVersion?: string };
}

export type PatchType = 'merge' | 'strategic' | 'json';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

export interface WatchEvent<T> {
  type: WatchEventType;
  object: T;
}

export interface WatchOptions {
  /** Start after this resourceVersion (from a list); events before it are not sent again. */
  resourceVersion?: string;
  labelSelector?: string;
  fieldSelector?: string;
  allowWatchBookmarks?: boolean;
  /** The server ends the watch after this long; the caller watches again from the last version. */
  timeoutSeconds?: number;
}

export interface WatchHandle {
  /** Ends the watch; `onEnd` is not called for a watch closed this way. */
  close(): void;
}

/**
 * What kube/ needs of the API server, as raw JSON objects (no client-library models): the one
 * seam between Skiff and @kubernetes/client-node. `KubeConnection` is the real one; tests pass a
 * fake. Every method throws only `KubeError`s (kube-errors.ts), naming the object.
 *
 * @example
 *   const cm = await client.get<ConfigMap>({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'ci', name: 'settings' });
 *   const { items, resourceVersion } = await client.list<ConfigMap>('v1', 'ConfigMap', 'ci');
 *   await client.apply(desired, { fieldManager: 'skiff' });
 */
export interface KubeClient {
  /** The namespace of the kubeconfig's context (or of the pod, in-cluster); `default` if none. */
  readonly namespace: string;
  get<T extends KubernetesObject>(ref: ResourceRef): Promise<T>;
  /** Every object of a kind, in one namespace or (namespace undefined) all of them. */
  list<T extends KubernetesObject>(apiVersion: string, kind: string, namespace: string | undefined, options?: ListOptions): Promise<ObjectList<T>>;
  create<T extends KubernetesObject>(object: T, options?: WriteOptions): Promise<T>;
  /** A full update; the object's `metadata.resourceVersion`, if set, must still be current (409 otherwise). */
  replace<T extends KubernetesObject>(object: T, options?: WriteOptions): Promise<T>;
  delete(ref: ResourceRef, options?: DeleteOptions): Promise<void>;
  patch<T extends KubernetesObject>(ref: ResourceRef, patch: unknown, type: PatchType, options?: WriteOptions): Promise<T>;
  /** Server-side apply (`application/apply-patch+yaml`); returns the object as the server has it. */
  apply<T extends KubernetesObject>(object: T, options: ApplyOptions): Promise<T>;
  /**
   * Streams changes of a kind from `options.resourceVersion`. `onEnd` is called once when the
   * stream ends on its own: without an error when the server closed it (watch again), with a
   * `KubeGoneError` when the version is too old (list again), or another KubeError.
   */
  watch<T extends KubernetesObject>(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    options: WatchOptions,
    onEvent: (event: WatchEvent<T>) => void,
    onEnd: (error?: KubeError) => void,
  ): Promise<WatchHandle>;
}

/** What `kubectl logs` asks of a pod's log (the API's PodLogOptions); the kubelet applies them. */
export interface PodLogOptions {
  container?: string | undefined;
  /** Each line after the time the kubelet recorded for it (RFC 3339 with nanoseconds) and a space. */
  timestamps?: boolean;
  sinceSeconds?: number | undefined;
  /** RFC 3339; excludes sinceSeconds. */
  sinceTime?: string | undefined;
  tailLines?: number | undefined;
  /** The container's previous instance (one that restarted). */
  previous?: boolean;
}

/** Reads pods' logs through the API server (`pods/log`), as `kubectl logs` does. */
export interface PodLogReader {
  podLog(namespace: string, pod: string, options: PodLogOptions): Promise<string>;
}
