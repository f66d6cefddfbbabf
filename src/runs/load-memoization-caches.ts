import { CACHE_CONFIG_MAP_TYPE } from '../spec/model/config-map-type.js';
import type { Workflow } from '../spec/model/workflow.js';
import type { CacheConfigMap } from '../engine/memoization-caches.js';
import type { ReferencedTemplate } from '../engine/template-catalog.js';
import type { ParameterConfigMapSource } from './load-parameter-config-maps.js';
import { ConfigMapNames, readTypedConfigMaps } from './read-typed-config-maps.js';

/**
 * Reads the cache ConfigMaps that the memoized templates of a workflow (and of the templates it
 * refers to) name in `memoize.cache.configMap.name`, from the workflow's namespace, so the
 * engine can decide hits and misses without I/O. A name made of the workflow's parameters is
 * read under the name they give; one that needs values known only at run time makes every Cache
 * ConfigMap of the namespace be read, if the source can list them. A ConfigMap that does not
 * exist is left out: to the engine that is an empty cache, as it is to Argo.
 *
 * @example
 * await loadMemoizationCaches(workflow, [], objects);
 * // [{ name: 'cache-config', type: 'Cache', data: { 'cache-key': '{"nodeID":...}' } }]
 */
export async function loadMemoizationCaches(
  workflow: Workflow,
  referenced: readonly ReferencedTemplate[],
  source: ParameterConfigMapSource,
): Promise<CacheConfigMap[]> {
  const names = new ConfigMapNames(workflow, String(workflow.metadata?.namespace ?? 'default'));
  const templates = [...(workflow.spec?.templates ?? []), ...referenced.flatMap((r) => r.spec?.templates ?? [])];
  for (const template of templates) {
    const name = (template as { memoize?: { cache?: { configMap?: { name?: unknown } } } } | null)?.memoize?.cache?.configMap?.name;
    // A name Kubernetes would refuse names no ConfigMap: the cache is empty, and the save will say why.
    if (typeof name === 'string' && name !== '') names.add(name);
  }
  // Only a Cache ConfigMap's entries can be hits; others are kept to say why they are refused.
  return readTypedConfigMaps(source, names, CACHE_CONFIG_MAP_TYPE);
}
