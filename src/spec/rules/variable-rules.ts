import { type ExpressionReference, expressionReferences } from '../../expr/expression-identifiers.js';
import { parseExpression } from '../../expr/expression-parser.js';
import { findTemplateTags } from '../../expr/template-tags.js';
import type { DocumentPath, Finding } from '../diagnostic.js';
import type { DagTask, Invocation, Template } from '../model/workflow.js';
import { suggest } from '../schema/check-shape.js';
import { directDependencies } from './dag-rules.js';
import { isRecord, list, resolveInvocation, templatesOf, type SpecContext } from './spec-context.js';
import { addItemVariables, addNodeVariables, addTemplateVariables, VariableScope } from './variable-scope.js';

/** Variable roots Skiff checks. Tags with any other root (a Helm `{{ .Values }}`) are left alone. */
const ROOTS = ['item', 'steps', 'tasks', 'inputs', 'outputs', 'pod', 'workflow'];
/** Roots that are always fine to use and not checked further. */
const UNCHECKED_ROOTS = ['node', 'retries', 'lastRetry', 'cronworkflow', 'status', 'duration', 'exitCode'];

/**
 * Every `{{...}}` reference must name something declared and visible where it is used:
 * `inputs.parameters.x` only if the template declares x, `steps.a...` only after a's group,
 * `tasks.a...` only where a is a (transitive) dependency, `item` only inside a loop.
 */
export function checkVariables(context: SpecContext): Finding[] {
  const findings: Finding[] = [];
  const globals = globalScope(context);
  const { specPath } = context;
  // Workflow-level fields besides templates see only the globals; hooks also see the run's nodes,
  // and so do volumes, which Argo substitutes with each step's or task's scope before it runs.
  for (const [key, value] of Object.entries(context.spec)) {
    if (key === 'templates' || key === 'templateDefaults') continue;
    const scope = key === 'hooks' || key === 'volumes' ? new VariableScope(globals).allowUnder('steps.').allowUnder('tasks.') : globals;
    checkStrings(value, [...specPath, key], scope, findings);
  }
  list<Template>(context.spec.templates).forEach((template, index) => {
    if (!isRecord(template)) return;
    checkTemplate(context, template, [...specPath, 'templates', index], globals, findings);
  });
  return findings;
}

function checkTemplate(context: SpecContext, template: Template, path: DocumentPath, globals: VariableScope, findings: Finding[]): void {
  const own = addTemplateVariables(new VariableScope(globals), template);
  if (Array.isArray(template.steps)) {
    // `earlier` grows group by group; a step sees it as it was before its own group started.
    const earlier = new VariableScope(own);
    const all = new VariableScope(own);
    template.steps.forEach((group, g) => {
      const steps = list<Invocation>(group).filter(isRecord) as Invocation[];
      const finishedBefore = new VariableScope(earlier);
      list<Invocation>(group).forEach((step, s) => {
        if (!isRecord(step)) return;
        const scope = addItemVariables(new VariableScope(finishedBefore), step);
        checkInvocation(context, step, [...path, 'steps', g, s], scope, resolveInvocation(context, step), 'steps', findings);
      });
      for (const step of steps) {
        const resolution = resolveInvocation(context, step);
        addNodeVariables(earlier, 'steps', step, resolution);
        addNodeVariables(all, 'steps', step, resolution);
      }
    });
    checkStrings(withoutKey(template, 'steps'), path, all, findings);
    return;
  }
  if (isRecord(template.dag)) {
    const tasks = list<DagTask>(template.dag.tasks).filter(isRecord) as DagTask[];
    // Each task's outputs, computed once; a task sees those of its ancestors, looked up on demand.
    const nodeScopes = new Map(
      tasks.map((task) => [String(task.name), addNodeVariables(new VariableScope(), 'tasks', task, resolveInvocation(context, task))]),
    );
    const dependencies = new Map(tasks.map((task) => [String(task.name), directDependencies(task)]));
    const all = new VariableScope(own).addLookup((name) => nodeScopes.get(taskNameIn(name) ?? '')?.has(name) ?? false);
    list<DagTask>(template.dag.tasks).forEach((task, t) => {
      if (!isRecord(task)) return;
      let ancestors: Set<string> | undefined;
      const scope = addItemVariables(new VariableScope(own), task).addLookup((name) => {
        const referenced = taskNameIn(name);
        if (referenced === undefined) return false;
        ancestors ??= ancestorsOf(String(task.name), dependencies);
        return ancestors.has(referenced) && (nodeScopes.get(referenced)?.has(name) ?? false);
      });
      checkInvocation(context, task, [...path, 'dag', 'tasks', t], scope, resolveInvocation(context, task), 'tasks', findings);
    });
    checkStrings({ ...template, dag: withoutKey(template.dag, 'tasks') }, path, all, findings);
    return;
  }
  checkStrings(template, path, own, findings);
}

function checkInvocation(
  context: SpecContext,
  invocation: Invocation,
  path: DocumentPath,
  scope: VariableScope,
  resolution: ReturnType<typeof resolveInvocation>,
  root: 'steps' | 'tasks',
  findings: Finding[],
): void {
  const { hooks, onExit, inline, ...rest } = invocation;
  checkStrings(rest, path, scope, findings);
  // Hooks and exit handlers run after the node, so they may read its own outputs and status.
  const after = addNodeVariables(new VariableScope(scope), root, invocation, resolution);
  checkStrings({ hooks, onExit }, path, after, findings);
  if (isRecord(inline)) checkTemplate(context, inline, [...path, 'inline'], addTemplateVariables(new VariableScope(scope), inline), findings);
}

/** `a` for `tasks.a.outputs.result`. */
function taskNameIn(name: string): string | undefined {
  if (!name.startsWith('tasks.')) return undefined;
  return name.split('.')[1];
}

/** Every task the given task waits for, directly or through others. */
function ancestorsOf(task: string, dependencies: Map<string, string[]>): Set<string> {
  const seen = new Set<string>();
  const queue = [...(dependencies.get(task) ?? [])];
  while (queue.length > 0) {
    const name = queue.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    queue.push(...(dependencies.get(name) ?? []));
  }
  return seen;
}

function globalScope(context: SpecContext): VariableScope {
  const scope = new VariableScope().add(
    'workflow.name',
    'workflow.namespace',
    'workflow.uid',
    'workflow.serviceAccountName',
    'workflow.mainEntrypoint',
    'workflow.status',
    'workflow.duration',
    'workflow.priority',
    'workflow.failures',
    'workflow.parameters',
    'workflow.parameters.json',
    'workflow.annotations',
    'workflow.annotations.json',
    'workflow.labels',
    'workflow.labels.json',
    // The name of the step or task being run, wherever it is used.
    'steps.name',
    'tasks.name',
  );
  scope.allowUnder('workflow.creationTimestamp').allowUnder('workflow.scheduledTime');
  const args = isRecord(context.spec.arguments) ? context.spec.arguments : {};
  for (const p of list<{ name?: unknown }>(args.parameters).filter(isRecord)) if (typeof p.name === 'string') scope.add(`workflow.parameters.${p.name}`);
  // A template library's parameters come from the workflows that use it; so do a referenced template's.
  if (context.kind === 'WorkflowTemplate' || context.kind === 'ClusterWorkflowTemplate' || isRecord(context.spec.workflowTemplateRef)) {
    scope.allowUnder('workflow.parameters.');
  }
  const metadata = context.metadata;
  const workflowMetadata = isRecord(context.spec.workflowMetadata) ? context.spec.workflowMetadata : {};
  for (const source of [metadata.annotations, workflowMetadata.annotations]) {
    if (isRecord(source)) for (const key of Object.keys(source)) scope.add(`workflow.annotations.${key}`);
  }
  for (const source of [metadata.labels, workflowMetadata.labels, workflowMetadata.labelsFrom]) {
    if (isRecord(source)) for (const key of Object.keys(source)) scope.add(`workflow.labels.${key}`);
  }
  // Labels and annotations are often added by whoever submits the run, so they are not required here.
  scope.allowUnder('workflow.labels.').allowUnder('workflow.annotations.');
  for (const template of templatesOf(context.spec)) {
    const outputs = isRecord(template.outputs) ? template.outputs : {};
    for (const [kind, items] of [
      ['parameters', outputs.parameters],
      ['artifacts', outputs.artifacts],
    ] as const) {
      for (const item of list<{ globalName?: unknown }>(items).filter(isRecord)) {
        if (typeof item.globalName !== 'string') continue;
        if (item.globalName.includes('{{')) scope.allowUnder(`workflow.outputs.${kind}.`);
        else scope.add(`workflow.outputs.${kind}.${item.globalName}`);
      }
    }
  }
  return scope;
}

function withoutKey<T extends object>(value: T, key: string): Partial<T> {
  const copy = { ...value } as Record<string, unknown>;
  delete copy[key];
  return copy as Partial<T>;
}

/** Walks every string under `value` (iteratively) and checks the tags in it. */
function checkStrings(value: unknown, path: DocumentPath, scope: VariableScope, findings: Finding[]): void {
  const stack: Array<[unknown, DocumentPath]> = [[value, path]];
  while (stack.length > 0) {
    const [current, at] = stack.pop()!;
    if (typeof current === 'string') {
      if (current.includes('{{')) checkTags(current, at, scope, findings);
    } else if (Array.isArray(current)) {
      current.forEach((item, i) => stack.push([item, [...at, i]]));
    } else if (isRecord(current)) {
      for (const [key, item] of Object.entries(current)) if (item !== undefined) stack.push([item, [...at, key]]);
    }
  }
}

function checkTags(text: string, path: DocumentPath, scope: VariableScope, findings: Finding[]): void {
  for (const tag of findTemplateTags(text)) {
    const span = { start: tag.start, end: tag.end };
    if (tag.error) {
      findings.push({ path, span, severity: 'error', rule: 'template-syntax', message: '"{{" is never closed with "}}"' });
      continue;
    }
    if (tag.kind === 'variable' && tag.variable !== undefined) {
      checkReference(tag.variable, `{{${tag.variable}}}`, path, span, scope, findings, false);
      continue;
    }
    if (tag.kind === 'expression' && tag.expression !== undefined) {
      let references: ExpressionReference[];
      try {
        references = expressionReferences(parseExpression(tag.expression));
      } catch (error) {
        findings.push({
          path,
          span,
          severity: 'error',
          rule: 'expression-syntax',
          message: `expression {{=${tag.expression}}} does not parse: ${(error as Error).message}`,
        });
        continue;
      }
      // A reference the expression guards itself (`x ?? default`, `x?.y`) need not exist.
      for (const reference of references.filter((r) => !r.guarded)) {
        checkReference(reference.path, `"${reference.path}" in expression {{=${tag.expression.trim()}}}`, path, span, scope, findings, true);
      }
    }
  }
}

/** `mapsAllowed`: an expression may read a whole map (`steps.a.outputs`); a simple tag may not. */
function checkReference(
  name: string,
  shown: string,
  path: DocumentPath,
  span: { start: number; end: number },
  scope: VariableScope,
  findings: Finding[],
  mapsAllowed: boolean,
): void {
  const root = name.split(/[.[]/)[0]!;
  if (UNCHECKED_ROOTS.includes(root)) return;
  if (!ROOTS.includes(root)) {
    const hint = suggest(root, ROOTS);
    if (hint) findings.push({ path, span, severity: 'warning', rule: 'unresolved-variable', message: `${shown} is not a variable Argo knows${hint}` });
    return;
  }
  if (scope.has(name) || (mapsAllowed && scope.contains(name))) return;
  findings.push({
    path,
    span,
    severity: 'error',
    rule: 'unresolved-variable',
    message: `${shown} ${explain(name)}${suggest(name, scope.candidatesFor(name))}`,
  });
}

function explain(name: string): string {
  const [root, second] = name.split('.');
  switch (root) {
    case 'item':
      return 'is used outside a loop (withItems, withParam or withSequence) or names a key no item has';
    case 'steps':
      return `cannot be resolved here: "${second}" is not a step of an earlier group of this template, or does not produce that output`;
    case 'tasks':
      return `cannot be resolved here: "${second}" is not a task this one depends on (directly or indirectly), or does not produce that output`;
    case 'inputs':
      return "is not declared in this template's inputs";
    case 'workflow':
      if (second === 'outputs') return 'names a global output that no template declares (outputs with a matching globalName)';
      return 'is not a workflow variable defined here (workflow parameters must be declared in spec.arguments)';
    default:
      return 'cannot be resolved here';
  }
}
