/**
 * Argo's controller sees only ConfigMaps with this label, and its value says what a ConfigMap is
 * for; parameters (`valueFrom.configMapKeyRef`) are read only from those of type `Parameter`.
 */
export const CONFIG_MAP_TYPE_LABEL = 'workflows.argoproj.io/configmap-type';
export const PARAMETER_CONFIG_MAP_TYPE = 'Parameter';
