import type { ApplyOptions, DeleteOptions, KubeClient, ListOptions, ObjectList, ResourceRef, WatchHandle, WriteOptions } from '../kube/kube-client.js';
import { KubeConflictError, KubeError, KubeInvalidError, KubeNotFoundError } from '../kube/kube-errors.js';
import type { KubernetesObject } from '../spec/model/kubernetes.js';
import { LOCAL_APPLY_MANAGER, type LocalObjectStore, STORED_KINDS, type StoredKind } from './local-object-store.js';

/**
 * The local state directory seen as an API server, so that what plans and applies against a
 * cluster (the sync's planSync and applySync) works unchanged on one machine: gets, lists with
 * equality label selectors, server-side apply with field managers and conflicts (see
 * local-field-managers.ts), dry runs, and deletes with a uid precondition, over the kinds the
 * state directory keeps. Watches and patches are not offered: nothing that plans or applies needs
 * them, and a caller that tries gets a clear error.
 *
 * @example
 *   const client = new LocalKubeClient(target.objects);
 *   const plan = await planSync({ desired, client, repository: 'acme/flows', commit: sha });
 */
export class LocalKubeClient implements KubeClient {
  readonly namespace: string;

  constructor(private readonly store: LocalObjectStore) {
    this.namespace = store.namespace;
  }

  async get<T extends KubernetesObject>(ref: ResourceRef): Promise<T> {
    const found = await this.store.getObject<T>(kindOf(ref), ref.namespace, ref.name);
    if (!found) throw notFound(ref);
    return found;
  }

  async list<T extends KubernetesObject>(_apiVersion: string, kind: string, namespace: string | undefined, options: ListOptions = {}): Promise<ObjectList<T>> {
    const matches = labelMatcher(options.labelSelector);
    const items = (await this.store.listObjects<T>(kindOf({ kind }))).filter(
      (o) => (namespace === undefined || o.metadata.namespace === namespace) && matches(o.metadata.labels),
    );
    return { items, resourceVersion: '0' };
  }

  async create<T extends KubernetesObject>(object: T, options: WriteOptions = {}): Promise<T> {
    if (await this.store.getObject(kindOf(object), object.metadata.namespace, object.metadata.name ?? '')) {
      throw new KubeError('already exists', { status: 409, reason: 'AlreadyExists', object: refOf(object), serverMessage: '' });
    }
    return this.replace(object, options);
  }

  async replace<T extends KubernetesObject>(object: T, options: WriteOptions = {}): Promise<T> {
    kindOf(object);
    if (options.dryRun) return object;
    await this.store.apply(object, options.fieldManager ?? LOCAL_APPLY_MANAGER);
    return (await this.store.getObject<T>(kindOf(object), object.metadata.namespace, object.metadata.name ?? '')) ?? object;
  }

  async delete(ref: ResourceRef, options: DeleteOptions = {}): Promise<void> {
    const kind = kindOf(ref);
    const existing = await this.store.getObject(kind, ref.namespace, ref.name);
    if (!existing) throw notFound(ref);
    const uid = options.preconditions?.uid;
    if (uid !== undefined && existing.metadata.uid !== uid) {
      throw new KubeConflictError('changed since it was read', { status: 409, reason: 'Conflict', object: ref, serverMessage: `the uid is no longer ${uid}` });
    }
    if (options.dryRun) return;
    await this.store.deleteObject(kind, ref.namespace, ref.name, uid !== undefined ? { uid } : {});
  }

  async patch<T extends KubernetesObject>(ref: ResourceRef): Promise<T> {
    throw unsupported('patch', ref);
  }

  async apply<T extends KubernetesObject>(object: T, options: ApplyOptions): Promise<T> {
    kindOf(object);
    if (!object.metadata?.name)
      throw new KubeInvalidError('is invalid', { status: 422, reason: 'Invalid', object: refOf(object), serverMessage: 'metadata.name: Required value' });
    const outcome = await this.store.applyFields(object, options.fieldManager, { force: options.force === true, dryRun: options.dryRun === true });
    if ('conflicts' in outcome) {
      const causes = outcome.conflicts.map((c) => ({ field: `.${c.path}`, reason: 'FieldManagerConflict', message: `conflict with "${c.manager}"` }));
      throw new KubeConflictError('Apply failed with conflicts', {
        status: 409,
        reason: 'Conflict',
        object: refOf(object),
        serverMessage: `${causes.length} conflict(s): ${causes.map((c) => `${c.message}: ${c.field}`).join(', ')}`,
        causes,
      });
    }
    return outcome.object as T;
  }

  async watch(_apiVersion: string, kind: string, namespace: string | undefined): Promise<WatchHandle> {
    throw unsupported('watch', { kind, namespace });
  }
}

function kindOf(ref: { kind: string }): StoredKind {
  if ((STORED_KINDS as readonly string[]).includes(ref.kind)) return ref.kind as StoredKind;
  throw new KubeError(`the local state directory keeps ${STORED_KINDS.join(', ')}, not ${ref.kind}`, {
    status: 404,
    reason: 'NotFound',
    object: { kind: ref.kind },
    serverMessage: '',
  });
}

function refOf(object: KubernetesObject): ResourceRef {
  return { apiVersion: object.apiVersion, kind: object.kind, namespace: object.metadata?.namespace, name: object.metadata?.name ?? '' };
}

function notFound(ref: { kind: string; namespace?: string | undefined; name?: string | undefined }): KubeNotFoundError {
  return new KubeNotFoundError('not found', { status: 404, reason: 'NotFound', object: ref, serverMessage: '' });
}

function unsupported(verb: string, ref: { kind: string; namespace?: string | undefined; name?: string | undefined }): KubeError {
  return new KubeError(`${verb} is not offered by the local state directory`, { status: 405, reason: 'MethodNotAllowed', object: ref, serverMessage: '' });
}

/** Equality-based selectors (`a=b`, `a==b`, `a!=b`, `a`, `!a`, comma-separated): what planning and pruning use. */
function labelMatcher(selector: string | undefined): (labels: Record<string, string> | undefined) => boolean {
  const tests: Array<(labels: Record<string, string>) => boolean> = [];
  for (const part of (selector ?? '').split(',').map((p) => p.trim())) {
    if (part === '') continue;
    const match = /^(!?)([\w./-]+)(?:\s*(==|=|!=)\s*([\w./-]*))?$/.exec(part);
    if (!match)
      throw new KubeError(`cannot read label selector "${selector}" (the state directory takes key=value, key!=value, key, !key)`, {
        status: 400,
        reason: 'BadRequest',
        object: undefined,
        serverMessage: '',
      });
    const [, not, key, op, value] = match as unknown as [string, string, string, string | undefined, string | undefined];
    if (op === undefined) tests.push(not ? (l) => !(key in l) : (l) => key in l);
    else if (op === '!=') tests.push((l) => l[key] !== value);
    else tests.push((l) => l[key] === value);
  }
  return (labels) => tests.every((t) => t(labels ?? {}));
}
