import { isWorkflowDone } from '../engine/workflow-status.js';
import type { RunLauncher } from '../ports/run-launcher.js';
import type { InstallationOctokit } from './github-types.js';
import type { RunCheckTracker } from './run-check-tracker.js';
import { CHECK_RUN_LABEL, INSTALLATION_ANNOTATION, REPOSITORY_ANNOTATION, WORKFLOW_ANNOTATION } from './start-workflow-runs.js';

/**
 * After a restart: every run Skiff started for GitHub that is still going, or that ended while
 * Skiff was down without its check run saying so, is followed again, so no check run is left in
 * progress for ever. Returns how many were picked up.
 */
export async function resumeRunChecks(
  launcher: RunLauncher,
  tracker: RunCheckTracker,
  auth: (installationId: number) => Promise<InstallationOctokit>,
): Promise<number> {
  let resumed = 0;
  for (const run of await launcher.find({})) {
    const labels = run.workflow.metadata?.labels ?? {};
    const annotations = run.workflow.metadata?.annotations ?? {};
    const checkRunId = Number(labels[CHECK_RUN_LABEL]);
    const installationId = Number(annotations[INSTALLATION_ANNOTATION]);
    const [owner, repo] = (annotations[REPOSITORY_ANNOTATION] ?? '').split('/');
    if (!(checkRunId > 0) || !(installationId > 0) || !owner || !repo) continue;
    if (isWorkflowDone(run.status.phase) && tracker.reportedAlready(run.key, checkRunId, run.status.finishedAt)) continue;
    tracker.track({
      octokit: await auth(installationId),
      repo: { owner, repo },
      checkRunId,
      key: run.key,
      workflow: annotations[WORKFLOW_ANNOTATION] ?? run.key,
    });
    resumed++;
  }
  return resumed;
}
