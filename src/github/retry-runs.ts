import type { RunLauncher } from '../ports/run-launcher.js';
import type { StoredRun } from '../ports/run-store.js';
import type { InstallationOctokit, RepoRef } from './github-types.js';
import type { RunCheckTracker } from './run-check-tracker.js';
import { deliveryLabel, RETRIED_BY_LABEL } from './delivery-label.js';
import { CHECK_RUN_LABEL, WORKFLOW_ANNOTATION } from './start-workflow-runs.js';

export interface RetryPorts {
  launcher: RunLauncher;
  tracker: RunCheckTracker;
}

export interface RetryRequest {
  octokit: InstallationOctokit;
  repo: RepoRef;
  /** `nodes` to run only those steps; none: the failed ones. */
  nodes?: string[];
  restartSuccessful?: boolean;
  /** The delivery asking (a comment command, a button): each run it retries is labelled with it. */
  delivery?: string | undefined;
}

/** What became of one run asked to retry. */
export interface RetryOutcome {
  workflow: string;
  run: string;
  /** Why it was not retried; absent when it was. */
  refused?: string;
}

/**
 * Retries runs in place (only their failed steps, or the named ones, and what ran after them),
 * and follows each again on the check run it already has, so the same check run shows the retry.
 * A run this very delivery retried already (handled again after a kill) is followed, not retried
 * a second time.
 */
export async function retryRuns(ports: RetryPorts, request: RetryRequest, runs: readonly StoredRun[]): Promise<RetryOutcome[]> {
  const outcomes: RetryOutcome[] = [];
  for (const run of runs) {
    const workflow = run.workflow.metadata?.annotations?.[WORKFLOW_ANNOTATION] ?? run.key;
    const checkRunId = Number(run.workflow.metadata?.labels?.[CHECK_RUN_LABEL]);
    if (!retriedBy(run, request.delivery)) {
      try {
        await ports.launcher.retry(run.key, {
          ...(request.nodes && request.nodes.length > 0 ? { nodes: request.nodes } : {}),
          ...(request.restartSuccessful ? { restartSuccessful: true } : {}),
          ...(request.delivery !== undefined ? { labels: { [RETRIED_BY_LABEL]: deliveryLabel(request.delivery) } } : {}),
        });
      } catch (error) {
        outcomes.push({ workflow, run: run.key, refused: (error as Error).message });
        continue;
      }
    }
    if (Number.isSafeInteger(checkRunId) && checkRunId > 0) {
      ports.tracker.track({ octokit: request.octokit, repo: request.repo, checkRunId, key: run.key, workflow });
    }
    outcomes.push({ workflow, run: run.key });
  }
  return outcomes;
}

/** Whether `delivery` retried `run` already (its process killed before it could say so). */
export function retriedBy(run: StoredRun, delivery: string | undefined): boolean {
  return delivery !== undefined && run.workflow.metadata?.labels?.[RETRIED_BY_LABEL] === deliveryLabel(delivery);
}

/** The newest run of each workflow among `runs`. */
export function latestPerWorkflow(runs: readonly StoredRun[]): StoredRun[] {
  const latest = new Map<string, StoredRun>();
  for (const run of runs) {
    const workflow = run.workflow.metadata?.annotations?.[WORKFLOW_ANNOTATION] ?? run.key;
    const known = latest.get(workflow);
    if (!known || (run.workflow.metadata?.creationTimestamp ?? '') > (known.workflow.metadata?.creationTimestamp ?? '')) latest.set(workflow, run);
  }
  return [...latest.values()];
}
