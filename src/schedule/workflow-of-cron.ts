import { CRON_WORKFLOW_LABEL, SCHEDULED_TIME_ANNOTATION } from '../spec/model/argo-labels.js';
import type { CronWorkflow, Workflow } from '../spec/model/workflow.js';

/**
 * The Workflow a CronWorkflow runs, as Argo's cron controller makes it: the `workflowSpec`, the
 * `workflowMetadata`'s labels and annotations, the cron-workflow label, in the CronWorkflow's
 * namespace. A scheduled run is named `<cron>-<Unix seconds of its scheduled time>` (so one
 * schedule makes one run, however often it is looked at) and carries its scheduled time; a run
 * asked for by hand (`submit --from cronworkflow/NAME`) gets a generated name instead.
 *
 * @example workflowOfCron(cron, 1704067200).metadata
 *   // { name: 'nightly-1704067200', labels: { 'workflows.argoproj.io/cron-workflow': 'nightly' },
 *   //   annotations: { 'workflows.argoproj.io/scheduled-time': '2024-01-01T00:00:00Z' } }
 */
export function workflowOfCron(cron: CronWorkflow, scheduledSeconds?: number): Workflow {
  const name = cron.metadata.name ?? '';
  const extra = cron.spec.workflowMetadata ?? {};
  const annotations: Record<string, string> = { ...extra.annotations };
  if (scheduledSeconds !== undefined) annotations[SCHEDULED_TIME_ANNOTATION] = new Date(scheduledSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: {
      ...(scheduledSeconds !== undefined ? { name: `${name}-${scheduledSeconds}` } : { generateName: `${name}-` }),
      ...(cron.metadata.namespace ? { namespace: cron.metadata.namespace } : {}),
      labels: { ...extra.labels, [CRON_WORKFLOW_LABEL]: name },
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    },
    spec: structuredClone(cron.spec.workflowSpec),
  };
}
