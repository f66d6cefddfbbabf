import { substituteTemplate } from '../../expr/index.js';
import { CONFIG_MAP_TYPE_LABEL, PARAMETER_CONFIG_MAP_TYPE } from '../../spec/model/config-map-type.js';
import type { ConfigMap } from '../../spec/model/kubernetes.js';
import type { Workflow } from '../../spec/model/workflow.js';
import type { ParameterConfigMap } from '../config-map-parameters.js';
import type { ReferencedTemplate } from '../template-catalog.js';

/**
 * Where the ConfigMaps of `configMapKeyRef` parameters are read: the cluster's API, or what
 * `skiff apply` stored for local runs.
 *
 * @example const source: ParameterConfigMapSource = { get: async (namespace, name) => applied.get(`${namespace}/${name}`) };
 */
export interface ParameterConfigMapSource {
  /** ConfigMap `name` of `namespace`, or `undefined` if there is none. */
  get(namespace: string, name: string): Promise<ConfigMap | undefined>;
  /** Every ConfigMap of `namespace`: read when a parameter's ConfigMap is only named at run time. */
  listConfigMaps?(namespace: string): Promise<ConfigMap[]>;
}

/**
 * Reads the ConfigMaps that the parameters of a workflow (and of the templates it refers to)
 * name with `valueFrom.configMapKeyRef`, from the workflow's namespace, so the engine can resolve
 * them without I/O. A name made of the workflow's parameters (`{{workflow.parameters.env}}-settings`)
 * is read under the name those give; when one needs values known only at run time (a template's
 * inputs), every Parameter ConfigMap of the namespace is read, if the source can list them, and
 * for a semaphore's limit every ConfigMap of its namespace. A ConfigMap that does not exist is
 * left out: the engine then says which one is missing.
 *
 * @example
 * const configMaps = await loadParameterConfigMaps(workflow, referenced, objects);
 * // [{ name: 'simple-parameters', type: 'Parameter', data: { msg: 'hello world' } }]
 */
export async function loadParameterConfigMaps(workflow: Workflow, referenced: readonly ReferencedTemplate[], source: ParameterConfigMapSource): Promise<ParameterConfigMap[]> {
  const namespace = String(workflow.metadata?.namespace ?? 'default');
  const names = new Set<string>();
  const semaphoreMaps = new Set<string>();
  let dynamic = false;
  // Semaphore ConfigMap names known only at run time (a template's inputs) in these namespaces.
  const dynamicSemaphores = new Set<string>();
  const variables = workflowVariables(workflow, namespace);
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (value === null || typeof value !== 'object') return;
    const record = value as Record<string, unknown>;
    if (Array.isArray(record.parameters)) {
      for (const parameter of record.parameters as unknown[]) {
        const name = configMapNameOf(parameter);
        if (name === undefined) continue;
        const resolved = name.includes('{{') ? substituteTemplate(name, (v) => variables.get(v)).text : name;
        if (resolved.includes('{{')) dynamic = true;
        // A name Kubernetes would refuse names no ConfigMap; the engine reports it as missing.
        else if (OBJECT_NAME.test(resolved)) names.add(resolved);
      }
    }
    // A semaphore's limit is a ConfigMap key too (any ConfigMap: Argo asks for no label there).
    const sync = record.synchronization;
    if (sync !== null && typeof sync === 'object') {
      const { semaphores, semaphore } = sync as { semaphores?: unknown; semaphore?: unknown };
      for (const ref of [...(Array.isArray(semaphores) ? semaphores : []), semaphore]) {
        if (ref === null || typeof ref !== 'object') continue;
        const name = (ref as { configMapKeyRef?: { name?: unknown } }).configMapKeyRef?.name;
        if (typeof name !== 'string') continue;
        const resolved = name.includes('{{') ? substituteTemplate(name, (v) => variables.get(v)).text : name;
        const own = (ref as { namespace?: unknown }).namespace;
        const ns = typeof own === 'string' && own !== '' ? own : namespace;
        if (resolved.includes('{{')) dynamicSemaphores.add(ns);
        else if (OBJECT_NAME.test(resolved)) semaphoreMaps.add(`${ns}/${resolved}`);
      }
    }
    Object.values(record).forEach(visit);
  };
  visit(workflow.spec);
  for (const ref of referenced) visit(ref.spec);

  const found = new Map<string, ConfigMap>();
  if (dynamic && source.listConfigMaps) {
    for (const configMap of await source.listConfigMaps(namespace)) {
      const name = configMap.metadata?.name;
      if (name && configMap.metadata.labels?.[CONFIG_MAP_TYPE_LABEL] === PARAMETER_CONFIG_MAP_TYPE) found.set(name, configMap);
    }
  }
  for (const name of names) {
    if (found.has(name)) continue;
    const configMap = await source.get(namespace, name);
    if (configMap) found.set(name, configMap);
  }
  const out: ParameterConfigMap[] = [];
  for (const [name, configMap] of [...found].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const type = configMap.metadata?.labels?.[CONFIG_MAP_TYPE_LABEL];
    const entry: ParameterConfigMap = { name };
    if (type !== undefined) entry.type = String(type);
    // Only a Parameter ConfigMap's data can become a value; others are kept to say why not.
    if (type === PARAMETER_CONFIG_MAP_TYPE) entry.data = Object.fromEntries(Object.entries(configMap.data ?? {}).map(([k, v]) => [k, String(v)]));
    out.push(entry);
  }
  if (source.listConfigMaps) {
    for (const ns of dynamicSemaphores) {
      for (const configMap of await source.listConfigMaps(ns)) if (configMap.metadata?.name) semaphoreMaps.add(`${ns}/${configMap.metadata.name}`);
    }
  }
  for (const key of semaphoreMaps) {
    const [ns, name] = key.split('/') as [string, string];
    const configMap = ns === namespace ? (found.get(name) ?? (await source.get(ns, name))) : await source.get(ns, name);
    if (!configMap) continue;
    const data = Object.fromEntries(Object.entries(configMap.data ?? {}).map(([k, v]) => [k, String(v)]));
    const existing = ns === namespace ? out.find((e) => e.name === name) : undefined;
    if (existing) existing.data = { ...data, ...existing.data };
    else {
      const type = configMap.metadata?.labels?.[CONFIG_MAP_TYPE_LABEL];
      out.push({ name, ...(ns !== namespace ? { namespace: ns } : {}), ...(type !== undefined ? { type: String(type) } : {}), data });
    }
  }
  return out;
}

// Kubernetes' rule for ConfigMap names (a DNS subdomain).
const OBJECT_NAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

function configMapNameOf(parameter: unknown): string | undefined {
  if (parameter === null || typeof parameter !== 'object') return undefined;
  const valueFrom = (parameter as { valueFrom?: unknown }).valueFrom;
  if (valueFrom === null || typeof valueFrom !== 'object') return undefined;
  const ref = (valueFrom as { configMapKeyRef?: unknown }).configMapKeyRef;
  if (ref === null || typeof ref !== 'object') return undefined;
  const name = (ref as { name?: unknown }).name;
  return typeof name === 'string' ? name : undefined;
}

/** The workflow's variables known before it runs: its name, namespace and parameters given by value. */
function workflowVariables(workflow: Workflow, namespace: string): Map<string, string> {
  const variables = new Map<string, string>([['workflow.namespace', namespace]]);
  if (workflow.metadata?.name) variables.set('workflow.name', workflow.metadata.name);
  for (const p of workflow.spec?.arguments?.parameters ?? []) {
    const value = p.value ?? p.default;
    if (value !== undefined && value !== null) variables.set(`workflow.parameters.${p.name}`, String(value));
  }
  return variables;
}
