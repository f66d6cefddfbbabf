import { escapeMarkdown } from '../report/markdown.js';
import { pullRequestDefinitions, runPullRequestWorkflows, type PullRequestRunPorts } from './pull-request-runs.js';
import type { InstallationOctokit, RepoRef } from './github-types.js';
import { lintCommit } from './lint-commit.js';
import { COMMAND_HELP, parseCommentCommand } from './parse-comment-command.js';
import { configuredCommandTeams, mayUseCommands } from './permissions.js';
import type { PullRequestSubject } from './pull-request-checks.js';
import { latestPerWorkflow, retriedBy, retryRuns } from './retry-runs.js';
import { answeredAlready, postReply, replyMarker } from './command-reply.js';
import { cancelRunsCommand, type CommandHead, runWorkflowCommand } from './run-commands.js';
import { COMMIT_LABEL, PULL_REQUEST_LABEL, REPOSITORY_ANNOTATION, WORKFLOW_ANNOTATION } from './start-workflow-runs.js';

export interface CommentSubject {
  repo: RepoRef;
  fullName: string;
  cloneUrl: string;
  /** Where the repository config is read from (who may command, beyond writers). */
  defaultBranch: string;
  /** Where the comment was made: a pull request's conversation, or a commit. */
  on: { pullRequest: number } | { commit: string };
  commentId: number;
  body: string;
  author: string;
  authorIsBot: boolean;
  /** The delivery being handled: the reply names it, and the runs it starts or retries carry it. */
  delivery?: string;
  /** Whether an earlier process may have handled part of this delivery: then an answer of its is looked for first. */
  resumed?: boolean;
}

/**
 * A comment on a pull request or a commit: its command, if it holds one, is acknowledged at once
 * with a reaction, run only for people allowed to (write access, or a team the repository config
 * names), and answered where it was asked, with the outcome. Unknown commands get the help text;
 * nothing in the reply repeats the comment unescaped. A delivery handled again after a kill that
 * was answered already does nothing more; one that acted without answering finds the runs it
 * started or retried (they carry its delivery) instead of acting twice.
 */
export async function handleCommentCommand(ports: PullRequestRunPorts, octokit: InstallationOctokit, comment: CommentSubject): Promise<void> {
  if (comment.authorIsBot) return; // Skiff's own replies, and other apps', are never commands.
  const command = parseCommentCommand(comment.body);
  if (!command) return;
  const { repo } = comment;
  const onCommit = 'commit' in comment.on ? comment.on.commit : undefined;
  const marker = comment.delivery === undefined ? undefined : replyMarker(comment.commentId, comment.delivery);
  if (marker !== undefined && comment.resumed !== false && (await answeredAlready(octokit, comment, marker))) return;
  const reply = (text: string): Promise<void> => postReply(octokit, comment, text, marker);
  if (onCommit !== undefined) await octokit.rest.reactions.createForCommitComment({ ...repo, comment_id: comment.commentId, content: 'eyes' });
  else await octokit.rest.reactions.createForIssueComment({ ...repo, comment_id: comment.commentId, content: 'eyes' });
  const who = `@${escapeMarkdown(comment.author)}`;
  if (command.name === 'help') return reply(COMMAND_HELP);
  if (command.name === 'unknown') return reply(`${who}: ${escapeMarkdown(command.problem)}.\n\n${COMMAND_HELP}`);
  if (!(await mayUseCommands(octokit, repo, comment.author, () => configuredCommandTeams(ports.access, octokit, comment)))) {
    return reply(
      `${who}: only people with write access to this repository (or in a team its config names under commands.teams) can use Skiff's commands, so nothing was run.`,
    );
  }

  let head: CommandHead;
  if (onCommit !== undefined) {
    if (command.name === 'ok-to-test') return reply(`${who}: /skiff ok-to-test approves a pull request's head commit: comment it on the pull request.`);
    head = commitHead(ports, octokit, comment, onCommit);
  } else {
    const pr = await pullRequestOf(octokit, comment, (comment.on as { pullRequest: number }).pullRequest);
    if (command.name === 'ok-to-test') {
      await ports.approvals.approve(pr.fullName, pr.number, pr.headSha, comment.author);
      const desired = await pullRequestDefinitions(ports.access, octokit, pr);
      if (!desired) return reply(`${who}: approved commit ${pr.headSha.slice(0, 7)}, but its workflows do not lint, so nothing runs.`);
      await runPullRequestWorkflows(ports, octokit, pr, desired);
      return reply(`${who}: approved commit ${pr.headSha.slice(0, 7)}; its pull_request workflows are running. A new push needs a new approval.`);
    }
    head = {
      headSha: pr.headSha,
      labels: { [COMMIT_LABEL]: pr.headSha, [PULL_REQUEST_LABEL]: String(pr.number) },
      pullRequest: pr.number,
      definitions: async () => {
        const desired = await pullRequestDefinitions(ports.access, octokit, pr);
        return desired ? { desired } : { problem: `commit ${pr.headSha.slice(0, 7)} does not lint, so nothing runs (see skiff / lint).` };
      },
      where: pr.fork ? `${escapeMarkdown(pr.baseRef)} (this pull request comes from a fork)` : `commit ${pr.headSha.slice(0, 7)}`,
    };
  }

  if (command.name === 'run') return reply(`${who}: ${await runWorkflowCommand(ports, octokit, comment, head, command)}`);
  if (command.name === 'cancel')
    return reply(
      `${who}: ${await cancelRunsCommand(ports, comment.fullName, head, command.workflow, { author: comment.author, commentId: comment.commentId })}`,
    );

  if (!ports.runs) return reply(`${who}: this Skiff runs no workflows, so there is nothing to retry.`);
  const found = (await ports.runs.launcher.find(head.labels)).filter((run) => run.workflow.metadata?.annotations?.[REPOSITORY_ANNOTATION] === comment.fullName);
  const latest = latestPerWorkflow(found).filter(
    (run) => command.workflow === undefined || run.workflow.metadata?.annotations?.[WORKFLOW_ANNOTATION] === command.workflow,
  );
  // A run this delivery retried before a kill is running again, not failed: it is still the one chosen.
  const chosen =
    command.steps.length > 0
      ? latest
      : latest.filter((run) => run.status.phase === 'Failed' || run.status.phase === 'Error' || retriedBy(run, comment.delivery));
  if (chosen.length === 0) {
    const what = command.workflow ? `workflow ${escapeMarkdown(command.workflow)}` : 'any workflow';
    return reply(`${who}: no failed run of ${what} for commit ${head.headSha.slice(0, 7)}: nothing to retry.`);
  }
  const outcomes = await retryRuns(
    ports.runs,
    { octokit, repo, nodes: command.steps, restartSuccessful: command.restartSuccessful, delivery: comment.delivery },
    chosen,
  );
  const lines = outcomes.map(
    (o) => `- ${escapeMarkdown(o.workflow)}: ${o.refused ? `not retried: ${escapeMarkdown(o.refused)}` : 'retrying the failed steps'}`,
  );
  await reply(`${who}: retry of commit ${head.headSha.slice(0, 7)}\n\n${lines.join('\n')}`);
}

async function pullRequestOf(octokit: InstallationOctokit, comment: CommentSubject, number: number): Promise<PullRequestSubject> {
  const { data: pull } = await octokit.rest.pulls.get({ ...comment.repo, pull_number: number });
  return {
    repo: comment.repo,
    fullName: comment.fullName,
    cloneUrl: comment.cloneUrl,
    number: pull.number,
    headSha: pull.head.sha,
    baseRef: pull.base.ref,
    baseSha: pull.base.sha,
    fork: pull.head.repo?.full_name !== comment.fullName,
    ...(comment.delivery !== undefined ? { delivery: comment.delivery } : {}),
    ...(comment.resumed !== undefined ? { resumed: comment.resumed } : {}),
  };
}

/**
 * A commit commented on: its runs are those Skiff started for it (by a push or a pull request),
 * and `/skiff run` runs its definitions only when the default branch holds it: a commit reachable
 * only through a pull request (a fork's, say) is never run from a commit comment.
 */
function commitHead(ports: PullRequestRunPorts, octokit: InstallationOctokit, comment: CommentSubject, sha: string): CommandHead {
  const short = sha.slice(0, 7);
  return {
    headSha: sha,
    labels: { [COMMIT_LABEL]: sha },
    where: `commit ${short}`,
    definitions: async () => {
      const refused = {
        problem: `commit ${short} is not on ${escapeMarkdown(comment.defaultBranch)}; a commit comment runs only the default branch's commits (comment on the pull request instead).`,
      };
      let tree: Awaited<ReturnType<typeof ports.access.treeAt>>;
      try {
        if (!(await ports.access.branchHolds(octokit, comment.cloneUrl, comment.defaultBranch, sha))) return refused;
        tree = await ports.access.treeAt(octokit, comment.cloneUrl, `refs/heads/${comment.defaultBranch}`, sha);
      } catch {
        return refused;
      }
      const desired = (await lintCommit(tree, tree)).desired;
      return desired ? { desired } : { problem: `commit ${short} does not lint, so nothing runs.` };
    },
  };
}
