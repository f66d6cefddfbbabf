/**
 * Shape checks of what is read back from a state directory, before any of it is applied: a value
 * of the wrong type would otherwise surface far away (a table that cannot print a run, an
 * engine that cannot iterate a node's children) and for every run at once. Only what the code
 * relies on is checked; each check returns what is wrong, or undefined.
 */

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const optional = (value: unknown, type: 'string' | 'boolean' | 'number'): boolean => value === undefined || typeof value === type;

/** What is wrong with a node status, if anything. */
export function nodeProblem(node: unknown, where: string): string | undefined {
  if (!isObject(node)) return `${where} is not an object`;
  for (const key of ['id', 'name', 'displayName', 'type', 'phase'] as const) {
    if (typeof node[key] !== 'string') return `${where} has no string "${key}"`;
  }
  for (const key of ['templateName', 'boundaryID', 'message', 'startedAt', 'finishedAt', 'podIP', 'hostNodeName'] as const) {
    if (!optional(node[key], 'string')) return `${where}: "${key}" is not a string`;
  }
  for (const key of ['children', 'outboundNodes'] as const) {
    const list = node[key];
    if (list !== undefined && (!Array.isArray(list) || list.some((id) => typeof id !== 'string'))) return `${where}: "${key}" is not a list of node ids`;
  }
  for (const key of ['inputs', 'outputs', 'nodeFlag', 'templateRef', 'synchronizationStatus', 'memoizationStatus'] as const) {
    if (node[key] !== undefined && !isObject(node[key])) return `${where}: "${key}" is not an object`;
  }
  for (const key of ['inputs', 'outputs'] as const) {
    const value = node[key] as Json | undefined;
    for (const list of ['parameters', 'artifacts'] as const) {
      if (value?.[list] !== undefined && !Array.isArray(value[list])) return `${where}: "${key}.${list}" is not a list`;
    }
  }
  return undefined;
}

/** What is wrong with the run-level fields of a status (everything but its nodes), if anything. */
export function runFieldsProblem(fields: unknown, where: string): string | undefined {
  if (!isObject(fields)) return `${where} is not an object`;
  if (typeof fields.phase !== 'string') return `${where} has no string "phase"`;
  for (const key of ['startedAt', 'finishedAt', 'message', 'progress'] as const) {
    if (!optional(fields[key], 'string')) return `${where}: "${key}" is not a string`;
  }
  for (const key of ['outputs', 'artifactRepositoryRef', 'artifactGCStatus', 'synchronization'] as const) {
    if (fields[key] !== undefined && !isObject(fields[key])) return `${where}: "${key}" is not an object`;
  }
  if (fields.conditions !== undefined && !Array.isArray(fields.conditions)) return `${where}: "conditions" is not a list`;
  return undefined;
}

/** What is wrong with a workflow as saved with a run, if anything. */
export function workflowProblem(workflow: unknown, where: string): string | undefined {
  if (!isObject(workflow)) return `${where} is not an object`;
  if (!isObject(workflow.metadata)) return `${where} has no "metadata" object`;
  if (!optional(workflow.metadata.name, 'string')) return `${where}: "metadata.name" is not a string`;
  if (!isObject(workflow.spec)) return `${where} has no "spec" object`;
  if (workflow.spec.templates !== undefined && !Array.isArray(workflow.spec.templates)) return `${where}: "spec.templates" is not a list`;
  return undefined;
}

/**
 * What is wrong with a whole saved run (a snapshot's) of key `key` (`namespace/name`), if
 * anything. A snapshot written before runs were keyed by namespace holds `id`, the name alone.
 */
export function storedRunProblem(run: unknown, key: string): string | undefined {
  if (!isObject(run)) return 'the run is not an object';
  const name = key.slice(key.indexOf('/') + 1);
  if (run.key === undefined ? run.id !== name : run.key !== key) return `the run's key is ${JSON.stringify(run.key ?? run.id)}, not "${key}"`;
  const workflow = workflowProblem(run.workflow, 'the workflow');
  if (workflow) return workflow;
  for (const key of ['referenced', 'configMaps', 'caches'] as const) {
    if (run[key] !== undefined && !Array.isArray(run[key])) return `"${key}" is not a list`;
  }
  const status = run.status;
  const fields = runFieldsProblem(status, 'the status');
  if (fields) return fields;
  const nodes = (status as Json).nodes;
  if (!isObject(nodes)) return 'the status has no "nodes" object';
  for (const [key, node] of Object.entries(nodes)) {
    const problem = nodeProblem(node, `node "${key}"`);
    if (problem) return problem;
    if ((node as Json).id !== key) return `node "${key}" has the id ${JSON.stringify((node as Json).id)}`;
  }
  return undefined;
}

/** What is wrong with a journal record's body (`nodes`, `run`, `workflow`), if anything. */
export function recordProblem(record: Json): string | undefined {
  if (!Array.isArray(record.nodes)) return 'its "nodes" is not a list';
  for (const [index, node] of record.nodes.entries()) {
    const problem = nodeProblem(node, `its node ${index + 1}`);
    if (problem) return problem;
  }
  const fields = runFieldsProblem(record.run, 'its "run"');
  if (fields) return fields;
  if (record.workflow !== undefined) return workflowProblem(record.workflow, 'its "workflow"');
  return undefined;
}
