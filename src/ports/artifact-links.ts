import type { ArtifactLink } from '../report/pull-request-comment.js';
import type { StoredRun } from './run-store.js';

export type { ArtifactLink };

/** The longest a link may live: SigV4 presigned URLs expire after at most 7 days. */
export const MAX_ARTIFACT_LINK_SECONDS = 7 * 86_400;

/**
 * Links people follow from GitHub to download a run's output artifacts, each valid for
 * `lifetimeSeconds`: presigned S3 GET URLs for artifacts in S3, a link signed for the run through
 * Skiff's own server for artifacts in a local directory. Artifacts that cannot be linked (git,
 * http, a local one with no public address for Skiff) are left out.
 *
 * @example const links = await artifactLinks.links(run, 86_400); // [{ step: 'build', name: 'dist', url: 'https://…', expiresAt: '…' }]
 */
export interface ArtifactLinks {
  links(run: StoredRun, lifetimeSeconds: number): Promise<ArtifactLink[]>;
}
