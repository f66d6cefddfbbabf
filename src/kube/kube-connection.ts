import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import {
  ApiException,
  type KubernetesObject as ClientObject,
  HttpMethod,
  KubeConfig,
  KubernetesObjectApi,
  type Configuration,
  type RequestContext,
  type ResponseContext,
  Watch,
} from '@kubernetes/client-node';
import type { KubernetesObject } from '../spec/model/kubernetes.js';
import type {
  ApplyOptions,
  DeleteOptions,
  KubeClient,
  ListOptions,
  ObjectList,
  PatchType,
  ResourceRef,
  WatchEvent,
  WatchEventType,
  WatchHandle,
  WatchOptions,
  WriteOptions,
} from './kube-client.js';
import { type PodLogClient, type PodLogOptions, readPodLog } from './pod-logs.js';
import { withReusedConnections } from './reused-connections.js';
import { TokenBucket } from './token-bucket.js';
import { type KubeError, type KubeStatus, KubeUnknownKindError, type ObjectRef, fromStatus, toKubeError } from './kube-errors.js';

/** Where the connection's settings come from; the first that is given wins. */
export interface KubeConfigSource {
  /** A kubeconfig file (`--kubeconfig`). */
  kubeconfigPath?: string;
  /** A context of the kubeconfig other than its current one. */
  context?: string;
  /** Read for `KUBECONFIG` and `KUBERNETES_SERVICE_HOST`; defaults to `process.env`. */
  env?: Record<string, string | undefined>;
}

export const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/**
 * The cluster settings as kubectl finds them: a kubeconfig file given, else `$KUBECONFIG` (a list
 * of files; the first to name a cluster, user or context wins), else the pod's service account
 * when running in a cluster, else `~/.kube/config`. Unlike the library's `loadFromDefault`, it
 * never falls back to an unauthenticated `localhost:8080`: no settings is an error.
 *
 * @example loadKubeConfig({ kubeconfigPath: '/tmp/kubeconfig' }).getCurrentCluster()?.server // 'https://127.0.0.1:6443'
 */
export function loadKubeConfig(source: KubeConfigSource = {}): KubeConfig {
  const env = source.env ?? process.env;
  const kc = new KubeConfig();
  const listed = (env.KUBECONFIG ?? '').split(delimiter).filter((file) => file !== '');
  // As kubectl: files of the list that do not exist are skipped; a file given must exist.
  const files = source.kubeconfigPath ? [source.kubeconfigPath] : listed.filter((file) => existsSync(file));
  if (!source.kubeconfigPath && listed.length > 0 && files.length === 0)
    throw new Error(`none of the files KUBECONFIG lists exists: ${listed.join(delimiter)}`);
  const home = join(homedir(), '.kube', 'config');
  if (files.length > 0) {
    kc.loadFromFile(files[0]!);
    for (const file of files.slice(1)) mergeNew(kc, file);
  } else if (env.KUBERNETES_SERVICE_HOST && existsSync(SERVICE_ACCOUNT_TOKEN)) {
    kc.loadFromCluster();
  } else if (existsSync(home)) {
    kc.loadFromFile(home);
  } else {
    throw new Error('no Kubernetes settings: pass a kubeconfig file, set KUBECONFIG, or run in a pod with a service account');
  }
  if (source.context) kc.setCurrentContext(source.context);
  if (!kc.getCurrentCluster()) throw new Error(`the kubeconfig's context "${kc.getCurrentContext()}" names no cluster`);
  return kc;
}

// kubectl's rule for a KUBECONFIG list: the first file to define a name wins; later ones add only new names.
function mergeNew(kc: KubeConfig, file: string): void {
  const more = new KubeConfig();
  more.loadFromFile(file);
  for (const cluster of more.clusters) if (!kc.clusters.some((c) => c.name === cluster.name)) kc.addCluster(cluster);
  for (const user of more.users) if (!kc.users.some((u) => u.name === user.name)) kc.addUser(user);
  for (const context of more.contexts) if (!kc.contexts.some((c) => c.name === context.name)) kc.addContext(context);
  if (!kc.getCurrentContext() && more.getCurrentContext()) kc.setCurrentContext(more.getCurrentContext());
}

/** How long a request (not a watch) may wait for its whole answer. */
const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

export interface KubeConnectionOptions {
  /** How long a request (not a watch) may take before it fails as retryable; default 60 s. */
  requestTimeoutMs?: number;
  /**
   * A client-side rate limit on requests (a watch counts once, when it starts): `burst` at once,
   * then `qps` a second, as client-go's QPS and Burst. None when not given.
   */
  rateLimit?: { qps: number; burst: number };
}

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
};

/**
 * The library's dynamic client, used for what it does well (authentication of every kind, TLS,
 * discovery of resource names and scopes) but answering raw JSON: its models turn timestamps into
 * Dates, drop fields they do not know and lose a list's `continue` token on custom resources.
 */
class RawObjectApi extends KubernetesObjectApi {
  constructor(
    configuration: Configuration,
    private readonly timeoutMs: number = DEFAULT_REQUEST_TIMEOUT_MS,
  ) {
    super(withReusedConnections(configuration));
  }

  static forConfig(kc: KubeConfig, timeoutMs: number): RawObjectApi {
    // makeApiClient builds the authenticated configuration and calls the constructor with it alone.
    const api = kc.makeApiClient(
      class extends RawObjectApi {
        constructor(configuration: Configuration) {
          super(configuration, timeoutMs);
        }
      },
    );
    api.setDefaultNamespace(kc);
    return api;
  }

  get namespace(): string {
    return this.defaultNamespace;
  }

  async resourceOf(apiVersion: string, kind: string): Promise<{ name: string; namespaced: boolean } | undefined> {
    return this.resource(apiVersion, kind);
  }

  async send(
    method: HttpMethod,
    path: string,
    query: Record<string, string | undefined>,
    body?: { text: string; contentType: string },
    accept = 'application/json',
  ): Promise<unknown> {
    const context = this.configuration.baseServer.makeRequestContext(path, method);
    context.setHeaderParam('Accept', accept);
    for (const [name, value] of Object.entries(query)) if (value !== undefined) context.setQueryParam(name, value);
    if (body) {
      context.setHeaderParam('Content-Type', body.contentType);
      context.setBody(body.text);
    }
    return this.requestPromise(context);
  }

  // Every request of this client (discovery too) ends after timeoutMs: a connection that went quiet
  // without closing would otherwise hold its caller forever. Watches use the library's Watch instead.
  protected override async requestPromise<T extends ClientObject>(context: RequestContext, type?: string, options?: Configuration): Promise<T> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    context.setSignal(timeout);
    try {
      return await super.requestPromise<T>(context, type, options);
    } catch (error) {
      if (timeout.aborted) throw Object.assign(new Error(`no answer from the API server within ${this.timeoutMs} ms`), { code: 'ETIMEDOUT' });
      throw error;
    }
  }

  protected override async processResponse<T extends ClientObject>(response: ResponseContext): Promise<T> {
    const text = await response.body.text();
    // A pod's log is plain text; everything else is JSON.
    if (response.httpStatusCode >= 200 && response.httpStatusCode <= 299 && /^text\/plain\b/.test(response.headers['content-type'] ?? ''))
      return text as unknown as T;
    if (response.httpStatusCode >= 200 && response.httpStatusCode <= 299) return (text ? JSON.parse(text) : {}) as T;
    throw new ApiException(response.httpStatusCode, 'Unsuccessful HTTP Request', text, response.headers);
  }
}

/**
 * The API server, reached with one kubeconfig: the only module of Skiff that calls
 * @kubernetes/client-node. Objects go in and come out as plain JSON; failures come out as typed
 * KubeErrors naming the object.
 *
 * @example
 *   const kube = KubeConnection.fromKubeConfig(loadKubeConfig({ kubeconfigPath }));
 *   await kube.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'ci', name: 'settings' });
 */
export class KubeConnection implements KubeClient, PodLogClient {
  private constructor(
    private readonly api: RawObjectApi,
    private readonly watcher: Watch,
    private readonly bucket: TokenBucket | undefined,
    private readonly kc: KubeConfig,
    private readonly timeoutMs: number,
  ) {}

  static fromKubeConfig(kc: KubeConfig, options: KubeConnectionOptions = {}): KubeConnection {
    const bucket = options.rateLimit ? new TokenBucket(options.rateLimit) : undefined;
    const timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    return new KubeConnection(RawObjectApi.forConfig(kc, timeoutMs), new Watch(kc), bucket, kc, timeoutMs);
  }

  /** Settings found as `loadKubeConfig` finds them. */
  static load(source: KubeConfigSource = {}, options: KubeConnectionOptions = {}): KubeConnection {
    return KubeConnection.fromKubeConfig(loadKubeConfig(source), options);
  }

  get namespace(): string {
    return this.api.namespace;
  }

  /**
   * The same server and credentials, each request sent as `user` (the Impersonate-User header):
   * the server authorizes it as that user, and this connection's user needs only the right to
   * impersonate. Shares this connection's rate limit.
   */
  impersonating(user: string): KubeConnection {
    const current = this.kc.getCurrentUser();
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: this.kc.clusters,
      users: this.kc.users.map((u) => (u.name === current?.name ? { ...u, impersonateUser: user } : u)),
      contexts: this.kc.contexts,
      currentContext: this.kc.getCurrentContext(),
    });
    return new KubeConnection(RawObjectApi.forConfig(kc, this.timeoutMs), new Watch(kc), this.bucket, kc, this.timeoutMs);
  }

  async get<T extends KubernetesObject>(ref: ResourceRef): Promise<T> {
    return this.request(ref, async () => this.api.send(HttpMethod.GET, await this.objectPath(ref), {}));
  }

  async list<T extends KubernetesObject>(apiVersion: string, kind: string, namespace: string | undefined, options: ListOptions = {}): Promise<ObjectList<T>> {
    const ref: ObjectRef = { kind, namespace };
    const path = await this.request<string>(ref, () => this.collectionPath(apiVersion, kind, namespace, true));
    const items: T[] = [];
    let token = options.continue;
    for (;;) {
      const page = await this.request<{ items?: T[]; metadata?: { resourceVersion?: string; continue?: string } }>(ref, () =>
        this.api.send(HttpMethod.GET, path, {
          labelSelector: options.labelSelector,
          fieldSelector: options.fieldSelector,
          limit: options.limit === undefined ? undefined : String(options.limit),
          continue: token || undefined,
        }),
      );
      // A list's items carry no apiVersion and kind; put them back so each item stands alone.
      for (const item of page.items ?? []) items.push({ ...item, apiVersion, kind });
      const next = page.metadata?.continue || undefined;
      if (options.continue !== undefined || next === undefined) {
        return { items, resourceVersion: page.metadata?.resourceVersion ?? '', ...(next ? { continue: next } : {}) };
      }
      token = next;
    }
  }

  async create<T extends KubernetesObject>(object: T, options: WriteOptions = {}): Promise<T> {
    // A create may name no object yet (`generateName`); the message then names its prefix.
    const ref: ObjectRef = { kind: object.kind, namespace: object.metadata?.namespace, name: object.metadata?.name ?? object.metadata?.generateName };
    return this.request(ref, async () =>
      this.api.send(HttpMethod.POST, await this.collectionPath(object.apiVersion, object.kind, ref.namespace, false), writeQuery(options), json(object)),
    );
  }

  async replace<T extends KubernetesObject>(object: T, options: WriteOptions = {}): Promise<T> {
    const ref = refOf(object);
    return this.request(ref, async () => this.api.send(HttpMethod.PUT, await this.objectPath(ref), writeQuery(options), json(object)));
  }

  async delete(ref: ResourceRef, options: DeleteOptions = {}): Promise<void> {
    const body = { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: options.propagationPolicy, preconditions: options.preconditions };
    await this.request(ref, async () => this.api.send(HttpMethod.DELETE, await this.objectPath(ref), writeQuery(options), json(body)));
  }

  async patch<T extends KubernetesObject>(ref: ResourceRef, patch: unknown, type: PatchType, options: WriteOptions = {}): Promise<T> {
    return this.request(ref, async () =>
      this.api.send(HttpMethod.PATCH, await this.objectPath(ref), writeQuery(options), { text: JSON.stringify(patch), contentType: PATCH_CONTENT_TYPES[type] }),
    );
  }

  async apply<T extends KubernetesObject>(object: T, options: ApplyOptions): Promise<T> {
    const ref = refOf(object);
    // JSON is YAML, so the apply content type takes the object as JSON text unchanged.
    const query = { ...writeQuery(options), force: options.force ? 'true' : undefined };
    return this.request(ref, async () =>
      this.api.send(HttpMethod.PATCH, await this.objectPath(ref), query, { text: JSON.stringify(object), contentType: 'application/apply-patch+yaml' }),
    );
  }

  async watch<T extends KubernetesObject>(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    options: WatchOptions,
    onEvent: (event: WatchEvent<T>) => void,
    onEnd: (error?: KubeError) => void,
  ): Promise<WatchHandle> {
    const ref: ObjectRef = { kind, namespace };
    const path = await this.request<string>(ref, () => this.collectionPath(apiVersion, kind, namespace, true));
    let closed = false;
    let ended = false;
    let controller: AbortController | undefined;
    const end = (error?: KubeError): void => {
      if (closed || ended) return;
      ended = true;
      controller?.abort();
      onEnd(error);
    };
    const query = {
      resourceVersion: options.resourceVersion,
      labelSelector: options.labelSelector,
      fieldSelector: options.fieldSelector,
      allowWatchBookmarks: options.allowWatchBookmarks,
      timeoutSeconds: options.timeoutSeconds,
    };
    // Setting up (credentials, an exec plugin) can fail before any request: that is typed too.
    controller = await this.request<AbortController>(ref, () =>
      this.watcher.watch(
        path,
        query,
        (type: string, object: unknown) => {
          if (closed || ended) return;
          // The server ends a watch it cannot serve (410 for a compacted version) with an ERROR event carrying a Status.
          if (type === 'ERROR') return end(fromStatus(object as KubeStatus, ref));
          if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED' || type === 'BOOKMARK')
            onEvent({ type: type as WatchEventType, object: object as T });
        },
        (error: unknown) => end(error ? toKubeError(error, ref) : undefined),
      ),
    );
    if (ended) controller.abort();
    return {
      close: () => {
        closed = true;
        controller?.abort();
      },
    };
  }

  async *podLog(namespace: string, pod: string, container: string, options: PodLogOptions = {}): AsyncGenerator<Buffer> {
    await this.bucket?.take();
    yield* readPodLog(this.watcher.config, namespace, pod, container, options);
  }

  private async request<T>(ref: ObjectRef, send: () => Promise<unknown>): Promise<T> {
    await this.bucket?.take();
    try {
      return (await send()) as T;
    } catch (error) {
      throw toKubeError(error, ref);
    }
  }

  private async objectPath(ref: ResourceRef): Promise<string> {
    return `${await this.collectionPath(ref.apiVersion, ref.kind, ref.namespace, false)}/${encodeURIComponent(ref.name)}`;
  }

  /** `/api/v1/namespaces/ci/configmaps`; for a list, no namespace means every namespace. */
  private async collectionPath(apiVersion: string, kind: string, namespace: string | undefined, forList: boolean): Promise<string> {
    let resource: { name: string; namespaced: boolean } | undefined;
    try {
      resource = await this.api.resourceOf(apiVersion, kind);
    } catch (error) {
      const typed = toKubeError(error, { kind });
      // A group the server does not serve at all answers discovery with 404: the kind is unknown, not the object.
      if (typed.status !== 404) throw typed;
    }
    if (!resource) {
      throw new KubeUnknownKindError(`the API server serves no ${kind} in ${apiVersion}`, {
        status: undefined,
        reason: 'UnknownKind',
        object: { kind, namespace },
        serverMessage: '',
      });
    }
    const root = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    if (!resource.namespaced) return `${root}/${resource.name}`;
    const ns = namespace ?? (forList ? undefined : this.namespace);
    return ns === undefined ? `${root}/${resource.name}` : `${root}/namespaces/${encodeURIComponent(ns)}/${resource.name}`;
  }
}

function refOf(object: KubernetesObject): ResourceRef {
  const name = object.metadata?.name;
  if (!name) throw toKubeError(new Error(`${object.kind} has no metadata.name`), { kind: object.kind, namespace: object.metadata?.namespace });
  return { apiVersion: object.apiVersion, kind: object.kind, namespace: object.metadata.namespace, name };
}

function writeQuery(options: { dryRun?: boolean | undefined; fieldManager?: string | undefined }): Record<string, string | undefined> {
  return { dryRun: options.dryRun ? 'All' : undefined, fieldManager: options.fieldManager };
}

function json(value: unknown): { text: string; contentType: string } {
  return { text: JSON.stringify(value), contentType: 'application/json' };
}
