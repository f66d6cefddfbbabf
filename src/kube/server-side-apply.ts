import type { KubernetesObject } from '../spec/model/kubernetes.js';
import type { KubeClient } from './kube-client.js';

/** The field manager of everything Skiff applies: `managedFields` name it, and kubectl shows it. */
export const SKIFF_FIELD_MANAGER = 'skiff';

export interface ServerSideApplyOptions {
  /**
   * Take the fields another manager owns (a person's `kubectl edit`, another controller). Off by
   * default: a conflict then fails with KubeConflictError naming those fields, so the sync can show
   * the drift instead of silently overwriting it.
   */
  force?: boolean;
  /** `dryRun=All`: the server validates, admits and returns the result, and stores nothing. */
  dryRun?: boolean;
  /** Another manager name, for tests and for tools that must not be mistaken for the controller. */
  fieldManager?: string;
}

/**
 * Declares `desired` as the fields Skiff owns of that object, with server-side apply: the server
 * creates the object or merges those fields into it, and forgets fields Skiff applied before and
 * no longer lists. The object must carry apiVersion, kind and metadata.name (and a namespace,
 * unless the connection's default is meant). Returns the object as the server has it (or would
 * have it, on a dry run).
 *
 * @example
 *   const live = await serverSideApply(kube, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'ci' }, data: { a: '1' } });
 *   live.metadata.managedFields // [{ manager: 'skiff', operation: 'Apply', ... }]
 */
export async function serverSideApply<T extends KubernetesObject>(client: KubeClient, desired: T, options: ServerSideApplyOptions = {}): Promise<T> {
  // These describe a live object, not an intent: the server refuses managedFields in an apply, and a
  // resourceVersion read earlier would make the apply fail once anyone else has written the object.
  const { resourceVersion: _version, managedFields: _fields, uid: _uid, creationTimestamp: _created, ...metadata } = desired.metadata;
  return client.apply<T>(
    { ...desired, metadata },
    { fieldManager: options.fieldManager ?? SKIFF_FIELD_MANAGER, force: options.force === true, dryRun: options.dryRun === true },
  );
}
