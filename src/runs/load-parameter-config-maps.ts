import { CONFIG_MAP_TYPE_LABEL, PARAMETER_CONFIG_MAP_TYPE } from '../spec/model/config-map-type.js';
import type { Workflow } from '../spec/model/workflow.js';
import type { ParameterConfigMap } from '../engine/config-map-parameters.js';
import type { ReferencedTemplate } from '../engine/template-catalog.js';
import { ConfigMapNames, type ConfigMapSource, dataOf, readTypedConfigMaps } from './read-typed-config-maps.js';

/** Where the ConfigMaps of parameters, semaphores and caches are read (see ConfigMapSource). */
export type ParameterConfigMapSource = ConfigMapSource;

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
export async function loadParameterConfigMaps(
  workflow: Workflow,
  referenced: readonly ReferencedTemplate[],
  source: ParameterConfigMapSource,
): Promise<ParameterConfigMap[]> {
  const namespace = String(workflow.metadata?.namespace ?? 'default');
  const names = new ConfigMapNames(workflow, namespace);
  // Semaphore limits are ConfigMap keys too (of any ConfigMap: Argo asks for no label there), by namespace.
  const semaphoreNames = new Map<string, ConfigMapNames>();
  const semaphoreNamesIn = (ns: string): ConfigMapNames => {
    let found = semaphoreNames.get(ns);
    if (!found) semaphoreNames.set(ns, (found = new ConfigMapNames(workflow, ns)));
    return found;
  };
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (value === null || typeof value !== 'object') return;
    const record = value as Record<string, unknown>;
    if (Array.isArray(record.parameters)) {
      for (const parameter of record.parameters as unknown[]) {
        const name = configMapNameOf(parameter);
        if (name !== undefined) names.add(name);
      }
    }
    const sync = record.synchronization;
    if (sync !== null && typeof sync === 'object') {
      const { semaphores, semaphore } = sync as { semaphores?: unknown; semaphore?: unknown };
      for (const ref of [...(Array.isArray(semaphores) ? semaphores : []), semaphore]) {
        if (ref === null || typeof ref !== 'object') continue;
        const name = (ref as { configMapKeyRef?: { name?: unknown } }).configMapKeyRef?.name;
        if (typeof name !== 'string') continue;
        const own = (ref as { namespace?: unknown }).namespace;
        semaphoreNamesIn(typeof own === 'string' && own !== '' ? own : namespace).add(name);
      }
    }
    Object.values(record).forEach(visit);
  };
  visit(workflow.spec);
  for (const ref of referenced) visit(ref.spec);

  // Only a Parameter ConfigMap's data can become a value; others are kept to say why not.
  const out: ParameterConfigMap[] = await readTypedConfigMaps(source, names, PARAMETER_CONFIG_MAP_TYPE);
  for (const [ns, wanted] of semaphoreNames) {
    // A semaphore named by a template's inputs may read any ConfigMap of its namespace.
    const candidates = wanted.dynamic && source.listConfigMaps ? await source.listConfigMaps(ns) : [];
    const byName = new Map(candidates.flatMap((cm) => (cm.metadata?.name ? [[cm.metadata.name, cm] as const] : [])));
    for (const name of wanted.names)
      if (!byName.has(name)) {
        const configMap = await source.get(ns, name);
        if (configMap) byName.set(name, configMap);
      }
    for (const [name, configMap] of byName) {
      const data = dataOf(configMap);
      const existing = ns === namespace ? out.find((e) => e.name === name) : undefined;
      if (existing) existing.data = { ...data, ...existing.data };
      else {
        const type = configMap.metadata?.labels?.[CONFIG_MAP_TYPE_LABEL];
        out.push({ name, ...(ns !== namespace ? { namespace: ns } : {}), ...(type !== undefined ? { type: String(type) } : {}), data });
      }
    }
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
