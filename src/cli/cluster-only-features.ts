import type { ReferencedTemplate } from '../engine/template-catalog.js';
import type { Template, Workflow } from '../spec/model/workflow.js';

/**
 * What a workflow asks for that only a cluster can give, one sentence per template. Local runs
 * have no Kubernetes API (resource templates create and watch cluster objects) and no executor
 * plugins (plugin templates run in Argo's agent; http templates run from Skiff itself); data
 * templates are listed and transformed by the cluster runtime only, so far. Refusing
 * up front beats a run that fails or hangs halfway.
 */
export function clusterOnlyFeatures(workflow: Workflow, referenced: ReferencedTemplate[] = []): string[] {
  const problems: string[] = [];
  const check = (template: Template, where: string): void => {
    if (!template || typeof template !== 'object') return;
    const name = `template "${template.name}"${where}`;
    if (template.resource)
      problems.push(`${name} is a resource template: it acts on Kubernetes objects, which needs a cluster (submit it with --kubeconfig or --context)`);
    if (template.plugin) problems.push(`${name} is a plugin template: executor plugins need a cluster`);
    if (template.data)
      problems.push(`${name} is a data template: Skiff runs data templates on the cluster runtime only (submit it with --kubeconfig or --context)`);
  };
  for (const template of workflow.spec.templates ?? []) check(template, '');
  for (const ref of referenced)
    for (const template of ref.spec.templates ?? []) check(template, ` (${ref.clusterScope ? 'ClusterWorkflowTemplate' : 'WorkflowTemplate'} ${ref.name})`);
  return problems;
}
