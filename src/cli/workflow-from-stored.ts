import { CLUSTER_WORKFLOW_TEMPLATE_LABEL, WORKFLOW_TEMPLATE_LABEL } from '../kube/kube-names.js';
import { workflowOfCron } from '../schedule/workflow-of-cron.js';
import type { CronWorkflow, Workflow } from '../spec/model/workflow.js';
import type { LocalObjectStore } from '../state/local-object-store.js';
import { UsageError } from './cli-io.js';

/** The names `--from` takes for each kind, as `argo submit --from` does (long, plural and short). */
const KINDS: Record<string, 'WorkflowTemplate' | 'ClusterWorkflowTemplate' | 'CronWorkflow'> = {
  workflowtemplate: 'WorkflowTemplate',
  workflowtemplates: 'WorkflowTemplate',
  wftmpl: 'WorkflowTemplate',
  clusterworkflowtemplate: 'ClusterWorkflowTemplate',
  clusterworkflowtemplates: 'ClusterWorkflowTemplate',
  cwftmpl: 'ClusterWorkflowTemplate',
  cwft: 'ClusterWorkflowTemplate',
  cronworkflow: 'CronWorkflow',
  cronworkflows: 'CronWorkflow',
  cronwf: 'CronWorkflow',
  cwf: 'CronWorkflow',
};

/**
 * The Workflow `submit --from KIND/NAME` runs, made from an object `skiff apply` stored, as Argo
 * makes it: a WorkflowTemplate or ClusterWorkflowTemplate is referenced (`workflowTemplateRef`,
 * so the run shows the template's current spec and is labelled with its name); a CronWorkflow
 * gives its `workflowSpec` and `workflowMetadata`, labelled with the CronWorkflow's name. The
 * name is generated from the object's.
 *
 * @example
 *   await workflowFromStored('wftmpl/build', objects, 'default')
 *   // { kind: 'Workflow', metadata: { generateName: 'build-', labels: {...} }, spec: { workflowTemplateRef: { name: 'build' } } }
 */
export async function workflowFromStored(from: string, objects: LocalObjectStore, namespace: string): Promise<Workflow> {
  const slash = from.indexOf('/');
  const kind = KINDS[from.slice(0, Math.max(slash, 0)).toLowerCase()];
  const name = from.slice(slash + 1);
  if (slash <= 0 || !kind || name === '' || name.includes('/')) {
    throw new UsageError(`--from ${from}: expected workflowtemplate/NAME, clusterworkflowtemplate/NAME or cronworkflow/NAME`);
  }
  const stored = await objects.getObject(kind, namespace, name);
  if (!stored) {
    const where = kind === 'ClusterWorkflowTemplate' ? '' : ` in namespace ${namespace}`;
    throw new Error(`--from ${from}: no ${kind} "${name}"${where} was stored with skiff apply`);
  }
  const base = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow' as const };
  if (kind === 'CronWorkflow') {
    // The namespace is the one the run is submitted to (-n), as for the other kinds.
    const run = workflowOfCron(stored as CronWorkflow);
    delete run.metadata.namespace;
    return run;
  }
  const clusterScope = kind === 'ClusterWorkflowTemplate';
  return {
    ...base,
    metadata: {
      generateName: `${name}-`,
      labels: { [clusterScope ? CLUSTER_WORKFLOW_TEMPLATE_LABEL : WORKFLOW_TEMPLATE_LABEL]: name },
    },
    spec: { workflowTemplateRef: { name, ...(clusterScope ? { clusterScope: true } : {}) } },
  };
}
