import { substituteTemplate } from '../../expr/index.js';
import { CACHE_CONFIG_MAP_TYPE, CONFIG_MAP_TYPE_LABEL } from '../../spec/model/config-map-type.js';
import type { ConfigMap } from '../../spec/model/kubernetes.js';
import type { Workflow } from '../../spec/model/workflow.js';
import type { CacheConfigMap } from '../memoization-caches.js';
import type { ReferencedTemplate } from '../template-catalog.js';
import type { ParameterConfigMapSource } from './load-parameter-config-maps.js';

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
export async function loadMemoizationCaches(workflow: Workflow, referenced: readonly ReferencedTemplate[], source: ParameterConfigMapSource): Promise<CacheConfigMap[]> {
  const namespace = String(workflow.metadata?.namespace ?? 'default');
  const variables = new Map<string, string>([['workflow.namespace', namespace]]);
  if (workflow.metadata?.name) variables.set('workflow.name', workflow.metadata.name);
  for (const p of workflow.spec?.arguments?.parameters ?? []) {
    const value = p.value ?? p.default;
    if (value !== undefined && value !== null) variables.set(`workflow.parameters.${p.name}`, String(value));
  }
  const names = new Set<string>();
  let dynamic = false;
  const templates = [...(workflow.spec?.templates ?? []), ...referenced.flatMap((r) => r.spec?.templates ?? [])];
  for (const template of templates) {
    const name = (template as { memoize?: { cache?: { configMap?: { name?: unknown } } } } | null)?.memoize?.cache?.configMap?.name;
    if (typeof name !== 'string' || name === '') continue;
    const resolved = name.includes('{{') ? substituteTemplate(name, (v) => variables.get(v)).text : name;
    if (resolved.includes('{{')) dynamic = true;
    else names.add(resolved);
  }
  const found = new Map<string, ConfigMap>();
  if (dynamic && source.listConfigMaps) {
    for (const configMap of await source.listConfigMaps(namespace)) {
      const name = configMap.metadata?.name;
      if (name && configMap.metadata.labels?.[CONFIG_MAP_TYPE_LABEL] === CACHE_CONFIG_MAP_TYPE) found.set(name, configMap);
    }
  }
  for (const name of names) {
    // A name Kubernetes would refuse names no ConfigMap: the cache is empty, and the save will say why.
    if (found.has(name) || !OBJECT_NAME.test(name)) continue;
    const configMap = await source.get(namespace, name);
    if (configMap) found.set(name, configMap);
  }
  const out: CacheConfigMap[] = [];
  for (const [name, configMap] of [...found].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const type = configMap.metadata?.labels?.[CONFIG_MAP_TYPE_LABEL];
    const entry: CacheConfigMap = { name };
    if (type !== undefined) entry.type = String(type);
    // Only a Cache ConfigMap's entries can be hits; others are kept to say why they are refused.
    if (type === CACHE_CONFIG_MAP_TYPE) entry.data = Object.fromEntries(Object.entries(configMap.data ?? {}).map(([k, v]) => [k, String(v)]));
    out.push(entry);
  }
  return out;
}

// Kubernetes' rule for ConfigMap names (a DNS subdomain).
const OBJECT_NAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
