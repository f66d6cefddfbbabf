import { CLUSTER_WORKFLOW_TEMPLATE_LABEL, WORKFLOW_TEMPLATE_LABEL } from '../kube/kube-names.js';
import { workflowOfCron } from '../schedule/workflow-of-cron.js';
import { ARGO_API_VERSION, type CronWorkflow, type Workflow } from '../spec/model/workflow.js';
import { KubeNotFoundError } from '../kube/kube-errors.js';
import type { ClusterTarget } from './cluster-target.js';
import type { LocalTarget } from './local-target.js';
import type { KubernetesObject } from '../spec/model/kubernetes.js';
import { UsageError } from './cli-io.js';

/** The kinds `--from` runs. */
export type FromKind = 'WorkflowTemplate' | 'ClusterWorkflowTemplate' | 'CronWorkflow';

/**
 * Where `--from` finds its object: what `skiff apply` stored, or a cluster's API server (a
 * ClusterWorkflowTemplate has no namespace: it is looked up by name alone). `absent` ends the
 * message for an object that is not there.
 */
export interface FromObjects {
  get(kind: FromKind, namespace: string, name: string): Promise<KubernetesObject | undefined>;
  absent: string;
}

/** The names `--from` takes for each kind, as `argo submit --from` does (long, plural and short). */
const KINDS: Record<string, FromKind> = {
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
 * The Workflow `submit --from KIND/NAME` runs, made from a stored object (FromObjects), as Argo
 * makes it: a WorkflowTemplate or ClusterWorkflowTemplate is referenced (`workflowTemplateRef`,
 * so the run shows the template's current spec and is labelled with its name); a CronWorkflow
 * gives its `workflowSpec` and `workflowMetadata`, labelled with the CronWorkflow's name. The
 * name is generated from the object's.
 *
 * @example
 *   await workflowFromStored('wftmpl/build', objects, 'default')
 *   // { kind: 'Workflow', metadata: { generateName: 'build-', labels: {...} }, spec: { workflowTemplateRef: { name: 'build' } } }
 */
export async function workflowFromStored(from: string, objects: FromObjects, namespace: string): Promise<Workflow> {
  const slash = from.indexOf('/');
  const kind = KINDS[from.slice(0, Math.max(slash, 0)).toLowerCase()];
  const name = from.slice(slash + 1);
  if (slash <= 0 || !kind || name === '' || name.includes('/')) {
    throw new UsageError(`--from ${from}: expected workflowtemplate/NAME, clusterworkflowtemplate/NAME or cronworkflow/NAME`);
  }
  const stored = await objects.get(kind, namespace, name);
  if (!stored) {
    const where = kind === 'ClusterWorkflowTemplate' ? '' : ` in namespace ${namespace}`;
    throw new Error(`--from ${from}: no ${kind} "${name}"${where} ${objects.absent}`);
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

/** What `--from` reads: the state directory's objects (stored with `skiff apply`), or the cluster's. */
export function fromObjectsOf(target: LocalTarget | ClusterTarget): FromObjects {
  if (target.kind === 'local')
    return { get: (kind, namespace, name) => target.objects.getObject(kind, namespace, name), absent: 'was stored with skiff apply' };
  return {
    get: async (kind, namespace, name) => {
      try {
        return await target.client.get({ apiVersion: ARGO_API_VERSION, kind, ...(kind === 'ClusterWorkflowTemplate' ? {} : { namespace }), name });
      } catch (error) {
        if (error instanceof KubeNotFoundError) return undefined;
        throw error;
      }
    },
    absent: 'in the cluster',
  };
}
