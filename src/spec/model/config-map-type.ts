/**
 * The label that says what a ConfigMap is for, and its values Skiff reads. Defined in
 * kube/kube-names with every other name on cluster objects; re-exported here for the language layer.
 */
export { CACHE_CONFIG_MAP_TYPE, CONFIG_MAP_TYPE_LABEL, PARAMETER_CONFIG_MAP_TYPE } from '../../kube/kube-names.js';
