import { SCHEDULED_TIME_ANNOTATION } from '../spec/model/argo-labels.js';
import type { Execution } from './execution.js';
import { recordGlobalOutputs } from './global-outputs.js';

/**
 * Sets the `{{workflow.*}}` variables of a run, as Argo's controller sets them when it starts or
 * picks the run up: name, namespace, uid, labels, annotations, parameters (ConfigMap-sourced ones
 * read from the ConfigMaps handed to the run), the scheduled time of a CronWorkflow's run, and a
 * duration computed when asked. Returns why a global parameter has no value, if one has none.
 */
export function setWorkflowGlobals(exec: Execution): string | undefined {
  const { workflow, spec, globals, status } = exec;
  const meta = workflow.metadata ?? {};
  globals.set('workflow.name', exec.name);
  globals.set('workflow.namespace', String(meta.namespace ?? 'default'));
  globals.set('workflow.uid', String(meta.uid ?? ''));
  globals.set('workflow.serviceAccountName', spec.serviceAccountName ?? 'default');
  globals.set('workflow.mainEntrypoint', spec.entrypoint ?? '');
  // What the run is now, as Argo has it while the run goes (the exit handler sees the outcome).
  globals.set('workflow.status', 'Running');
  globals.set('workflow.creationTimestamp', String(meta.creationTimestamp ?? status.startedAt ?? exec.nowIso));
  // A CronWorkflow's run carries its scheduled time (see workflowOfCron).
  const scheduledTime = meta.annotations?.[SCHEDULED_TIME_ANNOTATION];
  if (scheduledTime !== undefined) globals.set('workflow.scheduledTime', String(scheduledTime));
  if (spec.priority !== undefined) globals.set('workflow.priority', String(spec.priority));
  for (const [k, v] of Object.entries(meta.labels ?? {})) globals.set(`workflow.labels.${k}`, String(v));
  for (const [k, v] of Object.entries(meta.annotations ?? {})) globals.set(`workflow.annotations.${k}`, String(v));
  globals.set('workflow.labels', JSON.stringify(meta.labels ?? {}));
  globals.set('workflow.annotations', JSON.stringify(meta.annotations ?? {}));
  const params: Array<{ name: string; value: string }> = [];
  for (const p of spec.arguments?.parameters ?? []) {
    let value = p.value;
    if ((value === undefined || value === null) && p.valueFrom?.configMapKeyRef) {
      // Read by the names as written (Argo substitutes no variables here).
      const read = exec.configMaps.resolve(p.valueFrom, p.valueFrom.configMapKeyRef, true);
      if ('error' in read) return `spec.arguments.parameters.${p.name}: ${read.error}`;
      value = read.value;
    }
    value ??= p.default;
    if (value === undefined || value === null) continue;
    globals.set(`workflow.parameters.${p.name}`, String(value));
    params.push({ name: p.name, value: String(value) });
  }
  globals.set('workflow.parameters', JSON.stringify(params));
  globals.set('workflow.parameters.json', JSON.stringify(params));
  globals.set('workflow.labels.json', JSON.stringify(meta.labels ?? {}));
  globals.set('workflow.annotations.json', JSON.stringify(meta.annotations ?? {}));
  recordGlobalOutputs(exec, status.outputs);
  globals.setDynamic((name) => {
    // Argo prints the duration with %f: seconds with six decimals.
    if (name === 'workflow.duration') return ((exec.now - Date.parse(status.startedAt ?? exec.nowIso)) / 1000).toFixed(6);
    return undefined;
  });
  return undefined;
}
