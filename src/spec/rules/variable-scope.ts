import type { Invocation, Template } from '../model/workflow.js';
import { hasResultOutput, isLeafTemplate, isPodTemplate } from '../template-type.js';
import { isRecord, list, type Resolution } from './spec-context.js';

/**
 * The variables visible at one point of a workflow, e.g. inside a step of the second group:
 * the workflow's globals, the template's inputs, the outputs of steps in earlier groups, and
 * `item` when the step loops. Scopes chain to their parent instead of copying it, so a template
 * of thousands of steps costs no more than its steps. `open` prefixes accept any name below them,
 * for values only known at run time (`item.*` over a withParam list, a step that runs a template
 * outside the linted files); a `lookup` answers for names computed on demand (a DAG task's
 * ancestors' outputs).
 */
export class VariableScope {
  private readonly names = new Set<string>();
  private readonly open: string[] = [];
  private readonly lookups: Array<(name: string) => boolean> = [];

  constructor(private readonly parent?: VariableScope) {}

  add(...names: string[]): this {
    for (const name of names) this.names.add(name);
    return this;
  }

  allowUnder(prefix: string): this {
    this.open.push(prefix);
    return this;
  }

  addLookup(lookup: (name: string) => boolean): this {
    this.lookups.push(lookup);
    return this;
  }

  has(name: string): boolean {
    for (let scope: VariableScope | undefined = this; scope; scope = scope.parent) {
      if (scope.names.has(name) || scope.open.some((prefix) => name.startsWith(prefix)) || scope.lookups.some((lookup) => lookup(name))) return true;
    }
    return false;
  }

  /** Whether `name` is a map holding visible names, as an expression may read `steps.a.outputs`. */
  contains(name: string): boolean {
    const prefix = `${name}.`;
    for (let scope: VariableScope | undefined = this; scope; scope = scope.parent) {
      for (const known of scope.names) if (known.startsWith(prefix)) return true;
      if (scope.open.some((open) => open.startsWith(prefix) || prefix.startsWith(open))) return true;
    }
    return false;
  }

  /** Visible names under the same root as `name`, to suggest the intended one. */
  candidatesFor(name: string): string[] {
    const root = `${name.split('.')[0]!}.`;
    const found: string[] = [];
    for (let scope: VariableScope | undefined = this; scope; scope = scope.parent) {
      for (const known of scope.names) if (known.startsWith(root)) found.push(known);
    }
    return found;
  }
}

/** A template's own variables: its inputs, its pod name, its retry counter, its declared outputs. */
export function addTemplateVariables(scope: VariableScope, template: Template): VariableScope {
  const inputs = isRecord(template.inputs) ? template.inputs : {};
  const parameters = list<{ name?: unknown }>(inputs.parameters).filter(isRecord);
  if (parameters.length > 0) scope.add('inputs.parameters');
  for (const p of parameters) if (typeof p.name === 'string') scope.add(`inputs.parameters.${p.name}`);
  for (const a of list<{ name?: unknown }>(inputs.artifacts).filter(isRecord)) {
    if (typeof a.name !== 'string') continue;
    scope.add(`inputs.artifacts.${a.name}`);
    if (isLeafTemplate(template)) scope.add(`inputs.artifacts.${a.name}.path`);
  }
  if (isPodTemplate(template)) scope.add('pod.name');
  if (template.retryStrategy !== undefined) scope.add('retries');
  // A template may refer to its own outputs (metrics, output expressions, artifact paths).
  const outputs = isRecord(template.outputs) ? template.outputs : {};
  for (const p of list<{ name?: unknown }>(outputs.parameters).filter(isRecord)) {
    if (typeof p.name === 'string') scope.add(`outputs.parameters.${p.name}`, `outputs.parameters.${p.name}.path`);
  }
  for (const a of list<{ name?: unknown }>(outputs.artifacts).filter(isRecord)) {
    if (typeof a.name === 'string') scope.add(`outputs.artifacts.${a.name}`, `outputs.artifacts.${a.name}.path`);
  }
  scope.add('outputs.result', 'outputs.exitCode');
  return scope;
}

/**
 * What a finished step or task offers under `steps.NAME.` / `tasks.NAME.`, from the template it
 * ran. A looped one also offers its outputs gathered into one JSON list.
 */
export function addNodeVariables(scope: VariableScope, root: 'steps' | 'tasks', invocation: Invocation, resolution: Resolution | undefined): VariableScope {
  const name = String(invocation.name);
  const prefix = `${root}.${name}`;
  scope.add(`${prefix}.id`, `${prefix}.startedAt`, `${prefix}.finishedAt`, `${prefix}.hostNodeName`, `${prefix}.status`);
  if (resolution?.status !== 'found') {
    // Its template is outside the linted files (or missing, which is reported on its own).
    scope.allowUnder(`${prefix}.`);
    return scope;
  }
  const template = resolution.template;
  if (template.daemon === true) scope.add(`${prefix}.ip`);
  if (hasResultOutput(template)) scope.add(`${prefix}.outputs.result`, `${prefix}.exitCode`);
  const outputs = isRecord(template.outputs) ? template.outputs : {};
  for (const p of list<{ name?: unknown }>(outputs.parameters).filter(isRecord)) {
    if (typeof p.name === 'string') scope.add(`${prefix}.outputs.parameters.${p.name}`);
  }
  for (const a of list<{ name?: unknown }>(outputs.artifacts).filter(isRecord)) {
    if (typeof a.name === 'string') scope.add(`${prefix}.outputs.artifacts.${a.name}`);
  }
  const looped = invocation.withItems !== undefined || invocation.withParam !== undefined || invocation.withSequence !== undefined;
  if (looped) scope.add(`${prefix}.outputs.parameters`, `${prefix}.outputs.result`);
  return scope;
}

/** `item` (and `item.KEY` for maps) inside a looping step or task. */
export function addItemVariables(scope: VariableScope, invocation: Invocation): VariableScope {
  if (Array.isArray(invocation.withItems)) {
    // `{{item}}` is the whole item, JSON for a map or list.
    scope.add('item');
    for (const item of invocation.withItems) {
      if (isRecord(item)) for (const key of Object.keys(item)) scope.add(`item.${key}`);
      else if (Array.isArray(item)) scope.allowUnder('item.');
    }
  } else if (invocation.withParam !== undefined) {
    // The list is only known at run time, so any key of its items may be meant.
    scope.add('item').allowUnder('item.');
  } else if (invocation.withSequence !== undefined) {
    scope.add('item');
  }
  return scope;
}
