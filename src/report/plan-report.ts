import { renderPlanMarkdown } from '../sync/plan/render-plan.js';
import { countPlan, type SyncPlan } from '../sync/plan/sync-plan.js';
import { CHECK_LIMITS, fitText } from './github-limits.js';
import type { CheckReport } from './lint-report.js';
import { escapeMarkdown } from './markdown.js';

/**
 * The `skiff / plan` check: what merging the commit will create, change and prune. Failure when
 * an object cannot be applied; otherwise success (a plan with changes is what a PR is for).
 */
export function planReport(plan: SyncPlan): CheckReport {
  const c = countPlan(plan);
  const parts = [`${c.create} to create`, `${c.change} to change`, `${c.prune} to prune`];
  if (c.error > 0) parts.push(`${c.error} with errors`);
  if (c.drifted > 0) parts.push(`${c.drifted} drifted`);
  return {
    conclusion: c.error > 0 ? 'failure' : 'success',
    title: parts.join(', '),
    summary: fitText(renderPlanMarkdown(plan), CHECK_LIMITS.maxOutputChars),
    annotations: [],
  };
}

/** A plan check that could not plan: neutral (nothing is wrong with the PR for it) with the reason. */
export function planNotMadeReport(reason: string, conclusion: CheckReport['conclusion'] = 'neutral'): CheckReport {
  return {
    conclusion,
    title: 'No plan',
    summary: fitText(`No plan was made: ${escapeMarkdown(reason)}\n`, CHECK_LIMITS.maxOutputChars),
    annotations: [],
  };
}
