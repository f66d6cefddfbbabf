/**
 * Argo's controller sees only ConfigMaps with this label, and its value says what a ConfigMap is
 * for; parameters (`valueFrom.configMapKeyRef`) are read only from those of type `Parameter`.
 */
export const CONFIG_MAP_TYPE_LABEL = 'workflows.argoproj.io/configmap-type';
export const PARAMETER_CONFIG_MAP_TYPE = 'Parameter';
/** Memoization caches (`memoize.cache.configMap`) are read and written only in ConfigMaps of this type. */
export const CACHE_CONFIG_MAP_TYPE = 'Cache';
