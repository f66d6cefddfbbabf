import { withOverrides } from '../engine/submit-overrides.js';
import { escapeMarkdown } from '../report/markdown.js';
import type { Workflow } from '../spec/model/workflow.js';
import { terminateRuns } from './cancel-runs.js';
import type { DesiredSet } from '../sync/desired-set.js';
import type { InstallationOctokit, RepoRef } from './github-types.js';
import type { PullRequestRunPorts } from './pull-request-runs.js';
import { REPOSITORY_ANNOTATION, startWorkflowRuns, WORKFLOW_ANNOTATION, workflowNameOf } from './start-workflow-runs.js';

/** What a command acts on: a pull request's head, or a commented commit. */
export interface CommandHead {
  headSha: string;
  /** Labels of the runs Skiff started for this head. */
  labels: Record<string, string>;
  /** The pull request, when the command came from one. */
  pullRequest?: number;
  /** The Workflows that may run for this head, or why none may. */
  definitions: () => Promise<{ desired: DesiredSet } | { problem: string }>;
  /** Where the definitions come from, for replies (Markdown-safe). */
  where: string;
}

/**
 * `/skiff run WORKFLOW [-p name=value]...`: the named Workflow of the head's definitions (for a
 * fork's pull request: of the base branch, as for every run of a fork) started for the head commit
 * with its check run. Only a Workflow the repository config's paths hold can be named, and only
 * the parameters it declares can be given: a value replaces the declared one, as data. Returns the
 * reply.
 */
export async function runWorkflowCommand(
  ports: PullRequestRunPorts,
  octokit: InstallationOctokit,
  /** With the delivery being handled: handling it again takes over the run it started (see startWorkflowRuns). */
  subject: { repo: RepoRef; fullName: string; delivery?: string; resumed?: boolean },
  head: CommandHead,
  command: { workflow: string; parameters: Record<string, string> },
): Promise<string> {
  const commit = head.headSha.slice(0, 7);
  const name = escapeMarkdown(command.workflow);
  if (!ports.runs) return 'this Skiff runs no workflows.';
  const definitions = await head.definitions();
  if ('problem' in definitions) return definitions.problem;
  const { desired } = definitions;
  const chosen = desired.run.find((run) => workflowNameOf(run) === command.workflow);
  if (!chosen) {
    const known = desired.run.map((run) => escapeMarkdown(workflowNameOf(run))).join(', ') || 'none';
    return `no Workflow named ${name} under the paths of ${escapeMarkdown(desired.config.file)} at ${head.where}. Workflows: ${known}.`;
  }
  const workflow = chosen.object as unknown as Workflow;
  const declared = new Set((workflow.spec?.arguments?.parameters ?? []).map((p) => p.name));
  const undeclared = Object.keys(command.parameters).filter((p) => !declared.has(p));
  if (undeclared.length > 0) {
    return `${name} declares no parameter ${undeclared.map(escapeMarkdown).join(', ')} (it has: ${[...declared].map(escapeMarkdown).join(', ') || 'none'}); nothing was run.`;
  }
  const object = withOverrides(workflow, { parameters: command.parameters }) as unknown as typeof chosen.object;
  await startWorkflowRuns(
    {
      octokit,
      repo: subject.repo,
      fullName: subject.fullName,
      headSha: head.headSha,
      ...(head.pullRequest !== undefined ? { pullRequest: head.pullRequest } : {}),
      artifactLinkSeconds: desired.config.artifactLinkSeconds,
      logExcerptLines: desired.config.logExcerptLines,
      delivery: subject.delivery,
      resumed: subject.resumed,
      ...ports.runs,
    },
    [{ ...chosen, object }],
  );
  const given = Object.keys(command.parameters).length;
  return `started ${name} for commit ${commit}${given > 0 ? ` with ${given} parameter${given === 1 ? '' : 's'}` : ''}; its check run is skiff / ${name}.`;
}

/**
 * `/skiff cancel [WORKFLOW]`: the runs of the head still going (of that workflow) are terminated,
 * with a message naming the comment. The same comment handled again (its process killed after it
 * cancelled, before it replied) finds the runs it ended by that message and says so again.
 * Returns the reply.
 */
export async function cancelRunsCommand(
  ports: PullRequestRunPorts,
  fullName: string,
  head: CommandHead,
  workflow: string | undefined,
  by: { author: string; commentId: number },
): Promise<string> {
  if (!ports.runs) return 'this Skiff runs no workflows.';
  const found = await ports.runs.launcher.find(head.labels);
  const chosen = found.filter(
    (run) =>
      run.workflow.metadata?.annotations?.[REPOSITORY_ANNOTATION] === fullName &&
      (workflow === undefined || run.workflow.metadata?.annotations?.[WORKFLOW_ANNOTATION] === workflow),
  );
  // The message names the comment, so the same comment handled again recognises the runs it ended.
  const outcomes = await terminateRuns(ports.runs.launcher, chosen, `cancelled by ${by.author} (/skiff cancel in comment ${by.commentId})`);
  const what = workflow === undefined ? 'no run' : `no run of ${escapeMarkdown(workflow)}`;
  if (outcomes.length === 0) return `${what} is going for commit ${head.headSha.slice(0, 7)}: nothing to cancel.`;
  const lines = outcomes.map(
    (o) => `- ${escapeMarkdown(o.workflow)} (${escapeMarkdown(o.run)}): ${o.refused ? `not cancelled: ${escapeMarkdown(o.refused)}` : 'cancelled'}`,
  );
  return `cancel for commit ${head.headSha.slice(0, 7)}\n\n${lines.join('\n')}`;
}
