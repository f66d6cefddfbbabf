import type { Workflow } from '../spec/model/workflow.js';
import type { StoredRun } from '../ports/run-store.js';
import type { ReferencedTemplate } from '../engine/template-catalog.js';
import { loadMemoizationCaches } from './load-memoization-caches.js';
import { loadParameterConfigMaps } from './load-parameter-config-maps.js';
import type { ConfigMapSource } from './read-typed-config-maps.js';

/**
 * Everything of the cluster a run reads as data, read once when it is submitted, retried or
 * resubmitted and kept with it (so a restart decides as before): the ConfigMaps of its
 * parameters and semaphores, and its memoization caches. Fields with nothing in them are left out.
 *
 * @example
 *   await store.create({ key, workflow, status, ...(await loadRunConfigMaps(workflow, referenced, objects)) });
 */
export async function loadRunConfigMaps(
  workflow: Workflow,
  referenced: readonly ReferencedTemplate[],
  source: ConfigMapSource,
): Promise<Pick<StoredRun, 'configMaps' | 'caches'>> {
  const configMaps = await loadParameterConfigMaps(workflow, referenced, source);
  const caches = await loadMemoizationCaches(workflow, referenced, source);
  return { ...(configMaps.length > 0 ? { configMaps } : {}), ...(caches.length > 0 ? { caches } : {}) };
}
