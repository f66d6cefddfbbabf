import type { WorkflowSpec } from '../../spec/model/workflow.js';

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

/** A TemplateStore over objects in memory (tests, local runs of files). */
export class MemoryTemplateStore implements TemplateStore {
  private readonly specs = new Map<string, WorkflowSpec>();

  add(kind: TemplateKind, name: string, spec: WorkflowSpec): this {
    this.specs.set(`${kind}/${name}`, spec);
    return this;
  }

  async get(kind: TemplateKind, name: string): Promise<WorkflowSpec | undefined> {
    return this.specs.get(`${kind}/${name}`);
  }
}
