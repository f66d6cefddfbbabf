import { withOverrides } from '../engine/submit-overrides.js';
import { escapeMarkdown } from '../report/markdown.js';
import type { Workflow } from '../spec/model/workflow.js';
import { terminateRuns } from './cancel-runs.js';
import type { InstallationOctokit } from './github-types.js';
import type { PullRequestSubject } from './pull-request-checks.js';
import { pullRequestDefinitions, type PullRequestRunPorts } from './pull-request-runs.js';
import { COMMIT_LABEL, PULL_REQUEST_LABEL, startWorkflowRuns, WORKFLOW_ANNOTATION, workflowNameOf } from './start-workflow-runs.js';

/**
 * `/skiff run WORKFLOW [-p name=value]...`: the named Workflow of the pull request's head (a
 * fork's: of the base branch, as for every run of a fork) started for the head commit with its
 * check run. Only a Workflow the repository config's paths hold can be named, and only the
 * parameters it declares can be given: a value replaces the declared one, as data. Returns the
 * reply.
 */
export async function runWorkflowCommand(
  ports: PullRequestRunPorts,
  octokit: InstallationOctokit,
  pr: PullRequestSubject,
  command: { workflow: string; parameters: Record<string, string> },
): Promise<string> {
  const commit = pr.headSha.slice(0, 7);
  const name = escapeMarkdown(command.workflow);
  if (!ports.runs) return 'this Skiff runs no workflows.';
  const desired = await pullRequestDefinitions(ports.access, octokit, pr);
  if (!desired) return `commit ${commit} does not lint, so nothing runs (see skiff / lint).`;
  const chosen = desired.run.find((run) => workflowNameOf(run) === command.workflow);
  if (!chosen) {
    const known = desired.run.map((run) => escapeMarkdown(workflowNameOf(run))).join(', ') || 'none';
    return `no Workflow named ${name} under the paths of ${escapeMarkdown(desired.config.file)} at ${pr.fork ? `${escapeMarkdown(pr.baseRef)} (this pull request comes from a fork)` : `commit ${commit}`}. Workflows: ${known}.`;
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
      repo: pr.repo,
      fullName: pr.fullName,
      headSha: pr.headSha,
      pullRequest: pr.number,
      artifactLinkSeconds: desired.config.artifactLinkSeconds,
      ...ports.runs,
    },
    [{ ...chosen, object }],
  );
  const given = Object.keys(command.parameters).length;
  return `started ${name} for commit ${commit}${given > 0 ? ` with ${given} parameter${given === 1 ? '' : 's'}` : ''}; its check run is skiff / ${name}.`;
}

/** `/skiff cancel [WORKFLOW]`: the runs of the pull request's head still going (of that workflow) are terminated. Returns the reply. */
export async function cancelRunsCommand(ports: PullRequestRunPorts, pr: PullRequestSubject, workflow: string | undefined, author: string): Promise<string> {
  if (!ports.runs) return 'this Skiff runs no workflows.';
  const found = await ports.runs.launcher.find({ [COMMIT_LABEL]: pr.headSha, [PULL_REQUEST_LABEL]: String(pr.number) });
  const chosen = found.filter((run) => workflow === undefined || run.workflow.metadata?.annotations?.[WORKFLOW_ANNOTATION] === workflow);
  const outcomes = await terminateRuns(ports.runs.launcher, chosen, `cancelled by ${author} (/skiff cancel)`);
  const what = workflow === undefined ? 'no run' : `no run of ${escapeMarkdown(workflow)}`;
  if (outcomes.length === 0) return `${what} is going for commit ${pr.headSha.slice(0, 7)}: nothing to cancel.`;
  const lines = outcomes.map(
    (o) => `- ${escapeMarkdown(o.workflow)} (${escapeMarkdown(o.run)}): ${o.refused ? `not cancelled: ${escapeMarkdown(o.refused)}` : 'cancelled'}`,
  );
  return `cancel for commit ${pr.headSha.slice(0, 7)}\n\n${lines.join('\n')}`;
}
