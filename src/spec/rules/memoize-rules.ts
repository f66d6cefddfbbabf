import type { Finding } from '../diagnostic.js';
import { CACHE_CONFIG_MAP_TYPE, CONFIG_MAP_TYPE_LABEL } from '../model/config-map-type.js';
import type { Template } from '../model/workflow.js';
import { isRecord, list, type SpecContext } from './spec-context.js';
import { isGoDuration } from './go-duration.js';

// Argo's rule for cache keys: they become ConfigMap keys.
const CACHE_KEY = /^[a-zA-Z0-9][-a-zA-Z0-9]*$/;

/**
 * Memoized templates (`memoize`): the cache must be named, a key or maxAge written without
 * variables must be one Argo accepts (else the node errors when it runs), and a cache ConfigMap
 * among the linted files must carry the `Cache` type label, without which Argo refuses it.
 */
export function checkMemoize(context: SpecContext): Finding[] {
  const findings: Finding[] = [];
  list<Template>(context.spec.templates).forEach((template, index) => {
    if (!isRecord(template) || !isRecord(template.memoize)) return;
    const memoize = template.memoize as Record<string, unknown>;
    const path = [...context.specPath, 'templates', index, 'memoize'];
    const cache = isRecord(memoize.cache) && isRecord(memoize.cache.configMap) ? memoize.cache.configMap : undefined;
    const name = typeof cache?.name === 'string' ? cache.name : '';
    if (name === '')
      findings.push({
        path,
        at: 'key',
        severity: 'error',
        rule: 'memoize',
        message: 'memoize needs cache.configMap.name: the ConfigMap its entries are kept in',
      });
    const key = memoize.key;
    if (typeof key === 'string' && !key.includes('{{') && !CACHE_KEY.test(key)) {
      findings.push({
        path: [...path, 'key'],
        severity: 'error',
        rule: 'memoize',
        message: `memoize.key "${key}" is not a valid cache key: it must start with a letter or digit and hold only letters, digits and '-'`,
      });
    }
    const maxAge = memoize.maxAge;
    if (maxAge !== undefined && maxAge !== '' && !(typeof maxAge === 'string' && (maxAge.includes('{{') || isGoDuration(maxAge)))) {
      findings.push({
        path: [...path, 'maxAge'],
        severity: 'error',
        rule: 'memoize',
        message: `memoize.maxAge "${String(maxAge)}" is not a duration: give a number with a unit, such as "180s" or "24h"`,
      });
    }
    const configMap = name !== '' && !name.includes('{{') ? context.catalog.configMaps.get(name) : undefined;
    const type = configMap && isRecord(configMap.metadata?.labels) ? configMap.metadata.labels[CONFIG_MAP_TYPE_LABEL] : undefined;
    if (configMap && type !== CACHE_CONFIG_MAP_TYPE) {
      const has = type === undefined ? 'has no such label' : `has ${CONFIG_MAP_TYPE_LABEL}: ${String(type)}`;
      findings.push({
        path: [...path, 'cache', 'configMap', 'name'],
        severity: 'error',
        rule: 'memoize',
        message: `memoization caches are kept only in ConfigMaps labelled ${CONFIG_MAP_TYPE_LABEL}: ${CACHE_CONFIG_MAP_TYPE}, and ConfigMap "${name}" ${has}`,
      });
    }
  });
  return findings;
}
