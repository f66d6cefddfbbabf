import type { InstallationOctokit, RepoRef } from './github-types.js';
import { mayUseCommands } from './permissions.js';
import { RETRY_ALL_ACTION } from './run-check-tracker.js';
import { type RetryOutcome, type RetryPorts, retryRuns } from './retry-runs.js';
import { CHECK_RUN_LABEL } from './start-workflow-runs.js';

/**
 * A button pressed on a run's check run ("Retry failed", "Retry all") or GitHub's "Re-run": the
 * run behind that check run is retried in place, by someone with write access (or in a team of `commands.teams`). Check runs that
 * are no run of Skiff's (lint, plan) are left alone. Returns what happened, undefined when nothing.
 */
export async function handleCheckRunRetry(
  ports: RetryPorts,
  octokit: InstallationOctokit,
  request: {
    repo: RepoRef;
    checkRunId: number;
    sender: string;
    identifier: string | undefined;
    /** The teams the repository config lets command besides writers (`commands.teams`), read only when needed. */
    teams: () => Promise<readonly string[]>;
    /** The delivery of the press, so handling it again does not retry twice. */
    delivery?: string;
  },
): Promise<RetryOutcome[] | undefined> {
  const [run] = await ports.launcher.find({ [CHECK_RUN_LABEL]: String(request.checkRunId) });
  if (!run) return undefined;
  if (!(await mayUseCommands(octokit, request.repo, request.sender, request.teams))) {
    return [{ workflow: run.key, run: run.key, refused: `${request.sender} has no write access and is in no team of commands.teams` }];
  }
  const all = request.identifier === RETRY_ALL_ACTION.identifier;
  const nodes = all
    ? Object.values(run.status.nodes)
        .filter((n) => n.type === 'Pod')
        .map((n) => n.id)
    : [];
  return retryRuns(ports, { octokit, repo: request.repo, nodes, restartSuccessful: all, delivery: request.delivery }, [run]);
}
