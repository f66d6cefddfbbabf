import type { AnyString, Arguments, Artifact, Parameter, Template } from '../spec/model/workflow.js';
import type { NodeInputs } from './workflow-status.js';
import { resolveArtifactFrom } from './artifact-from.js';
import type { ConfigMapParameters } from './config-map-parameters.js';
import { describeProblems, substituteValue, type VariableScope } from './variable-scope.js';

export type ProcessedTemplate = { template: Template; inputs: NodeInputs; scope: VariableScope } | { error: string };

export interface ProcessOptions {
  /** Where `valueFrom.configMapKeyRef` parameters are read; without it they are an error. */
  configMaps?: ConfigMapParameters;
  /** The inputs the node already recorded (a run picked up again): their ConfigMap values are kept, not read again. */
  recorded?: NodeInputs;
}

function text(value: AnyString | undefined): string | undefined {
  return value === undefined || value === null ? undefined : String(value);
}

/**
 * Binds a template's inputs to the caller's arguments and substitutes the template, as Argo's
 * common.ProcessArgs does: an argument wins over the input's own value, which wins over its
 * default; a parameter with no value is an error; a value outside `enum` is an error. Every
 * `{{inputs...}}` tag must resolve; other tags (`{{steps...}}`, `{{item}}`) are left for later, and
 * so are a steps or DAG template's expressions that fail to evaluate (their steps decide later).
 *
 * A parameter whose `valueFrom.configMapKeyRef` is in effect (the input's own, or the argument's
 * when the argument has no value) takes its value from that ConfigMap key, read now, as Argo
 * does when the template runs; the ConfigMap's name and key may use the workflow's variables.
 *
 * `local` holds the variables of this execution (`pod.name`, `node.name`, `retries`, ...).
 */
export function processTemplate(
  template: Template,
  args: Arguments | undefined,
  globals: VariableScope,
  local: Record<string, string>,
  options: ProcessOptions = {},
): ProcessedTemplate {
  const scope = globals.child();
  if (local['node.name'] !== undefined) scope.seedForNode(local['node.name']);
  for (const [k, v] of Object.entries(local)) scope.set(k, v);
  const parameters: Parameter[] = [];
  for (const input of template.inputs?.parameters ?? []) {
    const arg = args?.parameters?.find((p) => p.name === input.name);
    const argValue = text(arg?.value);
    // An argument's value replaces the input's ConfigMap source; an argument without one may bring its own.
    const fromConfigMap =
      argValue !== undefined ? undefined : arg?.valueFrom?.configMapKeyRef ? arg.valueFrom : input.valueFrom?.configMapKeyRef ? input.valueFrom : undefined;
    let value: string | undefined;
    if (fromConfigMap) {
      const read = configMapValue(input.name, fromConfigMap, globals, options);
      if ('error' in read) return { error: `inputs.parameters.${input.name}: ${read.error}` };
      value = read.value;
    } else {
      value = argValue ?? text(input.value) ?? text(input.default);
    }
    if (value === undefined) return { error: `inputs.parameters.${input.name} was not supplied` };
    // An argument may itself hold tags of the workflow (`{{workflow.name}}`).
    if (value.includes('{{')) value = substituteValue(value, scope, false).value;
    if (input.enum && input.enum.length > 0 && !input.enum.map(String).includes(value)) {
      return { error: `inputs.parameters.${input.name} value "${value}" is not one of the allowed values: ${input.enum.map(String).join(', ')}` };
    }
    const bound: Parameter = { name: input.name, value };
    if (input.enum) bound.enum = input.enum;
    if (input.description !== undefined) bound.description = input.description;
    parameters.push(bound);
    scope.set(`inputs.parameters.${input.name}`, value);
  }
  scope.set('inputs.parameters', JSON.stringify(parameters));
  const artifacts: Artifact[] = [];
  for (const input of template.inputs?.artifacts ?? []) {
    const arg = args?.artifacts?.find((a) => a.name === input.name);
    let merged: Artifact = { ...input, ...(arg ?? {}), name: input.name };
    if (input.path !== undefined) merged.path = input.path;
    if (!arg && !hasSource(input) && !input.optional) return { error: `inputs.artifacts.${input.name} was not supplied` };
    if (merged.from !== undefined) {
      // The caller substituted its own `from`; one declared on the input itself is substituted here.
      if (merged.from.includes('{{')) merged.from = substituteValue(merged.from, scope, false).value;
      const resolved = resolveArtifactFrom(merged);
      if ('error' in resolved) return { error: resolved.error };
      merged = resolved.artifact;
    }
    artifacts.push(merged);
    if (merged.path !== undefined) scope.set(`inputs.artifacts.${input.name}.path`, merged.path);
    // So that a steps or DAG template can pass its input on: `from: "{{inputs.artifacts.x}}"`.
    scope.set(`inputs.artifacts.${input.name}`, JSON.stringify(merged));
  }
  // Argo's output path placeholders: `{{outputs.artifacts.x.path}}`, `{{outputs.parameters.x.path}}`.
  for (const a of template.outputs?.artifacts ?? []) if (a.path !== undefined) scope.set(`outputs.artifacts.${a.name}.path`, a.path);
  for (const p of template.outputs?.parameters ?? []) if (p.valueFrom?.path !== undefined) scope.set(`outputs.parameters.${p.name}.path`, p.valueFrom.path);
  // A steps or DAG template's expressions that fail now are evaluated again per step, after its
  // `when`: one guarded by `when` (jsonpath of a parameter that may be empty) must not fail the template.
  const deferFailedExpressions = template.steps !== undefined || template.dag !== undefined;
  const { value: substituted, problems } = substituteValue(template, scope, ['inputs'], { deferFailedExpressions });
  if (problems.length > 0) return { error: describeProblems(problems) };
  const inputs: NodeInputs = {};
  if (parameters.length > 0) inputs.parameters = parameters;
  if (artifacts.length > 0) inputs.artifacts = substituteValue(artifacts, scope, false).value;
  return { template: substituted, inputs, scope };
}

/** An input's value from its ConfigMap key: the one the node recorded, else read now. */
function configMapValue(
  name: string,
  valueFrom: NonNullable<Parameter['valueFrom']>,
  globals: VariableScope,
  options: ProcessOptions,
): { value: string } | { error: string } {
  const recorded = text(options.recorded?.parameters?.find((p) => p.name === name)?.value);
  if (recorded !== undefined) return { value: recorded };
  if (!options.configMaps) return { error: 'configMapKeyRef cannot be read here (no ConfigMaps were given to the run)' };
  const ref = valueFrom.configMapKeyRef!;
  // Argo substitutes the workflow's variables, not the template's, in the ConfigMap's name and key.
  const { value: selector, problems } = substituteValue({ name: ref.name, key: ref.key }, globals, true);
  if (problems.length > 0) return { error: `configMapKeyRef: ${describeProblems(problems)}` };
  return options.configMaps.resolve(valueFrom, selector);
}

function hasSource(artifact: Artifact): boolean {
  return Boolean(
    artifact.s3 ||
      artifact.git ||
      artifact.http ||
      artifact.raw ||
      artifact.gcs ||
      artifact.oss ||
      artifact.azure ||
      artifact.hdfs ||
      artifact.artifactory ||
      artifact.from ||
      artifact.fromExpression,
  );
}
