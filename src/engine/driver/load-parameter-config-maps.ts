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
}

/**
 * Reads the ConfigMaps that the parameters of a workflow (and of the templates it refers to)
 * name with `valueFrom.configMapKeyRef`, from the workflow's namespace, so the engine can resolve
 * them without I/O. A name made of the workflow's parameters (`{{workflow.parameters.env}}-settings`)
 * is read under the name those give; one that needs a step's values cannot be known beforehand
 * and is left out, as is a ConfigMap that does not exist: the engine then says which is missing.
 *
 * @example
 * const configMaps = await loadParameterConfigMaps(workflow, referenced, objects);
 * // [{ name: 'simple-parameters', type: 'Parameter', data: { msg: 'hello world' } }]
 */
export async function loadParameterConfigMaps(workflow: Workflow, referenced: readonly ReferencedTemplate[], source: ParameterConfigMapSource): Promise<ParameterConfigMap[]> {
  const namespace = String(workflow.metadata?.namespace ?? 'default');
  const names = new Set<string>();
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
        if (resolved !== '' && !resolved.includes('{{')) names.add(resolved);
      }
    }
    Object.values(record).forEach(visit);
  };
  visit(workflow.spec);
  for (const ref of referenced) visit(ref.spec);

  const out: ParameterConfigMap[] = [];
  for (const name of [...names].sort()) {
    const configMap = await source.get(namespace, name);
    if (!configMap) continue;
    const type = configMap.metadata?.labels?.[CONFIG_MAP_TYPE_LABEL];
    const entry: ParameterConfigMap = { name };
    if (type !== undefined) entry.type = String(type);
    // Only a Parameter ConfigMap's data can become a value; others are kept to say why not.
    if (type === PARAMETER_CONFIG_MAP_TYPE) entry.data = Object.fromEntries(Object.entries(configMap.data ?? {}).map(([k, v]) => [k, String(v)]));
    out.push(entry);
  }
  return out;
}

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
