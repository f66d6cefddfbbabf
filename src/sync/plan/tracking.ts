import { MANAGED_BY_LABEL, SKIFF_MANAGED_BY, SYNC_COMMIT_ANNOTATION, SYNC_REPOSITORY_ANNOTATION, SYNC_SOURCE_PATH_ANNOTATION } from '../../kube/kube-names.js';

/** Where an applied object came from: the repository (`owner/name`), the file, the commit. */
export interface TrackingOrigin {
  repository: string;
  path: string;
  commit: string;
}

/**
 * The object as the sync applies it: labelled as Skiff's (prune lists only such objects) and
 * annotated with the repository, file and commit it came from, so a person reading it with kubectl
 * knows where to change it.
 *
 * @example
 *   withTracking(configMap, { repository: 'acme/flows', path: 'config/settings.yaml', commit: 'c0ffee' })
 */
export function withTracking<T extends Record<string, unknown>>(object: T, origin: TrackingOrigin): T {
  const metadata = (object.metadata ?? {}) as { labels?: Record<string, string>; annotations?: Record<string, string> };
  return {
    ...object,
    metadata: {
      ...metadata,
      labels: { ...metadata.labels, [MANAGED_BY_LABEL]: SKIFF_MANAGED_BY },
      annotations: {
        ...metadata.annotations,
        [SYNC_REPOSITORY_ANNOTATION]: origin.repository,
        [SYNC_SOURCE_PATH_ANNOTATION]: origin.path,
        [SYNC_COMMIT_ANNOTATION]: origin.commit,
      },
    },
  };
}

/** The commit annotation's path: a new commit alone is no change to an object. */
export const COMMIT_ANNOTATION_PATH = `metadata.annotations[${JSON.stringify(SYNC_COMMIT_ANNOTATION)}]`;
