import type { RunLauncher } from '../ports/run-launcher.js';
import type { DesiredSet } from '../sync/desired-set.js';
import type { ApprovalStore } from './approvals.js';
import type { InstallationOctokit } from './github-types.js';
import { lintCommit } from './lint-commit.js';
import { pathFilterSkips } from '../sync/config-triggers.js';
import { headRefOf, type PullRequestSubject } from './pull-request-checks.js';
import type { RepositoryAccess } from './repository-access.js';
import type { RunCheckTracker } from './run-check-tracker.js';
import { missingWorkflows, pathFilterReason, publishNotRun, selectRuns, startWorkflowRuns, workflowNameOf } from './start-workflow-runs.js';

export interface PullRequestRunPorts {
  access: RepositoryAccess;
  approvals: ApprovalStore;
  runs: { launcher: RunLauncher; tracker: RunCheckTracker } | undefined;
}

/**
 * The workflows a pull request may run: its own head's, or for a fork the base branch's (config
 * and definitions both: a fork's YAML never runs). Undefined when they do not lint.
 */
export async function pullRequestDefinitions(access: RepositoryAccess, octokit: InstallationOctokit, pr: PullRequestSubject): Promise<DesiredSet | undefined> {
  const tree = pr.fork
    ? await access.treeAt(octokit, pr.cloneUrl, `refs/heads/${pr.baseRef}`, pr.baseSha)
    : await access.treeAt(octokit, pr.cloneUrl, headRefOf(pr), pr.headSha);
  return (await lintCommit(tree, tree)).desired;
}

/**
 * Runs the workflows `.skiff.yml` names under `on.pull_request` for the PR's head commit, each
 * with its check run. A fork's PR runs nothing until someone with write access approved that
 * very head commit (`/skiff ok-to-test`); until then each workflow gets a neutral check saying
 * so, so a required check never hangs without a reason.
 */
export async function runPullRequestWorkflows(
  ports: PullRequestRunPorts,
  octokit: InstallationOctokit,
  pr: PullRequestSubject,
  desired: DesiredSet,
): Promise<void> {
  const trigger = desired.config.triggers.pullRequest;
  const runs = selectRuns(desired.run, 'pull_request', trigger?.workflows ?? []);
  const missing = missingWorkflows(desired.run, trigger?.workflows);
  if (missing.length > 0) await publishNotRun(octokit, pr, missing, `${desired.config.file} names it under on.pull_request, but no Workflow has that name`);
  if (runs.length === 0) return;
  // Listing the files costs API calls: only a filter pays for them.
  const skippedBy = trigger?.paths || trigger?.pathsIgnore ? pathFilterSkips(trigger, await changedFilesOf(octokit, pr)) : undefined;
  if (skippedBy) {
    const reason = pathFilterReason(skippedBy, 'pull_request', desired.config.file);
    return publishNotRun(octokit, pr, runs.map(workflowNameOf), reason, 'skipped');
  }
  const waiting = (reason: string) => publishNotRun(octokit, pr, runs.map(workflowNameOf), reason);
  if (pr.fork && !(await ports.approvals.isApproved(pr.fullName, pr.number, pr.headSha))) {
    return waiting(`this pull request comes from a fork: someone with write access must comment /skiff ok-to-test for commit ${pr.headSha.slice(0, 7)}`);
  }
  if (!ports.runs) return waiting('this Skiff is not configured to run workflows');
  await startWorkflowRuns(
    {
      octokit,
      repo: pr.repo,
      fullName: pr.fullName,
      headSha: pr.headSha,
      artifactLinkSeconds: desired.config.artifactLinkSeconds,
      logExcerptLines: desired.config.logExcerptLines,
      ...(pr.number > 0 ? { pullRequest: pr.number } : {}),
      delivery: pr.delivery,
      resumed: pr.resumed,
      ...ports.runs,
    },
    runs,
  );
}

/** GitHub lists at most this many files of a pull request: a longer list is not known whole. */
const MAX_LISTED_FILES = 3000;

/** The files a pull request changes (renamed ones under both names); undefined when not known (a merge group, too many). */
async function changedFilesOf(octokit: InstallationOctokit, pr: PullRequestSubject): Promise<string[] | undefined> {
  if (pr.number <= 0) return undefined;
  const files = await octokit.paginate(octokit.rest.pulls.listFiles, { ...pr.repo, pull_number: pr.number, per_page: 100 });
  if (files.length >= MAX_LISTED_FILES) return undefined;
  return files.flatMap((file) => (file.previous_filename ? [file.filename, file.previous_filename] : [file.filename]));
}
