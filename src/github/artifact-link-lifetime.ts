import { MAX_ARTIFACT_LINK_SECONDS } from '../ports/artifact-links.js';
import type { StoredRun } from '../ports/run-store.js';

/** How long the run's artifact links live, in seconds, as the repository config said when it started. */
export const ARTIFACT_LINK_ANNOTATION = 'skiff.dev/artifact-link-seconds';

/** The run's artifact link lifetime: its annotation, within 1 second and 7 days; 7 days when it has none. */
export function artifactLinkSeconds(run: StoredRun): number {
  const text = run.workflow.metadata?.annotations?.[ARTIFACT_LINK_ANNOTATION];
  const seconds = text !== undefined && /^\d{1,7}$/.test(text) ? Number(text) : MAX_ARTIFACT_LINK_SECONDS;
  return Math.min(Math.max(seconds, 1), MAX_ARTIFACT_LINK_SECONDS);
}
