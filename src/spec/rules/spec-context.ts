import type { DocumentPath, Finding } from '../diagnostic.js';
import type { ConfigMap, ObjectMeta } from '../model/kubernetes.js';
import type { Invocation, Template, WorkflowSpec } from '../model/workflow.js';

/** Everything among the linted files that other documents may refer to by name. */
export interface LintCatalog {
  workflowTemplates: Map<string, WorkflowSpec>;
  clusterWorkflowTemplates: Map<string, WorkflowSpec>;
  configMaps: Map<string, ConfigMap>;
}

export type SpecKind = 'Workflow' | 'WorkflowTemplate' | 'ClusterWorkflowTemplate' | 'CronWorkflow';

/** One workflow spec under check, with what its rules need to look things up. */
export interface SpecContext {
  kind: SpecKind;
  metadata: ObjectMeta;
  spec: WorkflowSpec;
  /** Path of the spec in its document: `spec`, or `spec.workflowSpec` for a CronWorkflow. */
  specPath: DocumentPath;
  catalog: LintCatalog;
  /** Templates by name, first definition wins (duplicates are reported separately). */
  templates: Map<string, { template: Template; index: number }>;
}

export type SpecRule = (context: SpecContext) => Finding[];

/** The value as a list, or an empty list when it is anything else (the schema check reports that). */
export function list<T = unknown>(value: unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function templatesOf(spec: WorkflowSpec): Template[] {
  return list<Template>(spec.templates).filter(isRecord) as Template[];
}

export function buildSpecContext(kind: SpecKind, metadata: unknown, spec: WorkflowSpec, specPath: DocumentPath, catalog: LintCatalog): SpecContext {
  const templates = new Map<string, { template: Template; index: number }>();
  list<Template>(spec.templates).forEach((template, index) => {
    if (isRecord(template) && typeof template.name === 'string' && !templates.has(template.name)) {
      templates.set(template.name, { template, index });
    }
  });
  return { kind, metadata: isRecord(metadata) ? (metadata as ObjectMeta) : {}, spec, specPath, catalog, templates };
}

/** A step or DAG task, with where it sits and which template holds it. */
export interface InvocationSite {
  invocation: Invocation;
  path: DocumentPath;
  owner: Template;
  ownerPath: DocumentPath;
  /** For steps: the index of the parallel group; for tasks: undefined. */
  group?: number;
}

/** Every step and DAG task of every template of the spec (not of inline templates). */
export function invocationSites(context: SpecContext): InvocationSite[] {
  const sites: InvocationSite[] = [];
  templatesOf(context.spec).forEach((owner) => {
    const index = list(context.spec.templates).indexOf(owner);
    const ownerPath = [...context.specPath, 'templates', index];
    list<unknown>(owner.steps).forEach((group, g) => {
      list<Invocation>(group).forEach((step, s) => {
        if (isRecord(step)) sites.push({ invocation: step, path: [...ownerPath, 'steps', g, s], owner, ownerPath, group: g });
      });
    });
    if (isRecord(owner.dag)) {
      list<Invocation>(owner.dag.tasks).forEach((task, t) => {
        if (isRecord(task)) sites.push({ invocation: task, path: [...ownerPath, 'dag', 'tasks', t], owner, ownerPath });
      });
    }
  });
  return sites;
}

export type Resolution =
  | { status: 'found'; template: Template }
  /** Refers to a WorkflowTemplate that is not among the linted files: it may exist in the cluster. */
  | { status: 'external'; description: string }
  | { status: 'missing'; message: string; candidates: string[] };

/** Finds the template an invocation (step, task, hook, exit handler) runs. */
export function resolveInvocation(context: SpecContext, invocation: Pick<Invocation, 'template' | 'templateRef' | 'inline'>): Resolution | undefined {
  if (isRecord(invocation.inline)) return { status: 'found', template: invocation.inline };
  if (typeof invocation.template === 'string') return resolveLocal(context, invocation.template);
  const ref = invocation.templateRef;
  if (!isRecord(ref) || typeof ref.name !== 'string' || typeof ref.template !== 'string') return undefined;
  const kind = ref.clusterScope === true ? 'ClusterWorkflowTemplate' : 'WorkflowTemplate';
  const holder = (ref.clusterScope === true ? context.catalog.clusterWorkflowTemplates : context.catalog.workflowTemplates).get(ref.name);
  if (!holder) return { status: 'external', description: `${kind} "${ref.name}"` };
  const names = templatesOf(holder).map((t) => t.name);
  const template = templatesOf(holder).find((t) => t.name === ref.template);
  if (template) return { status: 'found', template };
  return { status: 'missing', message: `${kind} "${ref.name}" has no template "${ref.template}"`, candidates: names };
}

export function resolveLocal(context: SpecContext, name: string): Resolution {
  const entry = context.templates.get(name);
  if (entry) return { status: 'found', template: entry.template };
  if (isRecord(context.spec.workflowTemplateRef)) {
    const ref = context.spec.workflowTemplateRef;
    const holder = (ref.clusterScope === true ? context.catalog.clusterWorkflowTemplates : context.catalog.workflowTemplates).get(String(ref.name));
    if (!holder) return { status: 'external', description: `the referenced workflow template "${String(ref.name)}"` };
    const template = templatesOf(holder).find((t) => t.name === name);
    if (template) return { status: 'found', template };
  }
  return { status: 'missing', message: `template "${name}" is not defined`, candidates: [...context.templates.keys()] };
}
