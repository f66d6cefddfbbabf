import type { WorkflowSpec } from '../spec/model/workflow.js';
import type { TemplateKind, TemplateStore } from '../ports/template-store.js';

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
