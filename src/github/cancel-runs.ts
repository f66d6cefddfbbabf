import { isWorkflowDone } from '../engine/workflow-status.js';
import type { RunLauncher } from '../ports/run-launcher.js';
import type { StoredRun } from '../ports/run-store.js';
import { SHUTDOWN_MESSAGE_ANNOTATION } from '../spec/model/argo-labels.js';
import { COMMIT_LABEL, REPOSITORY_ANNOTATION, WORKFLOW_ANNOTATION } from './start-workflow-runs.js';

/** What became of one run asked to end. */
export interface CancelOutcome {
  workflow: string;
  run: string;
  /** Why it was not cancelled (it finished meanwhile, say); absent when it was. */
  refused?: string;
}

/**
 * Terminates the runs among `runs` that are still going, all at once (each waits for its driver
 * to take the request), with `message` on each: their check runs then complete as cancelled. A
 * run that already ended with this very message was terminated by the same request handled
 * before (its process killed before it answered): it counts as cancelled again, not as nothing.
 */
export async function terminateRuns(launcher: RunLauncher, runs: readonly StoredRun[], message: string): Promise<CancelOutcome[]> {
  const workflowOf = (run: StoredRun): string => run.workflow.metadata?.annotations?.[WORKFLOW_ANNOTATION] ?? run.key;
  const endedByThis = runs
    .filter((run) => isWorkflowDone(run.status.phase) && run.workflow.metadata?.annotations?.[SHUTDOWN_MESSAGE_ANNOTATION] === message)
    .map((run): CancelOutcome => ({ workflow: workflowOf(run), run: run.key }));
  const going = runs.filter((run) => !isWorkflowDone(run.status.phase));
  const terminated = await Promise.all(
    going.map(async (run): Promise<CancelOutcome> => {
      const workflow = workflowOf(run);
      try {
        await launcher.terminate(run.key, message);
        return { workflow, run: run.key };
      } catch (error) {
        return { workflow, run: run.key, refused: (error as Error).message };
      }
    }),
  );
  return [...endedByThis, ...terminated];
}

/**
 * Concurrency (`concurrency.cancelInProgress`): when a pull request or branch gets a new head,
 * the runs still going for its earlier heads (those of `repository` carrying `labels`, of another
 * commit) are terminated as superseded.
 */
export async function cancelSuperseded(launcher: RunLauncher, repository: string, labels: Record<string, string>, headSha: string): Promise<CancelOutcome[]> {
  const older = (await launcher.find(labels)).filter(
    (run) => run.workflow.metadata?.annotations?.[REPOSITORY_ANNOTATION] === repository && run.workflow.metadata?.labels?.[COMMIT_LABEL] !== headSha,
  );
  return terminateRuns(launcher, older, `cancelled: superseded by commit ${headSha.slice(0, 7)}`);
}
