import { load } from 'js-yaml';
import type { Repository } from '../artifacts/index.js';
import { checkArtifactRepositoryEntry } from '../spec/rules/artifact-repository-rules.js';

/** Where a `skiff` process finds Argo's "controller default" artifact repository (the chart sets it). */
export const DEFAULT_REPOSITORY_ENV = 'SKIFF_DEFAULT_ARTIFACT_REPOSITORY';

/**
 * The artifact repository runs use when neither the workflow nor its namespace names one (Argo's
 * controller default), from YAML shaped as an entry of an `artifact-repositories` ConfigMap
 * (`s3: {bucket: ..., endpoint: ..., accessKeySecret: ...}`), checked as such an entry is linted.
 * Undefined when the text is empty (or `{}`, the chart's "none"). `source` names where the text
 * came from, for the error.
 *
 * @example parseDefaultArtifactRepository('s3: {bucket: runs, endpoint: minio:9000}', DEFAULT_REPOSITORY_ENV)
 */
export function parseDefaultArtifactRepository(text: string | undefined, source: string): Repository | undefined {
  if (text === undefined || text.trim() === '' || text.trim() === '{}') return undefined;
  const errors = checkArtifactRepositoryEntry('default', text).filter((finding) => finding.severity === 'error');
  if (errors.length > 0) {
    const described = errors.map((finding) => {
      const line = finding.span === undefined ? undefined : text.slice(0, finding.span.start).split('\n').length;
      return `${line === undefined ? '' : `line ${line}: `}${finding.message.replace('repository "default": ', '').replace('repository "default" ', 'it ')}`;
    });
    throw new Error(`${source} is not an artifact repository: ${described.join('; ')}`);
  }
  return load(text) as Repository;
}

/** The controller default from `$SKIFF_DEFAULT_ARTIFACT_REPOSITORY` (see parseDefaultArtifactRepository). */
export function defaultArtifactRepositoryFromEnv(env: NodeJS.ProcessEnv): Repository | undefined {
  return parseDefaultArtifactRepository(env[DEFAULT_REPOSITORY_ENV], `$${DEFAULT_REPOSITORY_ENV}`);
}
