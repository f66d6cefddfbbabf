/**
 * The resource names kubectl accepts on its command line (`pod`, `pods`, `po`, `job.batch`, `wf`)
 * for the kinds resource templates name in `flags` (`flags: [pod, my-pod]`). kubectl learns them
 * by discovery; Skiff knows the built-in ones and Argo's, which covers what resource steps patch
 * and delete by name. Pure.
 */

interface KindOf {
  apiVersion: string;
  kind: string;
}

const KINDS: Array<[KindOf, string[]]> = [
  [{ apiVersion: 'v1', kind: 'Pod' }, ['pod', 'pods', 'po']],
  [{ apiVersion: 'v1', kind: 'ConfigMap' }, ['configmap', 'configmaps', 'cm']],
  [{ apiVersion: 'v1', kind: 'Secret' }, ['secret', 'secrets']],
  [{ apiVersion: 'v1', kind: 'Service' }, ['service', 'services', 'svc']],
  [{ apiVersion: 'v1', kind: 'ServiceAccount' }, ['serviceaccount', 'serviceaccounts', 'sa']],
  [{ apiVersion: 'v1', kind: 'PersistentVolumeClaim' }, ['persistentvolumeclaim', 'persistentvolumeclaims', 'pvc']],
  [{ apiVersion: 'v1', kind: 'Event' }, ['event', 'events', 'ev']],
  [{ apiVersion: 'batch/v1', kind: 'Job' }, ['job', 'jobs']],
  [{ apiVersion: 'batch/v1', kind: 'CronJob' }, ['cronjob', 'cronjobs', 'cj']],
  [{ apiVersion: 'apps/v1', kind: 'Deployment' }, ['deployment', 'deployments', 'deploy']],
  [{ apiVersion: 'apps/v1', kind: 'StatefulSet' }, ['statefulset', 'statefulsets', 'sts']],
  [{ apiVersion: 'apps/v1', kind: 'DaemonSet' }, ['daemonset', 'daemonsets', 'ds']],
  [{ apiVersion: 'apps/v1', kind: 'ReplicaSet' }, ['replicaset', 'replicasets', 'rs']],
  [{ apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow' }, ['workflow', 'workflows', 'wf']],
  [{ apiVersion: 'argoproj.io/v1alpha1', kind: 'WorkflowTemplate' }, ['workflowtemplate', 'workflowtemplates', 'wftmpl']],
  [{ apiVersion: 'argoproj.io/v1alpha1', kind: 'CronWorkflow' }, ['cronworkflow', 'cronworkflows', 'cwf', 'cronwf']],
];

const BY_NAME = new Map<string, KindOf>();
for (const [kind, names] of KINDS) {
  const group = kind.apiVersion.includes('/') ? kind.apiVersion.split('/')[0] : '';
  for (const name of names) {
    BY_NAME.set(name, kind);
    if (group) BY_NAME.set(`${name}.${group}`, kind);
  }
  BY_NAME.set(kind.kind.toLowerCase(), kind);
}

/** The kind a kubectl resource name stands for, or undefined for a name Skiff does not know. */
export function kindOfResourceName(name: string): KindOf | undefined {
  return BY_NAME.get(name.toLowerCase());
}

/** Every name understood, for a message that lists them. */
export function knownResourceNames(): string[] {
  return KINDS.map(([, names]) => names[0]!);
}
