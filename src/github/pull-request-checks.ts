import type { KubeClient } from '../kube/kube-client.js';
import { lintReport } from '../report/lint-report.js';
import { planNotMadeReport, planReport } from '../report/plan-report.js';
import type { RepositoryTree } from '../sync/repository-tree.js';
import type { RepositoryConfig } from '../sync/repository-config.js';
import { planSync } from '../sync/plan/plan-sync.js';
import type { InstallationOctokit, RepoRef } from './github-types.js';
import { lintCommit } from './lint-commit.js';
import { completeCheck, startCheck } from './publish-check.js';
import type { RepositoryAccess } from './repository-access.js';

export const LINT_CHECK = 'skiff / lint';
export const PLAN_CHECK = 'skiff / plan';

/** What the PR checks need of a pull_request payload. */
export interface PullRequestSubject {
  repo: RepoRef;
  fullName: string;
  cloneUrl: string;
  /** The pull request's number; 0 for a merge group (the merge queue's commit of one or more PRs). */
  number: number;
  headSha: string;
  /** Where the head is fetched from: `refs/pull/<number>/head` unless given (a merge group's branch). */
  headRef?: string;
  baseRef: string;
  baseSha: string;
  /** The head lives in another repository: its config is not trusted, the base branch's is used. */
  fork: boolean;
  /** The delivery being handled (its X-GitHub-Delivery), so handling it again finds its check runs and runs. */
  delivery?: string;
  /** Whether an earlier process may have handled part of this delivery (see RunStartContext.resumed). */
  resumed?: boolean;
}

export interface PullRequestCheckPorts {
  access: RepositoryAccess;
  /** Where plans are made: the cluster, or the local state directory; undefined when neither. */
  planClient: () => KubeClient | undefined;
}

/**
 * `skiff / lint` and `skiff / plan` for a pull request's head: the files are read from the head
 * commit, the repository config from the head (or, for a fork, from the base branch: a fork does
 * not choose which paths and namespaces it may touch), linted as `skiff lint` does with every
 * diagnostic an annotation on its line, then planned against the cluster or state directory.
 * Both checks are opened before the work, so a required check never hangs unseen.
 */
export async function checkPullRequest(
  ports: PullRequestCheckPorts,
  octokit: InstallationOctokit,
  pr: PullRequestSubject,
): Promise<{ lints: boolean; config?: RepositoryConfig }> {
  const lintId = await startCheck(octokit, pr.repo, { name: LINT_CHECK, headSha: pr.headSha, externalId: `lint:${pr.headSha}`, delivery: pr.delivery });
  const planId = await startCheck(octokit, pr.repo, { name: PLAN_CHECK, headSha: pr.headSha, externalId: `plan:${pr.headSha}`, delivery: pr.delivery });
  let head: RepositoryTree;
  let configFrom: RepositoryTree;
  try {
    head = await ports.access.treeAt(octokit, pr.cloneUrl, headRefOf(pr), pr.headSha);
    configFrom = pr.fork ? await ports.access.treeAt(octokit, pr.cloneUrl, `refs/heads/${pr.baseRef}`, pr.baseSha) : head;
  } catch (error) {
    const reason = `the commit could not be fetched: ${(error as Error).message}`;
    await completeCheck(octokit, pr.repo, lintId, { ...planNotMadeReport(reason), title: 'Not linted' });
    await completeCheck(octokit, pr.repo, planId, planNotMadeReport(reason));
    return { lints: false };
  }
  const linted = await lintCommit(head, configFrom);
  await completeCheck(octokit, pr.repo, lintId, lintReport(linted.diagnostics, pr.headSha));

  if (!linted.desired) {
    await completeCheck(octokit, pr.repo, planId, planNotMadeReport(`the repository does not lint (see ${LINT_CHECK})`));
    return { lints: false, ...(linted.config ? { config: linted.config } : {}) };
  }
  const client = ports.planClient();
  if (!client) {
    await completeCheck(octokit, pr.repo, planId, planNotMadeReport('no cluster and no state directory are configured for this Skiff'));
    return { lints: true, config: linted.desired.config };
  }
  try {
    const plan = await planSync({ desired: linted.desired, client, repository: pr.fullName, commit: pr.headSha });
    await completeCheck(octokit, pr.repo, planId, planReport(plan));
  } catch (error) {
    await completeCheck(octokit, pr.repo, planId, planNotMadeReport(`the cluster could not be asked: ${(error as Error).message}`, 'failure'));
  }
  return { lints: true, config: linted.desired.config };
}

/** The ref a pull request's (or merge group's) head commit is fetched through. */
export function headRefOf(pr: PullRequestSubject): string {
  return pr.headRef ?? `refs/pull/${pr.number}/head`;
}
