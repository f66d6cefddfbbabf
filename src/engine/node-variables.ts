import type { Outputs, Parameter, Template } from '../spec/model/workflow.js';
import { substituteTemplate } from '../expr/index.js';
import { hasResultOutput } from '../spec/template-type.js';
import { fanInValue, type FanInPart } from './artifact-from.js';
import type { Execution } from './execution.js';
import { lastAttempt } from './retry-attempts.js';
import type { VariableScope } from './variable-scope.js';
import type { NodeStatus } from './workflow-status.js';

/**
 * Puts a finished step's or task's variables in scope, as Argo's buildLocalScope:
 * `<prefix>.<name>.id/status/startedAt/finishedAt/ip/hostNodeName/exitCode/outputs.result/
 * outputs.parameters.<p>/outputs.artifacts.<a>`. For a Retry node the last attempt's values are used.
 */
export function exposeNode(exec: Execution, scope: VariableScope, prefix: 'steps' | 'tasks', name: string, node: NodeStatus): void {
  let source = node;
  if (node.type === 'Retry') source = lastAttempt(node, (id) => exec.node(id)) ?? node;
  const key = `${prefix}.${name}`;
  scope.set(`${key}.id`, source.id);
  scope.set(`${key}.status`, source.phase);
  if (source.startedAt) scope.set(`${key}.startedAt`, source.startedAt);
  if (source.finishedAt) scope.set(`${key}.finishedAt`, source.finishedAt);
  if (source.podIP) scope.set(`${key}.ip`, source.podIP);
  if (source.hostNodeName) scope.set(`${key}.hostNodeName`, source.hostNodeName);
  exposeOutputs(scope, key, node.outputs ?? source.outputs);
}

function exposeOutputs(scope: VariableScope, key: string, outputs: Outputs | undefined): void {
  if (!outputs) return;
  if (outputs.result !== undefined) scope.set(`${key}.outputs.result`, outputs.result);
  if (outputs.exitCode !== undefined) scope.set(`${key}.exitCode`, outputs.exitCode);
  for (const p of outputs.parameters ?? []) if (p.value !== undefined) scope.set(`${key}.outputs.parameters.${p.name}`, String(p.value));
  for (const a of outputs.artifacts ?? []) scope.set(`${key}.outputs.artifacts.${a.name}`, JSON.stringify(a));
}

/**
 * A skipped or omitted step has no outputs: its declared output parameters become their
 * `valueFrom.default`, or "absent" (null), which only `??` in an expression can replace.
 */
export function exposeSkipped(scope: VariableScope, prefix: 'steps' | 'tasks', name: string, node: NodeStatus, template: Template | undefined): void {
  const key = `${prefix}.${name}`;
  scope.set(`${key}.id`, node.id);
  scope.set(`${key}.status`, node.phase);
  for (const p of template?.outputs?.parameters ?? []) {
    const fallback = p.valueFrom?.default;
    scope.set(`${key}.outputs.parameters.${p.name}`, fallback === undefined ? null : String(fallback));
  }
  // Known to be absent, so an expression can branch past it (`c ? a.outputs.result : b.outputs.result`).
  if (template && hasResultOutput(template)) scope.set(`${key}.outputs.result`, null);
}

/**
 * A looped step's outputs, aggregated in loop order over the iterations that succeeded, as
 * Argo's processAggregateNodeOutputs: `outputs.result` is a JSON list of the results (parsed as
 * JSON where they are JSON), `outputs.parameters` a JSON list of maps, and
 * `outputs.parameters.<p>` a JSON list of values (parsed when every value is a JSON list or map).
 */
export function exposeAggregate(exec: Execution, scope: VariableScope, prefix: 'steps' | 'tasks', name: string, nodes: readonly NodeStatus[]): void {
  const key = `${prefix}.${name}`;
  const results: unknown[] = [];
  const maps: Array<Record<string, string>> = [];
  const byName = new Map<string, string[]>();
  const artifacts = new Map<string, FanInPart[]>();
  for (const [index, node] of nodes.entries()) {
    // Memoized nodes kept by resubmit are Skipped but carry their outputs.
    if (node.phase !== 'Succeeded' && !node.memoizationStatus?.hit) continue;
    let outputs = node.outputs;
    if (!outputs && node.type === 'Retry') outputs = lastAttempt(node, (id) => exec.node(id))?.outputs;
    if (!outputs) continue;
    if (outputs.parameters && outputs.parameters.length > 0) {
      const map: Record<string, string> = {};
      for (const p of outputs.parameters) {
        const value = String(p.value ?? '');
        map[p.name] = value;
        let list = byName.get(p.name);
        if (!list) byName.set(p.name, (list = []));
        list.push(value);
      }
      maps.push(map);
    }
    if (outputs.result !== undefined) results.push(parseJsonOr(outputs.result));
    for (const artifact of outputs.artifacts ?? []) {
      if (!hasLocation(artifact)) continue;
      let parts = artifacts.get(artifact.name);
      if (!parts) artifacts.set(artifact.name, (parts = []));
      parts.push({ index, artifact });
    }
  }
  // Beyond Argo (issue 934): a looped step's output artifact is every iteration's, as one fan-in input.
  for (const [artifact, parts] of artifacts) scope.set(`${key}.outputs.artifacts.${artifact}`, fanInValue(artifact, parts));
  scope.set(`${key}.outputs.result`, JSON.stringify(results));
  scope.set(`${key}.outputs.parameters`, JSON.stringify(maps));
  for (const [param, values] of byName) scope.set(`${key}.outputs.parameters.${param}`, aggregateValues(values));
}

function hasLocation(artifact: object): boolean {
  return ['s3', 'local', 'git', 'http', 'raw', 'gcs', 'oss', 'azure', 'hdfs', 'artifactory'].some(
    (field) => (artifact as Record<string, unknown>)[field] != null,
  );
}

// Argo decodes each result as a JSON item; a result that is not JSON is kept as a string.
function parseJsonOr(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function aggregateValues(values: string[]): string {
  const parsed: unknown[] = [];
  for (const v of values) {
    try {
      const x: unknown = JSON.parse(v);
      if (x === null || typeof x !== 'object') return JSON.stringify(values);
      parsed.push(x);
    } catch {
      return JSON.stringify(values);
    }
  }
  return JSON.stringify(parsed);
}

// An output parameter's random values are its own: the node's seed and the parameter's name.
function outputSeed(scope: VariableScope, name: string): string | undefined {
  const seed = scope.randomSeed();
  return seed === undefined ? undefined : `${seed}\0outputs/${name}`;
}

/**
 * The outputs of a steps or DAG template from its scope (Argo's getTemplateOutputsFromScope):
 * `valueFrom.parameter` or `valueFrom.expression`, falling back to `valueFrom.default`.
 */
export function templateOutputsFromScope(template: Template, scope: VariableScope): { outputs?: Outputs; error?: string } {
  const declared = template.outputs;
  if (!declared || ((declared.parameters?.length ?? 0) === 0 && (declared.artifacts?.length ?? 0) === 0)) return {};
  const outputs: Outputs = {};
  const parameters: Parameter[] = [];
  for (const p of declared.parameters ?? []) {
    const from = p.valueFrom;
    const fallback = from?.default !== undefined ? String(from.default) : undefined;
    let value: string | undefined;
    let error: string | undefined;
    const source = from?.expression !== undefined ? `{{=${from.expression}}}` : from?.parameter;
    if (source === undefined) {
      if (p.value !== undefined) value = String(p.value);
      else if (fallback === undefined) return { error: `output parameter "${p.name}" needs valueFrom.parameter or valueFrom.expression` };
    } else {
      const result = substituteTemplate(source, scope.lookup, { strict: true, now: scope.now(), seed: outputSeed(scope, p.name) });
      if (result.errors.length > 0) error = result.errors[0]!.message;
      else value = result.text;
    }
    if (value === undefined) value = fallback;
    if (value === undefined) return { error: `output parameter "${p.name}": ${error ?? 'no value'}` };
    const out: Parameter = { name: p.name, value };
    if (p.globalName) out.globalName = p.globalName;
    parameters.push(out);
  }
  if (parameters.length > 0) outputs.parameters = parameters;
  const artifacts = [];
  for (const a of declared.artifacts ?? []) {
    if (!a.from) continue;
    const ref = /^\{\{\s*([^}]+?)\s*\}\}$/.exec(a.from)?.[1];
    const found = ref ? scope.get(ref) : undefined;
    if (typeof found === 'string') {
      try {
        artifacts.push({ ...(JSON.parse(found) as object), name: a.name, ...(a.globalName ? { globalName: a.globalName } : {}) });
        continue;
      } catch {
        // fall through to the error below
      }
    }
    if (!a.optional) return { error: `unable to resolve output artifact "${a.name}" from ${a.from}` };
  }
  if (artifacts.length > 0) outputs.artifacts = artifacts as Outputs['artifacts'];
  return { outputs };
}

/**
 * Argument parameters that are nothing but a reference to an absent output (a skipped step's
 * parameter without a default) count as not supplied, so the callee's input default applies
 * (Argo's markAbsentOptionalArgs).
 */
export function dropAbsentArguments<T extends { arguments?: { parameters?: Parameter[] } }>(invocation: T, scope: VariableScope): T {
  const parameters = invocation.arguments?.parameters;
  if (!parameters) return invocation;
  const kept = parameters.filter((p) => {
    if (typeof p.value !== 'string') return true;
    const ref = /^\{\{\s*((?:steps|tasks)\.[^{}]+?)\s*\}\}$/.exec(p.value)?.[1];
    return ref === undefined || scope.get(ref) !== null;
  });
  if (kept.length === parameters.length) return invocation;
  return { ...invocation, arguments: { ...invocation.arguments, parameters: kept } };
}
