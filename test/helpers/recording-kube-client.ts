import type {
  ApplyOptions,
  DeleteOptions,
  KubeClient,
  ListOptions,
  ObjectList,
  PatchType,
  ResourceRef,
  WatchEvent,
  WatchHandle,
  WatchOptions,
  WriteOptions,
} from '../../src/kube/kube-client.js';
import type { KubeError } from '../../src/kube/kube-errors.js';
import type { KubernetesObject } from '../../src/spec/model/kubernetes.js';

/** One request, as RBAC sees it: the verb, the kind, the namespace (none: cluster-wide), and who. */
export interface RecordedCall {
  verb: string;
  apiVersion: string;
  kind: string;
  namespace: string | undefined;
  /** The impersonated user, when the call was made as one. */
  as?: string;
  /** The error's class and message, when the call failed. */
  error?: string;
}

/**
 * A KubeClient that records every call it passes on, for tests of what a component really asks of
 * the API server (the verbs its Role must grant).
 */
export class RecordingKubeClient implements KubeClient {
  constructor(
    private readonly inner: KubeClient,
    readonly calls: RecordedCall[] = [],
    private readonly as?: string,
  ) {}

  get namespace(): string {
    return this.inner.namespace;
  }

  impersonating(user: string): KubeClient {
    const namespace = /^system:serviceaccount:([^:]+):/.exec(user)?.[1];
    this.calls.push({ verb: 'impersonate', apiVersion: 'v1', kind: 'ServiceAccount', namespace });
    if (!this.inner.impersonating) throw new Error('the inner client cannot impersonate');
    return new RecordingKubeClient(this.inner.impersonating(user), this.calls, user);
  }

  get<T extends KubernetesObject>(ref: ResourceRef): Promise<T> {
    return this.record('get', ref.apiVersion, ref.kind, ref.namespace, () => this.inner.get<T>(ref));
  }

  list<T extends KubernetesObject>(apiVersion: string, kind: string, namespace: string | undefined, options?: ListOptions): Promise<ObjectList<T>> {
    return this.record('list', apiVersion, kind, namespace, () => this.inner.list<T>(apiVersion, kind, namespace, options));
  }

  create<T extends KubernetesObject>(object: T, options?: WriteOptions): Promise<T> {
    return this.record('create', object.apiVersion, object.kind, object.metadata?.namespace ?? this.namespace, () => this.inner.create(object, options));
  }

  replace<T extends KubernetesObject>(object: T, options?: WriteOptions): Promise<T> {
    return this.record('update', object.apiVersion, object.kind, object.metadata?.namespace ?? this.namespace, () => this.inner.replace(object, options));
  }

  delete(ref: ResourceRef, options?: DeleteOptions): Promise<void> {
    return this.record('delete', ref.apiVersion, ref.kind, ref.namespace, () => this.inner.delete(ref, options));
  }

  patch<T extends KubernetesObject>(ref: ResourceRef, patch: unknown, type: PatchType, options?: WriteOptions): Promise<T> {
    return this.record('patch', ref.apiVersion, ref.kind, ref.namespace, () => this.inner.patch<T>(ref, patch, type, options));
  }

  apply<T extends KubernetesObject>(object: T, options: ApplyOptions): Promise<T> {
    return this.record('patch', object.apiVersion, object.kind, object.metadata?.namespace ?? this.namespace, () => this.inner.apply(object, options));
  }

  watch<T extends KubernetesObject>(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    options: WatchOptions,
    onEvent: (event: WatchEvent<T>) => void,
    onEnd: (error?: KubeError) => void,
  ): Promise<WatchHandle> {
    return this.record('watch', apiVersion, kind, namespace, () => this.inner.watch(apiVersion, kind, namespace, options, onEvent, onEnd));
  }

  private async record<T>(verb: string, apiVersion: string, kind: string, namespace: string | undefined, call: () => Promise<T>): Promise<T> {
    const entry: RecordedCall = { verb, apiVersion, kind, namespace, ...(this.as ? { as: this.as } : {}) };
    this.calls.push(entry);
    try {
      return await call();
    } catch (error) {
      entry.error = `${(error as Error).name}: ${(error as Error).message}`;
      throw error;
    }
  }
}
