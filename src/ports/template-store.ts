import type { WorkflowSpec } from '../spec/model/workflow.js';

export type TemplateKind = 'WorkflowTemplate' | 'ClusterWorkflowTemplate';

/**
 * Where `templateRef` and `workflowTemplateRef` are looked up (the cluster, or the files of a
 * repository). Returns the template's spec, or undefined when there is none by that name.
 *
 * @example await templates.get('WorkflowTemplate', 'build-steps') // { templates: [...] }
 */
export interface TemplateStore {
  get(kind: TemplateKind, name: string): Promise<WorkflowSpec | undefined>;
}
