import type { Repository } from '../artifacts/index.js';
import type { Template, WorkflowSpec } from '../spec/model/workflow.js';

/**
 * Whether a pod's logs are archived, by Argo's rule (the controller's `IsArchiveLogs`): a
 * repository that says `archiveLogs: true` (Skiff's configured default, or the namespace's
 * `artifact-repositories` entry the run uses) archives every pod's logs and cannot be overruled;
 * otherwise the template's `archiveLocation.archiveLogs` decides when it is set, else the
 * workflow's `spec.archiveLogs`, else no.
 *
 * @example archivesLogs({ s3: { bucket: 'b' } }, { archiveLogs: true }, { name: 't', archiveLocation: { archiveLogs: false } }) // false
 */
export function archivesLogs(repository: Repository | undefined, spec: WorkflowSpec, template: Template): boolean {
  if (repository?.archiveLogs === true) return true;
  const own = template.archiveLocation?.archiveLogs;
  if (typeof own === 'boolean') return own;
  return spec.archiveLogs === true;
}
