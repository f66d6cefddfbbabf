import type { Arguments, Template, TemplateRef, Workflow, WorkflowSpec } from '../spec/model/workflow.js';

/** A WorkflowTemplate or ClusterWorkflowTemplate the run refers to, loaded before the run starts. */
export interface ReferencedTemplate {
  name: string;
  clusterScope?: boolean;
  spec: WorkflowSpec;
}

/** Where a template was found: the workflow itself, or a (Cluster)WorkflowTemplate by name. */
export interface TemplateScope {
  kind: 'local' | 'namespaced' | 'cluster';
  name: string;
}

export const LOCAL_SCOPE: TemplateScope = { kind: 'local', name: '' };

export type TemplateHolder = { template?: string; templateRef?: TemplateRef; inline?: Template };

export type Resolved = { template: Template; scope: TemplateScope } | { error: string };

/**
 * Finds templates for the engine: by name in the scope the caller was defined in (a template
 * of a WorkflowTemplate calls its siblings), by `templateRef`, or inline. Pure: referenced
 * WorkflowTemplates are loaded beforehand (see `loadTemplateRefs`).
 */
export class TemplateCatalog {
  private readonly local = new Map<string, Template>();
  private readonly external = new Map<string, Map<string, Template>>();

  constructor(
    readonly spec: WorkflowSpec,
    referenced: readonly ReferencedTemplate[] = [],
  ) {
    for (const t of spec.templates ?? []) this.local.set(t.name, withDefaults(t, spec.templateDefaults));
    for (const ref of referenced) {
      const map = new Map<string, Template>();
      for (const t of ref.spec.templates ?? []) map.set(t.name, withDefaults(t, spec.templateDefaults));
      this.external.set(key(ref.clusterScope ? 'cluster' : 'namespaced', ref.name), map);
    }
  }

  resolve(holder: TemplateHolder, scope: TemplateScope): Resolved {
    if (holder.inline) return { template: withDefaults({ ...holder.inline, name: holder.inline.name ?? '' }, this.spec.templateDefaults), scope };
    if (holder.templateRef) {
      const ref = holder.templateRef;
      const kind = ref.clusterScope ? 'cluster' : 'namespaced';
      const templates = this.external.get(key(kind, ref.name));
      if (!templates) return { error: `${ref.clusterScope ? 'ClusterWorkflowTemplate' : 'WorkflowTemplate'} "${ref.name}" not found` };
      const template = templates.get(ref.template);
      if (!template)
        return { error: `template "${ref.template}" not found in ${ref.clusterScope ? 'ClusterWorkflowTemplate' : 'WorkflowTemplate'} "${ref.name}"` };
      return { template, scope: { kind, name: ref.name } };
    }
    const name = holder.template ?? '';
    const templates = scope.kind === 'local' ? this.local : this.external.get(key(scope.kind, scope.name));
    const template = templates?.get(name);
    if (!template) return { error: `template "${name}" not found` };
    return { template, scope };
  }
}

function key(kind: string, name: string): string {
  return `${kind}/${name}`;
}

// Argo merges spec.templateDefaults under every template (template fields win).
function withDefaults(template: Template, defaults: Partial<Template> | undefined): Template {
  if (!defaults) return template;
  return { ...(defaults as Template), ...template };
}

/**
 * The spec a run executes: the workflow's own, or, with `workflowTemplateRef`, the referenced
 * template's spec with the workflow's fields laid over it and arguments merged by name.
 */
export function effectiveSpec(workflow: Workflow, referenced: readonly ReferencedTemplate[]): WorkflowSpec | { error: string } {
  const ref = workflow.spec.workflowTemplateRef;
  if (!ref) return workflow.spec;
  const base = referenced.find((r) => r.name === ref.name && Boolean(r.clusterScope) === Boolean(ref.clusterScope));
  if (!base) return { error: `${ref.clusterScope ? 'ClusterWorkflowTemplate' : 'WorkflowTemplate'} "${ref.name}" not found` };
  const { workflowTemplateRef: _ignored, ...own } = workflow.spec;
  const merged: WorkflowSpec = { ...base.spec, ...own, templates: [...(base.spec.templates ?? []), ...(own.templates ?? [])] };
  merged.arguments = mergeArguments(base.spec.arguments, own.arguments);
  return merged;
}

function mergeArguments(base: Arguments | undefined, over: Arguments | undefined): Arguments | undefined {
  if (!base) return over;
  if (!over) return base;
  const parameters = [...(base.parameters ?? [])];
  for (const p of over.parameters ?? []) {
    const at = parameters.findIndex((q) => q.name === p.name);
    if (at >= 0) parameters[at] = p;
    else parameters.push(p);
  }
  const artifacts = [...(base.artifacts ?? [])];
  for (const a of over.artifacts ?? []) {
    const at = artifacts.findIndex((q) => q.name === a.name);
    if (at >= 0) artifacts[at] = a;
    else artifacts.push(a);
  }
  return { parameters, artifacts };
}
