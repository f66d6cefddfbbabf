import type { Outputs } from '../spec/model/workflow.js';
import type { Execution } from './execution.js';

/**
 * Exports outputs that carry a `globalName` to the workflow: `status.outputs` and the variables
 * `workflow.outputs.parameters.<globalName>` / `workflow.outputs.artifacts.<globalName>`
 * (Argo's addParamToGlobalScope). A later value replaces an earlier one.
 */
export function recordGlobalOutputs(exec: Execution, outputs: Outputs | undefined): void {
  if (!outputs) return;
  for (const p of outputs.parameters ?? []) {
    if (!p.globalName || p.value === undefined) continue;
    const value = String(p.value);
    exec.globals.set(`workflow.outputs.parameters.${p.globalName}`, value);
    const list = ((exec.status.outputs ??= {}).parameters ??= []);
    const at = list.findIndex((q) => q.name === p.globalName);
    if (at >= 0) list[at] = { name: p.globalName, value };
    else list.push({ name: p.globalName, value });
  }
  for (const a of outputs.artifacts ?? []) {
    if (!a.globalName) continue;
    exec.globals.set(`workflow.outputs.artifacts.${a.globalName}`, JSON.stringify(a));
    const list = ((exec.status.outputs ??= {}).artifacts ??= []);
    const copy = { ...a, name: a.globalName };
    const at = list.findIndex((q) => q.name === a.globalName);
    if (at >= 0) list[at] = copy;
    else list.push(copy);
  }
}
