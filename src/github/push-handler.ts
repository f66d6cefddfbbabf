import type { KubeClient } from '../kube/kube-client.js';
import type { RunLauncher } from '../ports/run-launcher.js';
import { lintReport } from '../report/lint-report.js';
import { planReport } from '../report/plan-report.js';
import { type ApplyOutcome, applySync } from '../sync/apply/apply-sync.js';
import { pathFilterSkips } from '../sync/config-triggers.js';
import { compileGlob } from '../sync/glob-matcher.js';
import type { InstallationOctokit, RepoRef } from './github-types.js';
import { lintCommit } from './lint-commit.js';
import { LINT_CHECK } from './pull-request-checks.js';
import { publishCheck } from './publish-check.js';
import type { RepositoryAccess } from './repository-access.js';
import type { RunCheckTracker } from './run-check-tracker.js';
import {
  BRANCH_LABEL,
  branchLabel,
  missingWorkflows,
  pathFilterReason,
  publishNotRun,
  selectRuns,
  startWorkflowRuns,
  workflowNameOf,
} from './start-workflow-runs.js';
import { cancelSuperseded } from './cancel-runs.js';

export const SYNC_CHECK = 'skiff / sync';

export interface PushPorts {
  access: RepositoryAccess;
  planClient: () => KubeClient | undefined;
  /** Where runs go and who follows them; absent when this Skiff runs nothing. */
  runs: { launcher: RunLauncher; tracker: RunCheckTracker } | undefined;
  /** Told of each sync applied: whether it all went through, and each object's result (metrics). */
  onSync?: (ok: boolean, objectResults: ReadonlyArray<ApplyOutcome['result']>) => void;
}

export interface PushSubject {
  repo: RepoRef;
  fullName: string;
  cloneUrl: string;
  branch: string;
  after: string;
  defaultBranch: string;
  /** The files the push changed, as its payload lists them; undefined when that list is not whole (a new branch, a huge push). */
  changedFiles?: string[];
  /** The delivery being handled, so handling it again finds its check runs and runs. */
  delivery?: string;
  /** Whether an earlier process may have handled part of this delivery (see RunStartContext.resumed). */
  resumed?: boolean;
}

/**
 * A push to a branch the repository config names under `on.push.branches` (config read from the
 * default branch): the commit is linted (a failing `skiff / lint` when it does not, and then
 * nothing else happens), applied (`skiff / sync`, when a cluster or state directory is there),
 * and the Workflows configured for push are run, each with its check run.
 */
export async function handlePush(ports: PushPorts, octokit: InstallationOctokit, push: PushSubject): Promise<void> {
  const checkSubject = { repo: push.repo, headSha: push.after, delivery: push.delivery };
  const tree = await ports.access.treeAt(octokit, push.cloneUrl, `refs/heads/${push.branch}`, push.after);
  const configFrom =
    push.branch === push.defaultBranch ? tree : await ports.access.treeAt(octokit, push.cloneUrl, `refs/heads/${push.defaultBranch}`, undefined);
  const linted = await lintCommit(tree, configFrom);
  if (!linted.desired) {
    // A broken config or manifest on a branch is shown, never a silent no-op.
    await publishCheck(
      octokit,
      push.repo,
      { name: LINT_CHECK, headSha: push.after, externalId: `lint:${push.after}`, delivery: push.delivery },
      lintReport(linted.diagnostics, push.after),
    );
    const configured = linted.config?.triggers.push;
    if (configured?.branches.some((glob) => compileGlob(glob)(push.branch))) {
      await publishNotRun(octokit, checkSubject, configured.workflows ?? [], `the commit does not lint (see ${LINT_CHECK}): nothing was applied or run`);
    }
    return;
  }
  const trigger = linted.desired.config.triggers.push;
  if (!trigger?.branches.some((glob) => compileGlob(glob)(push.branch))) return;

  const client = ports.planClient();
  if (client && linted.desired.apply.length > 0) {
    const result = await applySync({ desired: linted.desired, client, repository: push.fullName, commit: push.after });
    ports.onSync?.(
      result.ok,
      result.outcomes.map((o) => o.result),
    );
    const report = planReport(result.plan);
    const failed = result.outcomes.filter((o) => o.result === 'failed');
    await publishCheck(
      octokit,
      push.repo,
      { name: SYNC_CHECK, headSha: push.after, externalId: `sync:${push.after}`, delivery: push.delivery },
      failed.length > 0
        ? { ...report, conclusion: 'failure', title: `${failed.length} object(s) failed to apply` }
        : { ...report, title: `Applied: ${report.title}` },
    );
  }
  const selected = selectRuns(linted.desired.run, 'push', trigger.workflows);
  const missing = missingWorkflows(linted.desired.run, trigger.workflows);
  if (missing.length > 0)
    await publishNotRun(octokit, checkSubject, missing, `${linted.desired.config.file} names it under on.push, but no Workflow has that name`);
  const skippedBy = selected.length > 0 ? pathFilterSkips(trigger, push.changedFiles) : undefined;
  if (skippedBy) {
    const reason = pathFilterReason(skippedBy, 'push', linted.desired.config.file);
    return publishNotRun(octokit, checkSubject, selected.map(workflowNameOf), reason, 'skipped');
  }
  if (!ports.runs) return publishNotRun(octokit, checkSubject, selected.map(workflowNameOf), 'this Skiff is not configured to run workflows');
  if (linted.desired.config.cancelInProgress) {
    // The branch's new head supersedes the runs of the ones before it.
    await cancelSuperseded(ports.runs.launcher, push.fullName, { [BRANCH_LABEL]: branchLabel(push.branch) }, push.after);
  }
  await startWorkflowRuns(
    {
      octokit,
      repo: push.repo,
      fullName: push.fullName,
      headSha: push.after,
      branch: push.branch,
      artifactLinkSeconds: linted.desired.config.artifactLinkSeconds,
      logExcerptLines: linted.desired.config.logExcerptLines,
      delivery: push.delivery,
      resumed: push.resumed,
      ...ports.runs,
    },
    selected,
  );
}
