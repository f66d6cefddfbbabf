import type { Probot } from 'probot';
import type { InstallationOctokit } from './github-types.js';
import { handlePush, type PushPorts } from './push-handler.js';
import { checkPullRequest, LINT_CHECK, PLAN_CHECK, type PullRequestCheckPorts, type PullRequestSubject } from './pull-request-checks.js';
import { pullRequestDefinitions, runPullRequestWorkflows, type PullRequestRunPorts } from './pull-request-runs.js';
import { type CommentSubject, handleCommentCommand } from './comment-commands.js';
import { handleCheckRunRetry } from './check-run-actions.js';
import { configuredCommandTeams } from './permissions.js';
import { PULL_REQUEST_LABEL, publishNotRun } from './start-workflow-runs.js';
import { cancelSuperseded } from './cancel-runs.js';
import type { PullRequestComments } from './pull-request-comment.js';
import { PULL_REQUEST_ACTIONS } from './announce-checks.js';

/** What the App's handlers work with; the server wires them (local state directory or cluster). */
export type SkiffAppPorts = PullRequestCheckPorts &
  PushPorts &
  PullRequestRunPorts & {
    log: (line: string) => void;
    /** The one comment per pull request; absent: no comment is written. */
    comments?: PullRequestComments;
    /**
     * Whether an earlier process accepted this delivery and may have handled part of it before it
     * stopped (it was left in the inbox): only then do handlers look for what it did. Absent:
     * they always look.
     */
    resumedDelivery?: (id: string) => boolean;
  };

const ZERO_SHA = /^0{40}$/;

/**
 * Checks again the open pull request whose head is `headSha` (one of `pulls`, as a check run or
 * suite lists them); nothing when that commit is no longer the head: the new one has its checks.
 */
async function recheckPullRequest(
  ports: SkiffAppPorts,
  octokit: InstallationOctokit,
  repository: { owner: { login: string }; name: string; full_name: string; clone_url: string },
  headSha: string,
  pulls: ReadonlyArray<{ number: number; head: { sha: string } }>,
  delivery: string,
): Promise<void> {
  const number = pulls.find((p) => p.head.sha === headSha)?.number;
  if (number === undefined) return;
  const repo = { owner: repository.owner.login, repo: repository.name };
  const { data: pull } = await octokit.rest.pulls.get({ ...repo, pull_number: number });
  if (pull.state !== 'open' || pull.head.sha !== headSha) return;
  await processPullRequest(ports, octokit, {
    repo,
    fullName: repository.full_name,
    cloneUrl: repository.clone_url,
    number,
    headSha,
    baseRef: pull.base.ref,
    baseSha: pull.base.sha,
    fork: pull.head.repo?.full_name !== repository.full_name,
    ...deliveryOf(ports, delivery),
  });
}

/** The delivery fields of a subject: its id, and whether an earlier process may have handled part of it. */
function deliveryOf(ports: SkiffAppPorts, id: string): { delivery: string; resumed?: boolean } {
  const resumed = ports.resumedDelivery?.(id);
  return resumed === undefined ? { delivery: id } : { delivery: id, resumed };
}

/** A pull request's checks, then the workflows it runs (if it lints). */
async function processPullRequest(ports: SkiffAppPorts, octokit: InstallationOctokit, pr: PullRequestSubject): Promise<void> {
  const touchComment = () => ports.comments?.touch({ octokit, repo: pr.repo, fullName: pr.fullName, number: pr.number, headSha: pr.headSha }, true);
  const { lints, config } = await checkPullRequest(ports, octokit, pr);
  touchComment();
  if (config?.cancelInProgress && ports.runs && pr.number > 0) {
    // A new head: the runs of the ones before it are superseded.
    const cancelled = await cancelSuperseded(ports.runs.launcher, pr.fullName, { [PULL_REQUEST_LABEL]: String(pr.number) }, pr.headSha);
    for (const c of cancelled) if (c.refused) ports.log(`${pr.fullName}#${pr.number}: ${c.run} not cancelled: ${c.refused}`);
  }
  if (!lints) {
    const names = config?.triggers.pullRequest?.workflows ?? [];
    await publishNotRun(octokit, pr, names, `the repository does not lint at this commit (see ${LINT_CHECK})`);
    return;
  }
  const desired = await pullRequestDefinitions(ports.access, octokit, pr);
  if (desired) await runPullRequestWorkflows(ports, octokit, pr, desired);
  touchComment();
}

const PR_ACTIONS = PULL_REQUEST_ACTIONS.map((action) => `pull_request.${action}` as const);

/**
 * The GitHub App's event handlers, registered on a Probot instance. Each handler gets an Octokit
 * authenticated as the installation the delivery came from.
 */
export function registerSkiffApp(probot: Probot, ports: SkiffAppPorts): void {
  probot.on([...PR_ACTIONS], async (context) => {
    const { pull_request: pull, repository } = context.payload;
    if (pull.state !== 'open') return;
    const octokit = context.octokit as InstallationOctokit;
    const pr: PullRequestSubject = {
      repo: { owner: repository.owner.login, repo: repository.name },
      fullName: repository.full_name,
      cloneUrl: repository.clone_url,
      number: pull.number,
      headSha: pull.head.sha,
      baseRef: pull.base.ref,
      baseSha: pull.base.sha,
      fork: pull.head.repo?.full_name !== repository.full_name,
      ...deliveryOf(ports, context.id),
    };
    await processPullRequest(ports, octokit, pr);
  });

  probot.on('issue_comment.created', async (context) => {
    const { issue, comment, repository } = context.payload;
    if (!issue.pull_request) return; // commands on plain issues: nothing to run there
    await handleCommentCommand(ports, context.octokit as InstallationOctokit, {
      ...commandSubject(repository, comment, { pullRequest: issue.number }),
      ...deliveryOf(ports, context.id),
    });
  });

  // The same commands on a commit (its page, or a line of its diff), answered on the commit.
  probot.on('commit_comment.created', async (context) => {
    const { comment, repository } = context.payload;
    await handleCommentCommand(ports, context.octokit as InstallationOctokit, {
      ...commandSubject(repository, comment, { commit: comment.commit_id }),
      ...deliveryOf(ports, context.id),
    });
  });

  probot.on(['check_run.requested_action', 'check_run.rerequested'], async (context) => {
    const { check_run: check, repository, sender } = context.payload;
    const octokit = context.octokit as InstallationOctokit;
    if (context.payload.action === 'rerequested' && (check.name === LINT_CHECK || check.name === PLAN_CHECK)) {
      // "Re-run" on lint or plan: check the pull request's head again (that of the check run's commit).
      await recheckPullRequest(ports, octokit, repository, check.head_sha, check.pull_requests, context.id);
      return;
    }
    if (!ports.runs) return;
    const identifier = context.payload.action === 'requested_action' ? context.payload.requested_action?.identifier : undefined;
    const outcomes = await handleCheckRunRetry(ports.runs, context.octokit as InstallationOctokit, {
      repo: { owner: repository.owner.login, repo: repository.name },
      checkRunId: check.id,
      sender: sender.login,
      identifier,
      teams: () => configuredCommandTeams(ports.access, octokit, { cloneUrl: repository.clone_url, defaultBranch: repository.default_branch }),
      delivery: context.id,
    });
    for (const outcome of outcomes ?? []) if (outcome.refused) ports.log(`check run ${check.id}: ${outcome.workflow} not retried: ${outcome.refused}`);
  });

  // "Re-run all checks": the pull request's checks and workflows again, for that commit.
  probot.on('check_suite.rerequested', async (context) => {
    const { check_suite: suite, repository } = context.payload;
    await recheckPullRequest(ports, context.octokit as InstallationOctokit, repository, suite.head_sha, suite.pull_requests, context.id);
  });

  // The merge queue's commit gets the pull-request checks and workflows, so required checks pass there too.
  probot.on('merge_group.checks_requested', async (context) => {
    const { merge_group: group, repository } = context.payload;
    if (!repository) return;
    await processPullRequest(ports, context.octokit as InstallationOctokit, {
      repo: { owner: repository.owner.login, repo: repository.name },
      fullName: repository.full_name,
      cloneUrl: repository.clone_url,
      number: 0,
      headSha: group.head_sha,
      headRef: group.head_ref,
      baseRef: group.base_ref.replace(/^refs\/heads\//, ''),
      baseSha: group.base_sha,
      fork: false,
      ...deliveryOf(ports, context.id),
    });
  });

  probot.on('push', async (context) => {
    const { ref, after, repository, deleted, created, commits } = context.payload;
    // A deleted branch, and tags, run nothing.
    if (deleted || ZERO_SHA.test(after) || !ref.startsWith('refs/heads/')) return;
    await handlePush(ports, context.octokit as InstallationOctokit, {
      repo: { owner: repository.owner?.login ?? repository.full_name.split('/')[0]!, repo: repository.name },
      fullName: repository.full_name,
      cloneUrl: repository.clone_url,
      branch: ref.slice('refs/heads/'.length),
      after,
      defaultBranch: repository.default_branch,
      ...(created ? {} : changedFilesOfPush(commits)),
      ...deliveryOf(ports, context.id),
    });
  });
}

/** GitHub lists at most this many commits of a push; a longer push's files are not known whole. */
/** The repository and comment fields of an issue_comment or commit_comment webhook that a command needs. */
interface CommentPayload {
  repository: { owner: { login: string }; name: string; full_name: string; clone_url: string; default_branch: string };
  comment: { id: number; body?: string | null; user?: { login?: string; type?: string } | null; performed_via_github_app?: unknown };
}

/** A comment command's subject, the same from a pull request's conversation and from a commit. */
function commandSubject(repository: CommentPayload['repository'], comment: CommentPayload['comment'], on: CommentSubject['on']): CommentSubject {
  return {
    repo: { owner: repository.owner.login, repo: repository.name },
    fullName: repository.full_name,
    cloneUrl: repository.clone_url,
    defaultBranch: repository.default_branch,
    on,
    commentId: comment.id,
    body: comment.body ?? '',
    author: comment.user?.login ?? '',
    authorIsBot: comment.user?.type === 'Bot' || comment.performed_via_github_app != null,
  };
}

const MAX_PUSH_COMMITS = 2048;

/** The files a push's commits touch, as its payload lists them; nothing when that list may be cut short. */
function changedFilesOfPush(commits: ReadonlyArray<{ added?: string[]; removed?: string[]; modified?: string[] }>): { changedFiles?: string[] } {
  if (commits.length === 0 || commits.length >= MAX_PUSH_COMMITS) return {};
  const files = new Set<string>();
  for (const commit of commits) for (const file of [...(commit.added ?? []), ...(commit.removed ?? []), ...(commit.modified ?? [])]) files.add(file);
  return { changedFiles: [...files] };
}
