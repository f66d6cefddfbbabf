import type { Template, Workflow, WorkflowSpec } from '../spec/model/workflow.js';
import type { TemplateStore } from '../ports/template-store.js';
import type { ReferencedTemplate } from '../engine/template-catalog.js';

/**
 * Loads every WorkflowTemplate and ClusterWorkflowTemplate a workflow reaches through
 * `workflowTemplateRef` and `templateRef` (following references inside them too), so the engine
 * can run without I/O. Missing ones are left out; the engine then fails the node that needs one.
 */
export async function loadTemplateRefs(workflow: Workflow, store: TemplateStore): Promise<ReferencedTemplate[]> {
  const found = new Map<string, ReferencedTemplate>();
  const pending: Array<{ name: string; clusterScope: boolean }> = [];
  const visit = (spec: WorkflowSpec): void => {
    if (spec.workflowTemplateRef) pending.push({ name: spec.workflowTemplateRef.name, clusterScope: Boolean(spec.workflowTemplateRef.clusterScope) });
    const walk = (value: unknown): void => {
      if (Array.isArray(value)) return value.forEach(walk);
      if (value === null || typeof value !== 'object') return;
      const record = value as Record<string, unknown>;
      const ref = record.templateRef as { name?: unknown; clusterScope?: unknown } | undefined;
      if (ref && typeof ref.name === 'string') pending.push({ name: ref.name, clusterScope: ref.clusterScope === true });
      Object.values(record).forEach(walk);
    };
    walk(spec.templates as Template[] | undefined);
    walk(spec.hooks);
  };
  visit(workflow.spec);
  while (pending.length > 0) {
    const next = pending.pop()!;
    const key = `${next.clusterScope}/${next.name}`;
    if (found.has(key)) continue;
    const spec = await store.get(next.clusterScope ? 'ClusterWorkflowTemplate' : 'WorkflowTemplate', next.name);
    if (!spec) continue;
    found.set(key, { name: next.name, clusterScope: next.clusterScope, spec });
    visit(spec);
  }
  return [...found.values()];
}
