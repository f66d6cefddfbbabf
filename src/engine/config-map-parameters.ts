import { CONFIG_MAP_TYPE_LABEL, PARAMETER_CONFIG_MAP_TYPE } from '../spec/model/config-map-type.js';
import type { Parameter } from '../spec/model/workflow.js';

/**
 * A ConfigMap of the run's namespace as the run reads parameters from it (`valueFrom.configMapKeyRef`),
 * captured when the run is submitted or retried. `type` is its `workflows.argoproj.io/configmap-type`
 * label; `data` is kept only for `Parameter` ConfigMaps, the only ones parameters come from, and
 * for the ConfigMaps semaphores take their limits from (which need no label, as in Argo).
 */
export interface ParameterConfigMap {
  name: string;
  /** Set for a ConfigMap of another namespace (a semaphore's `namespace`); else the run's own. */
  namespace?: string;
  type?: string;
  data?: Record<string, string>;
}

export type ConfigMapLookup = { value: string } | { error: string; notFound: boolean };

type ValueFrom = NonNullable<Parameter['valueFrom']>;

/**
 * The ConfigMaps a run may read parameters from, as data: the engine does no I/O, so whoever
 * starts the run loads them (see `loadParameterConfigMaps`) and a restart reads the same values.
 *
 * @example
 * const maps = new ConfigMapParameters('default', [{ name: 'settings', type: 'Parameter', data: { msg: 'hi' } }]);
 * maps.lookup('settings', 'msg'); // { value: 'hi' }
 */
export class ConfigMapParameters {
  private readonly byName = new Map<string, ParameterConfigMap>();
  private readonly elsewhere = new Map<string, ParameterConfigMap>();

  constructor(
    readonly namespace: string,
    configMaps: readonly ParameterConfigMap[] = [],
  ) {
    for (const configMap of configMaps) {
      if (configMap.namespace === undefined || configMap.namespace === namespace) this.byName.set(configMap.name, configMap);
      else this.elsewhere.set(`${configMap.namespace}/${configMap.name}`, configMap);
    }
  }

  /** Key `key` of ConfigMap `name` of `namespace` whatever its label (a semaphore's limit), or why there is none. */
  raw(namespace: string, name: string, key: string): ConfigMapLookup {
    const configMap = namespace === this.namespace ? this.byName.get(name) : this.elsewhere.get(`${namespace}/${name}`);
    if (!configMap) return { error: `ConfigMap "${name}" does not exist in namespace "${namespace}"`, notFound: true };
    const value = configMap.data?.[key];
    if (value === undefined) return { error: `ConfigMap "${name}" in namespace "${namespace}" has no key "${key}"`, notFound: true };
    return { value };
  }

  /**
   * Key `key` of ConfigMap `name`. As in Argo, a ConfigMap without the configmap-type label counts
   * as absent (the controller never sees it), while one labelled for another use is refused
   * outright; only absence (of the map or the key) lets `valueFrom.default` stand in.
   */
  lookup(name: string, key: string): ConfigMapLookup {
    const where = `ConfigMap "${name}" in namespace "${this.namespace}"`;
    const configMap = this.byName.get(name);
    if (!configMap) return { error: `ConfigMap "${name}" does not exist in namespace "${this.namespace}"`, notFound: true };
    if (configMap.type === undefined) {
      return {
        error: `${where} has no label ${CONFIG_MAP_TYPE_LABEL}: ${PARAMETER_CONFIG_MAP_TYPE}, which a ConfigMap needs for parameters to be read from it`,
        notFound: true,
      };
    }
    if (configMap.type !== PARAMETER_CONFIG_MAP_TYPE) {
      return {
        error: `${where} is labelled ${CONFIG_MAP_TYPE_LABEL}: ${configMap.type}; parameters are read only from ConfigMaps labelled ${CONFIG_MAP_TYPE_LABEL}: ${PARAMETER_CONFIG_MAP_TYPE}`,
        notFound: false,
      };
    }
    const value = configMap.data?.[key];
    if (value === undefined) {
      const keys = Object.keys(configMap.data ?? {});
      return { error: `${where} has no key "${key}" (${keys.length > 0 ? `keys: ${keys.join(', ')}` : 'it has no data'})`, notFound: true };
    }
    return { value };
  }

  /**
   * The value of a parameter whose `valueFrom` names a ConfigMap key, or why there is none.
   * `selector` is `valueFrom.configMapKeyRef` with its variables substituted, if it has any.
   * `valueFrom.default` stands in for an absent ConfigMap or key; with `anyError`, for any
   * failure (Argo's rule for global parameters).
   */
  resolve(valueFrom: ValueFrom, selector: { name?: unknown; key?: unknown }, anyError = false): { value: string } | { error: string } {
    const name = text(selector.name);
    const key = text(selector.key);
    if (name === '') return { error: 'configMapKeyRef names no ConfigMap (its name is empty)' };
    if (key === '') return { error: `configMapKeyRef of ConfigMap "${name}" names no key` };
    const found = this.lookup(name, key);
    if ('value' in found) return found;
    const fallback = valueFrom.default;
    if (fallback !== undefined && fallback !== null && (found.notFound || anyError)) return { value: String(fallback) };
    // Kubernetes' `optional` is for env and volumes; Argo does not honour it for parameters.
    const hint = valueFrom.configMapKeyRef?.optional ? '; configMapKeyRef.optional does not apply to parameters: set valueFrom.default for a fallback' : '';
    return { error: `${found.error}${hint}` };
  }
}

function text(value: unknown): string {
  return value === undefined || value === null ? '' : String(value);
}
