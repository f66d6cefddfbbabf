import type { ArtifactLocation, S3Location } from './workflow.js';

/**
 * Argo finds a workflow's artifact repository in a ConfigMap of its namespace; by convention that
 * ConfigMap is named `artifact-repositories` and this annotation names the key used by default.
 */
export const ARTIFACT_REPOSITORIES_CONFIGMAP = 'artifact-repositories';
export { DEFAULT_ARTIFACT_REPOSITORY_ANNOTATION } from '../../kube/kube-names.js';

/** One entry of an artifact-repositories ConfigMap (its value is YAML of this shape). */
export interface ArtifactRepository extends Omit<ArtifactLocation, 's3'> {
  s3?: S3Location & { keyFormat?: string; keyPrefix?: string };
}
