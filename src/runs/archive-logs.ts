import type { Repository } from '../artifacts/index.js';
import type { Template } from '../spec/model/workflow.js';

/**
 * Whether a pod's logs are archived, by Argo's rule (the controller's `IsArchiveLogs`): a
 * repository that says `archiveLogs: true` (Skiff's configured default, or the namespace's
 * `artifact-repositories` entry the run uses) archives every pod's logs and cannot be overruled;
 * otherwise the template's `archiveLocation.archiveLogs` decides when it is set, else the
 * workflow's `spec.archiveLogs` (`workflowArchiveLogs`: the run's effective spec, a referenced
 * WorkflowTemplate's included, as the engine hands it in each PodRequest), else no.
 *
 * @example archivesLogs({ s3: { bucket: 'b' } }, true, { name: 't', archiveLocation: { archiveLogs: false } }) // false
 */
export function archivesLogs(repository: Repository | undefined, workflowArchiveLogs: boolean | undefined, template: Template): boolean {
  if (repository?.archiveLogs === true) return true;
  const own = template.archiveLocation?.archiveLogs;
  if (typeof own === 'boolean') return own;
  return workflowArchiveLogs === true;
}
