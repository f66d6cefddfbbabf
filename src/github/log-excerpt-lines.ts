import type { StoredRun } from '../ports/run-store.js';
import { DEFAULT_LOG_EXCERPT_LINES, MAX_LOG_EXCERPT_LINES } from '../sync/config-run-settings.js';

/** How many log lines of each failed step the run's check run shows, as the repository config said when it started. */
export const LOG_EXCERPT_ANNOTATION = 'skiff.dev/log-excerpt-lines';

/** The run's log excerpt length: its annotation, within 1 and 500; `fallback` when it has none. */
export function logExcerptLines(run: StoredRun, fallback = DEFAULT_LOG_EXCERPT_LINES): number {
  const text = run.workflow.metadata?.annotations?.[LOG_EXCERPT_ANNOTATION];
  const lines = text !== undefined && /^\d{1,4}$/.test(text) ? Number(text) : fallback;
  return Math.min(Math.max(lines, 1), MAX_LOG_EXCERPT_LINES);
}
