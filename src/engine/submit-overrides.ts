import type { Parameter, Workflow } from '../spec/model/workflow.js';

export interface SubmitOverrides {
  /** Run this template instead of `spec.entrypoint` (`argo submit --entrypoint`). */
  entrypoint?: string;
  /** Replace or add workflow arguments (`argo submit -p name=value`). */
  parameters?: Record<string, string>;
}

/**
 * The workflow as submitted with a caller's overrides: another entrypoint, and parameter
 * values that replace `spec.arguments.parameters` of the same name (or are added).
 *
 * @example withOverrides(workflow, { entrypoint: 'smoke', parameters: { env: 'prod' } })
 */
export function withOverrides(workflow: Workflow, overrides: SubmitOverrides): Workflow {
  const spec = { ...workflow.spec };
  if (overrides.entrypoint) spec.entrypoint = overrides.entrypoint;
  if (overrides.parameters && Object.keys(overrides.parameters).length > 0) {
    const parameters: Parameter[] = [...(spec.arguments?.parameters ?? [])];
    for (const [name, value] of Object.entries(overrides.parameters)) {
      const at = parameters.findIndex((p) => p.name === name);
      if (at >= 0) parameters[at] = { ...parameters[at]!, value };
      else parameters.push({ name, value });
    }
    spec.arguments = { ...spec.arguments, parameters };
  }
  return { ...workflow, spec };
}
