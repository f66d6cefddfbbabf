import { substituteTemplate } from '../expr/index.js';
import { CONFIG_MAP_TYPE_LABEL } from '../spec/model/config-map-type.js';
import type { ConfigMap } from '../spec/model/kubernetes.js';
import type { Workflow } from '../spec/model/workflow.js';
import type { ConfigMapSource } from '../ports/config-map-source.js';

export type { ConfigMapSource };

/** A ConfigMap as the engine gets it: its data only when it carries the type asked for. */
export interface TypedConfigMap {
  name: string;
  type?: string;
  data?: Record<string, string>;
}

// Kubernetes' rule for ConfigMap names (a DNS subdomain).
export const CONFIG_MAP_NAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/**
 * The ConfigMap names a workflow's fields give, as read before it runs: a name made of the
 * workflow's own values (`{{workflow.parameters.env}}-settings`) is resolved with them; one that
 * still holds a `{{...}}` (a template's inputs) is known only at run time.
 */
export class ConfigMapNames {
  readonly names = new Set<string>();
  /** Some name is known only at run time. */
  dynamic = false;
  private readonly variables = new Map<string, string>();

  constructor(
    workflow: Workflow,
    readonly namespace: string,
  ) {
    this.variables.set('workflow.namespace', namespace);
    if (workflow.metadata?.name) this.variables.set('workflow.name', workflow.metadata.name);
    for (const p of workflow.spec?.arguments?.parameters ?? []) {
      const value = p.value ?? p.default;
      if (value !== undefined && value !== null) this.variables.set(`workflow.parameters.${p.name}`, String(value));
    }
  }

  /** The name with the workflow's values in, or undefined if it is known only at run time. */
  resolve(name: string): string | undefined {
    const resolved = name.includes('{{') ? substituteTemplate(name, (v) => this.variables.get(v)).text : name;
    return resolved.includes('{{') ? undefined : resolved;
  }

  /** Records a name to read; a name Kubernetes would refuse names no ConfigMap and is not read. */
  add(name: string): void {
    const resolved = this.resolve(name);
    if (resolved === undefined) this.dynamic = true;
    else if (CONFIG_MAP_NAME.test(resolved)) this.names.add(resolved);
  }
}

/**
 * Reads the ConfigMaps `names` gathered, from their namespace, keeping the data only of those
 * labelled `workflows.argoproj.io/configmap-type: <type>` (the others are kept by name and type
 * so the engine can say why it refuses them). When a name is known only at run time, every
 * ConfigMap of that type in the namespace is read, if the source can list them. A ConfigMap that
 * does not exist is left out. Sorted by name, so a run's saved copy does not depend on I/O order.
 */
export async function readTypedConfigMaps(source: ConfigMapSource, names: ConfigMapNames, type: string): Promise<TypedConfigMap[]> {
  const found = new Map<string, ConfigMap>();
  if (names.dynamic && source.listConfigMaps) {
    for (const configMap of await source.listConfigMaps(names.namespace)) {
      const name = configMap.metadata?.name;
      if (name && configMap.metadata.labels?.[CONFIG_MAP_TYPE_LABEL] === type) found.set(name, configMap);
    }
  }
  for (const name of names.names) {
    if (found.has(name)) continue;
    const configMap = await source.get(names.namespace, name);
    if (configMap) found.set(name, configMap);
  }
  const out: TypedConfigMap[] = [];
  for (const [name, configMap] of [...found].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const label = configMap.metadata?.labels?.[CONFIG_MAP_TYPE_LABEL];
    const entry: TypedConfigMap = { name };
    if (label !== undefined) entry.type = String(label);
    if (label === type) entry.data = dataOf(configMap);
    out.push(entry);
  }
  return out;
}

/** A ConfigMap's data with every value as a string. */
export function dataOf(configMap: ConfigMap): Record<string, string> {
  return Object.fromEntries(Object.entries(configMap.data ?? {}).map(([k, v]) => [k, String(v)]));
}
