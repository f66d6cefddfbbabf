import { escapeMarkdown } from '../report/markdown.js';
import { pullRequestDefinitions, runPullRequestWorkflows, type PullRequestRunPorts } from './pull-request-runs.js';
import type { InstallationOctokit, RepoRef } from './github-types.js';
import { COMMAND_HELP, parseCommentCommand } from './parse-comment-command.js';
import { canWrite } from './permissions.js';
import type { PullRequestSubject } from './pull-request-checks.js';
import { latestPerWorkflow, retryRuns } from './retry-runs.js';
import { cancelRunsCommand, runWorkflowCommand } from './run-commands.js';
import { COMMIT_LABEL, PULL_REQUEST_LABEL, WORKFLOW_ANNOTATION } from './start-workflow-runs.js';

export interface CommentSubject {
  repo: RepoRef;
  fullName: string;
  cloneUrl: string;
  pullRequest: number;
  commentId: number;
  body: string;
  author: string;
  authorIsBot: boolean;
}

/**
 * A comment on a pull request: its command, if it holds one, is acknowledged at once with a
 * reaction, run only for people with write access, and answered with the outcome. Unknown
 * commands get the help text; nothing in the reply repeats the comment unescaped.
 */
export async function handleCommentCommand(ports: PullRequestRunPorts, octokit: InstallationOctokit, comment: CommentSubject): Promise<void> {
  if (comment.authorIsBot) return; // Skiff's own replies, and other apps', are never commands.
  const command = parseCommentCommand(comment.body);
  if (!command) return;
  const { repo } = comment;
  const reply = (text: string) => octokit.rest.issues.createComment({ ...repo, issue_number: comment.pullRequest, body: text });
  await octokit.rest.reactions.createForIssueComment({ ...repo, comment_id: comment.commentId, content: 'eyes' });
  const who = `@${escapeMarkdown(comment.author)}`;
  if (command.name === 'help') return void (await reply(COMMAND_HELP));
  if (command.name === 'unknown') return void (await reply(`${who}: ${escapeMarkdown(command.problem)}.\n\n${COMMAND_HELP}`));
  if (!(await canWrite(octokit, repo, comment.author))) {
    await reply(`${who}: only people with write access to this repository can use Skiff's commands, so nothing was run.`);
    return;
  }
  const { data: pull } = await octokit.rest.pulls.get({ ...repo, pull_number: comment.pullRequest });
  const pr: PullRequestSubject = {
    repo,
    fullName: comment.fullName,
    cloneUrl: comment.cloneUrl,
    number: pull.number,
    headSha: pull.head.sha,
    baseRef: pull.base.ref,
    baseSha: pull.base.sha,
    fork: pull.head.repo?.full_name !== comment.fullName,
  };

  if (command.name === 'ok-to-test') {
    await ports.approvals.approve(pr.fullName, pr.number, pr.headSha, comment.author);
    const desired = await pullRequestDefinitions(ports.access, octokit, pr);
    if (!desired) return void (await reply(`${who}: approved commit ${pr.headSha.slice(0, 7)}, but its workflows do not lint, so nothing runs.`));
    await runPullRequestWorkflows(ports, octokit, pr, desired);
    await reply(`${who}: approved commit ${pr.headSha.slice(0, 7)}; its pull_request workflows are running. A new push needs a new approval.`);
    return;
  }

  if (command.name === 'run') return void (await reply(`${who}: ${await runWorkflowCommand(ports, octokit, pr, command)}`));
  if (command.name === 'cancel') return void (await reply(`${who}: ${await cancelRunsCommand(ports, pr, command.workflow, comment.author)}`));

  if (!ports.runs) return void (await reply(`${who}: this Skiff runs no workflows, so there is nothing to retry.`));
  const found = await ports.runs.launcher.find({ [COMMIT_LABEL]: pr.headSha, [PULL_REQUEST_LABEL]: String(pr.number) });
  const latest = latestPerWorkflow(found).filter(
    (run) => command.workflow === undefined || run.workflow.metadata?.annotations?.[WORKFLOW_ANNOTATION] === command.workflow,
  );
  const chosen = command.steps.length > 0 ? latest : latest.filter((run) => run.status.phase === 'Failed' || run.status.phase === 'Error');
  if (chosen.length === 0) {
    const what = command.workflow ? `workflow ${escapeMarkdown(command.workflow)}` : 'any workflow';
    return void (await reply(`${who}: no failed run of ${what} for commit ${pr.headSha.slice(0, 7)}: nothing to retry.`));
  }
  const outcomes = await retryRuns(ports.runs, { octokit, repo, nodes: command.steps, restartSuccessful: command.restartSuccessful }, chosen);
  const lines = outcomes.map(
    (o) => `- ${escapeMarkdown(o.workflow)}: ${o.refused ? `not retried: ${escapeMarkdown(o.refused)}` : 'retrying the failed steps'}`,
  );
  await reply(`${who}: retry of commit ${pr.headSha.slice(0, 7)}\n\n${lines.join('\n')}`);
}
