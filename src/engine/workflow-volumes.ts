import type { Volume } from '../spec/model/kubernetes.js';
import type { ExecRequest } from './execution.js';
import { substituteValue, type VariableScope } from './variable-scope.js';

/**
 * The workflow-level volumes as the pods under a step or task see them: Argo substitutes the
 * invoking scope's variables into them (a ConfigMap volume named by a task's output) before each
 * step or task runs, and what one resolution fixed stays fixed for the templates below it.
 * Undefined when the volumes hold no tags: the pods then take the workflow's own.
 *
 * @example volumesFor(spec.volumes, req, scope) // [{ name: 'cfg', configMap: { name: 'made-by-gen' } }]
 */
export function volumesFor(declared: readonly Volume[] | undefined, caller: ExecRequest, scope: VariableScope): Volume[] | undefined {
  const current = caller.volumes ?? declared;
  if (!current || !hasTags(current)) return caller.volumes;
  return substituteValue(current as Volume[], scope, false).value;
}

function hasTags(volumes: readonly Volume[]): boolean {
  return JSON.stringify(volumes).includes('{{');
}
