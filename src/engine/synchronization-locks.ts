import type { ConfigMapParameters } from './config-map-parameters.js';
import type { LockRef } from './engine-events.js';

/** A `synchronization` block as written: Argo's current lists, and the singular forms of 3.5 and before. */
export interface Synchronization {
  mutexes?: MutexRef[];
  semaphores?: SemaphoreRef[];
  mutex?: MutexRef;
  semaphore?: SemaphoreRef;
}

interface MutexRef {
  name?: unknown;
  namespace?: unknown;
  database?: unknown;
}

interface SemaphoreRef {
  configMapKeyRef?: { name?: unknown; key?: unknown };
  namespace?: unknown;
  database?: { key?: unknown };
}

/** Whether a lock name is a semaphore's (`<ns>/ConfigMap/<name>/<key>`) rather than a mutex's. */
export function isSemaphoreLock(name: string): boolean {
  return name.split('/')[1] === 'ConfigMap';
}

/**
 * The locks a `synchronization` block asks for, named as Argo names them (`<ns>/Mutex/<name>`,
 * `<ns>/ConfigMap/<configmap>/<key>`, `<ns>/Database/<name>`), each with its limit: 1 for a
 * mutex, the integer in the ConfigMap key for a semaphore. The namespace is the lock's own or the
 * run's. Variables must already be substituted. Argo's database locks are shared between
 * controllers through a SQL database; Skiff has none, so a database mutex is shared like any
 * other (by every run of the same state directory, or the same driver), while a database
 * semaphore, whose limit lives only in that database, is refused with the reason.
 *
 * @example
 * synchronizationLocks({ mutexes: [{ name: 'test' }] }, 'default', configMaps);
 * // { locks: [{ name: 'default/Mutex/test', limit: 1 }] }
 */
export function synchronizationLocks(sync: Synchronization, namespace: string, configMaps: ConfigMapParameters): { locks: LockRef[] } | { error: string } {
  const locks: LockRef[] = [];
  const semaphores = [...(sync.semaphores ?? []), ...(sync.semaphore ? [sync.semaphore] : [])];
  const mutexes = [...(sync.mutexes ?? []), ...(sync.mutex ? [sync.mutex] : [])];
  for (const semaphore of semaphores) {
    const ns = text(semaphore?.namespace) || namespace;
    const ref = semaphore?.configMapKeyRef;
    if (ref && semaphore.database) return { error: 'invalid semaphore with both configMapKeyRef and database' };
    if (semaphore?.database) {
      return {
        error: `semaphore "${ns}/${text(semaphore.database.key)}" is a database semaphore, whose limit lives in Argo's synchronization database (the sync_limit table); Skiff has no such database: use a configMapKeyRef semaphore`,
      };
    }
    if (!ref) return { error: 'a semaphore needs a configMapKeyRef (the ConfigMap key that holds its limit)' };
    const name = text(ref.name);
    const key = text(ref.key);
    if (name === '' || key === '') return { error: `semaphore configMapKeyRef needs both a name and a key (got name "${name}", key "${key}")` };
    const lock = `${ns}/ConfigMap/${name}/${key}`;
    const read = configMaps.raw(ns, name, key);
    if ('error' in read) return { error: `failed to initialize semaphore ${lock} with limit: ${read.error}` };
    const limit = /^\s*[+-]?\d+\s*$/.test(read.value) ? Number.parseInt(read.value, 10) : Number.NaN;
    if (Number.isNaN(limit)) return { error: `failed to initialize semaphore ${lock} with limit: "${read.value}" is not an integer` };
    if (limit <= 0) return { error: `failed to initialize semaphore ${lock} with limit: the limit is ${limit}, and a semaphore needs at least 1` };
    locks.push({ name: lock, limit });
  }
  for (const mutex of mutexes) {
    const name = text(mutex?.name);
    if (name === '') return { error: 'a mutex needs a name' };
    const ns = text(mutex.namespace) || namespace;
    locks.push({ name: `${ns}/${mutex.database === true ? 'Database' : 'Mutex'}/${name}`, limit: 1 });
  }
  const names = locks.map((l) => l.name);
  if (new Set(names).size !== names.length) return { error: 'duplicate synchronization item found' };
  return { locks };
}

function text(value: unknown): string {
  return value === undefined || value === null ? '' : String(value);
}
