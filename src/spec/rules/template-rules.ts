import type { DocumentPath, Finding } from '../diagnostic.js';
import type { Invocation, Template } from '../model/workflow.js';
import { suggest } from '../schema/check-shape.js';
import { TEMPLATE_TYPES, templateTypesOf } from '../template-type.js';
import { invocationSites, isRecord, list, resolveInvocation, resolveLocal, templatesOf, type SpecContext } from './spec-context.js';

/** Argo's rule for template, step and task names. */
const FIELD_NAME = /^[a-zA-Z0-9][-a-zA-Z0-9]*$/;
/** Argo's rule for parameter and artifact names. */
const PARAMETER_NAME = /^[-a-zA-Z0-9_]+$/;
const MAX_FIELD_NAME = 128;

/** A Workflow needs an entrypoint (unless a workflowTemplateRef supplies one), and it must exist. */
export function checkEntrypoint(context: SpecContext): Finding[] {
  const { spec, specPath } = context;
  const usesRef = isRecord(spec.workflowTemplateRef);
  const findings: Finding[] = [];
  if (!usesRef && templatesOf(spec).length === 0 && context.kind !== 'WorkflowTemplate' && context.kind !== 'ClusterWorkflowTemplate') {
    findings.push({
      path: specPath,
      at: 'key',
      severity: 'error',
      rule: 'no-templates',
      message: 'the workflow has no templates: add spec.templates or a spec.workflowTemplateRef',
    });
    return findings;
  }
  if (spec.entrypoint === undefined || spec.entrypoint === '') {
    if (!usesRef && (context.kind === 'Workflow' || context.kind === 'CronWorkflow')) {
      findings.push({
        path: specPath,
        at: 'key',
        severity: 'error',
        rule: 'entrypoint',
        message: 'spec.entrypoint is required: name the template the workflow starts with',
      });
    }
    return findings;
  }
  if (typeof spec.entrypoint === 'string') findings.push(...checkTemplateName(context, spec.entrypoint, [...specPath, 'entrypoint'], 'entrypoint'));
  return findings;
}

/** Every template a step, task, hook or exit handler runs must exist. */
export function checkTemplateReferences(context: SpecContext): Finding[] {
  const findings: Finding[] = [];
  const { spec, specPath } = context;
  if (typeof spec.onExit === 'string' && spec.onExit) findings.push(...checkTemplateName(context, spec.onExit, [...specPath, 'onExit'], 'unknown-template'));
  findings.push(...checkHooks(context, spec.hooks, [...specPath, 'hooks']));
  for (const site of invocationSites(context)) {
    findings.push(...checkInvocationTarget(context, site.invocation, site.path));
    if (typeof site.invocation.onExit === 'string') {
      findings.push(...checkTemplateName(context, site.invocation.onExit, [...site.path, 'onExit'], 'unknown-template'));
    }
    findings.push(...checkHooks(context, site.invocation.hooks, [...site.path, 'hooks']));
  }
  return findings;
}

function checkHooks(context: SpecContext, hooks: unknown, path: DocumentPath): Finding[] {
  if (!isRecord(hooks)) return [];
  return Object.entries(hooks).flatMap(([name, hook]) =>
    isRecord(hook) ? checkInvocationTarget(context, hook as unknown as Invocation, [...path, name]) : [],
  );
}

function checkInvocationTarget(context: SpecContext, invocation: Invocation, path: DocumentPath): Finding[] {
  const given = ['template', 'templateRef', 'inline'].filter((key) => invocation[key as keyof Invocation] !== undefined);
  if (given.length === 0) {
    return [
      {
        path,
        at: 'key',
        severity: 'error',
        rule: 'unknown-template',
        message: `${describeSite(invocation)} names no template: set "template", "templateRef" or "inline"`,
      },
    ];
  }
  if (given.length > 1) {
    return [
      {
        path: [...path, given[1]!],
        at: 'key',
        severity: 'error',
        rule: 'unknown-template',
        message: `${describeSite(invocation)} sets both "${given[0]}" and "${given[1]}"; use one`,
      },
    ];
  }
  if (typeof invocation.template === 'string') return checkTemplateName(context, invocation.template, [...path, 'template'], 'unknown-template');
  const resolution = resolveInvocation(context, invocation);
  if (resolution?.status === 'missing') {
    return [
      {
        path: [...path, 'templateRef', 'template'],
        severity: 'error',
        rule: 'unknown-template',
        message: `${resolution.message}${suggest(String(invocation.templateRef?.template), resolution.candidates)}`,
      },
    ];
  }
  if (resolution?.status === 'external') {
    return [
      {
        path: [...path, 'templateRef'],
        severity: 'notice',
        rule: 'external-template',
        message: `${resolution.description} is not among the linted files; it must exist in the cluster`,
      },
    ];
  }
  return [];
}

function checkTemplateName(context: SpecContext, name: string, path: DocumentPath, rule: string): Finding[] {
  const resolution = resolveLocal(context, name);
  if (resolution.status === 'missing') {
    return [{ path, severity: 'error', rule, message: `${resolution.message}${suggest(name, resolution.candidates)}` }];
  }
  return [];
}

function describeSite(invocation: Invocation): string {
  return typeof invocation.name === 'string' ? `"${invocation.name}"` : 'this step';
}

/** A template must say what it does, with exactly one template type. */
export function checkTemplateTypes(context: SpecContext): Finding[] {
  const findings: Finding[] = [];
  list<Template>(context.spec.templates).forEach((template, index) => {
    if (!isRecord(template)) return;
    const path = [...context.specPath, 'templates', index];
    const types = templateTypesOf(template);
    if (types.length === 0) {
      findings.push({
        path,
        at: 'key',
        severity: 'error',
        rule: 'template-type',
        message: `template "${String(template.name)}" does nothing: give it one of ${TEMPLATE_TYPES.join(', ')}`,
      });
    } else if (types.length > 1) {
      findings.push({
        path: [...path, types[1]!],
        at: 'key',
        severity: 'error',
        rule: 'template-type',
        message: `template "${String(template.name)}" has both "${types[0]}" and "${types[1]}"; a template has exactly one type`,
      });
    }
  });
  return findings;
}

/** Names that others refer to must be present, well formed and unique in their scope. */
export function checkNames(context: SpecContext): Finding[] {
  const findings: Finding[] = [];
  const templatesPath = [...context.specPath, 'templates'];
  findings.push(...uniqueNames(list(context.spec.templates), templatesPath, 'template', FIELD_NAME));
  list<Template>(context.spec.templates).forEach((template, index) => {
    if (!isRecord(template)) return;
    const path = [...templatesPath, index];
    // Step names are unique across all groups of a steps template, as Argo requires.
    const steps = list<unknown>(template.steps).flatMap((group, g) => list(group).map((step, s) => ({ item: step, path: [...path, 'steps', g, s] })));
    findings.push(...uniqueNamesAt(steps, 'step', FIELD_NAME));
    if (isRecord(template.dag)) findings.push(...uniqueNames(list(template.dag.tasks), [...path, 'dag', 'tasks'], 'task', FIELD_NAME));
    for (const part of ['inputs', 'outputs'] as const) {
      const io = template[part];
      if (!isRecord(io)) continue;
      findings.push(...uniqueNames(list(io.parameters), [...path, part, 'parameters'], 'parameter', PARAMETER_NAME));
      findings.push(...uniqueNames(list(io.artifacts), [...path, part, 'artifacts'], 'artifact', PARAMETER_NAME));
    }
  });
  const args = context.spec.arguments;
  if (isRecord(args)) {
    findings.push(...uniqueNames(list(args.parameters), [...context.specPath, 'arguments', 'parameters'], 'parameter', PARAMETER_NAME));
    findings.push(...uniqueNames(list(args.artifacts), [...context.specPath, 'arguments', 'artifacts'], 'artifact', PARAMETER_NAME));
  }
  return findings;
}

function uniqueNames(items: unknown[], path: DocumentPath, what: string, pattern: RegExp): Finding[] {
  return uniqueNamesAt(
    items.map((item, i) => ({ item, path: [...path, i] })),
    what,
    pattern,
  );
}

function uniqueNamesAt(items: Array<{ item: unknown; path: DocumentPath }>, what: string, pattern: RegExp): Finding[] {
  const findings: Finding[] = [];
  const seen = new Map<string, DocumentPath>();
  for (const { item, path } of items) {
    if (!isRecord(item)) continue;
    const name = item.name;
    if (name === undefined || name === '') {
      findings.push({ path, at: 'key', severity: 'error', rule: 'invalid-name', message: `every ${what} needs a name` });
      continue;
    }
    if (typeof name !== 'string') continue; // the schema check reports the type
    // A name built from a parameter is only known at run time.
    if (!name.includes('{{') && (!pattern.test(name) || name.length > MAX_FIELD_NAME)) {
      const rule = pattern === FIELD_NAME ? 'letters, digits and "-", starting with a letter or digit' : 'letters, digits, "_" and "-"';
      findings.push({
        path: [...path, 'name'],
        severity: 'error',
        rule: 'invalid-name',
        message: `${what} name "${name}" is invalid: use ${rule}${name.length > MAX_FIELD_NAME ? `, at most ${MAX_FIELD_NAME} characters` : ''}`,
      });
    }
    if (seen.has(name)) {
      findings.push({
        path: [...path, 'name'],
        severity: 'error',
        rule: 'duplicate-name',
        message: `${what} name "${name}" is used more than once in the same scope`,
      });
    } else {
      seen.set(name, path);
    }
  }
  return findings;
}
