import { createHash } from 'node:crypto';
import type { RunLauncher } from '../ports/run-launcher.js';
import { CHECK_LIMITS, fitText } from '../report/github-limits.js';
import { escapeMarkdown } from '../report/markdown.js';
import { planNotMadeReport } from '../report/plan-report.js';
import type { Workflow } from '../spec/model/workflow.js';
import type { PathFilterKey } from '../sync/config-triggers.js';
import type { DesiredRun } from '../sync/desired-set.js';
import type { WorkflowEvent } from '../sync/workflow-events.js';
import { ARTIFACT_LINK_ANNOTATION } from './artifact-link-lifetime.js';
import { LOG_EXCERPT_ANNOTATION } from './log-excerpt-lines.js';
import type { InstallationOctokit, RepoRef } from './github-types.js';
import { completeCheck, publishCheck } from './publish-check.js';
import type { RunCheckTracker } from './run-check-tracker.js';

/** Labels Skiff puts on the runs it starts for GitHub, to find them again. */
export const COMMIT_LABEL = 'skiff.dev/commit';
export const CHECK_RUN_LABEL = 'skiff.dev/check-run';
export const PULL_REQUEST_LABEL = 'skiff.dev/pull-request';
/** The branch a push ran for, as a hash (a label value cannot hold every branch name). */
export const BRANCH_LABEL = 'skiff.dev/branch';
export const REPOSITORY_ANNOTATION = 'skiff.dev/repository';
export const WORKFLOW_ANNOTATION = 'skiff.dev/workflow';
/** The App installation the run's check run is written with, to follow it again after a restart. */
export const INSTALLATION_ANNOTATION = 'skiff.dev/installation';

/** The value of BRANCH_LABEL for a branch: 40 hex digits of its SHA-256. */
export function branchLabel(branch: string): string {
  return createHash('sha256').update(`refs/heads/${branch}`).digest('hex').slice(0, 40);
}

/** A Workflow's name in the repository, as its check run `skiff / <name>` shows it. */
export function workflowNameOf(run: Pick<DesiredRun, 'name' | 'generateName'>): string {
  return run.name ?? (run.generateName ?? 'workflow').replace(/-+$/, '');
}

export interface RunStartContext {
  octokit: InstallationOctokit;
  repo: RepoRef;
  fullName: string;
  headSha: string;
  pullRequest?: number;
  /** The branch pushed to, for runs of a push. */
  branch?: string;
  /** How long the runs' artifact links live (the repository config's `artifacts.linkLifetime`). */
  artifactLinkSeconds?: number;
  /** How many log lines of each failed step the check run shows (the repository config's `logs.excerptLines`). */
  logExcerptLines?: number;
  launcher: RunLauncher;
  tracker: RunCheckTracker;
}

/**
 * Starts each Workflow as a run with a check run of its own, `skiff / <workflow>`: the check run
 * is created queued first (so it shows at once and the run can name it), then the run is saved
 * and started with labels pointing back at the commit and check run, and followed. A run that
 * cannot start completes its check run as failed, with the reason.
 */
export async function startWorkflowRuns(context: RunStartContext, runs: readonly DesiredRun[]): Promise<void> {
  for (const desired of runs) {
    const name = workflowNameOf(desired);
    const { data: check } = await context.octokit.rest.checks.create({
      ...context.repo,
      name: `skiff / ${name}`,
      head_sha: context.headSha,
      status: 'queued',
      output: { title: 'Queued', summary: `${escapeMarkdown(desired.source.file)}: waiting to start` },
    });
    const object = structuredClone(desired.object) as unknown as Workflow;
    const metadata = (object.metadata ??= {});
    metadata.namespace = desired.namespace;
    metadata.annotations = { ...metadata.annotations, [REPOSITORY_ANNOTATION]: context.fullName, [WORKFLOW_ANNOTATION]: name };
    const { installationId } = (await context.octokit.auth({ type: 'installation' })) as { installationId?: number };
    if (installationId !== undefined) metadata.annotations[INSTALLATION_ANNOTATION] = String(installationId);
    if (context.artifactLinkSeconds !== undefined) metadata.annotations[ARTIFACT_LINK_ANNOTATION] = String(context.artifactLinkSeconds);
    if (context.logExcerptLines !== undefined) metadata.annotations[LOG_EXCERPT_ANNOTATION] = String(context.logExcerptLines);
    else delete metadata.annotations[LOG_EXCERPT_ANNOTATION];
    const labels: Record<string, string> = { [COMMIT_LABEL]: context.headSha, [CHECK_RUN_LABEL]: String(check.id) };
    if (context.pullRequest !== undefined) labels[PULL_REQUEST_LABEL] = String(context.pullRequest);
    if (context.branch !== undefined) labels[BRANCH_LABEL] = branchLabel(context.branch);
    try {
      const key = await context.launcher.submit(object, labels);
      context.tracker.track({ octokit: context.octokit, repo: context.repo, checkRunId: check.id, key, workflow: name });
    } catch (error) {
      await completeCheck(context.octokit, context.repo, check.id, { ...planNotMadeReport((error as Error).message, 'failure'), title: 'Could not start' });
    }
  }
}

/**
 * Check runs for configured workflows that will not run, neutral (or skipped, when a path filter
 * left them out) with the reason, so a required check never waits for ever.
 */
export async function publishNotRun(
  octokit: InstallationOctokit,
  repo: RepoRef,
  headSha: string,
  names: readonly string[],
  reason: string,
  conclusion: 'neutral' | 'skipped' = 'neutral',
): Promise<void> {
  for (const name of names) {
    await publishCheck(
      octokit,
      repo,
      { name: `skiff / ${name}`, headSha, externalId: `not-run:${headSha}` },
      { conclusion, title: 'Not run', summary: fitText(`Not run: ${escapeMarkdown(reason)}\n`, CHECK_LIMITS.maxOutputChars), annotations: [] },
    );
  }
}

/**
 * Why a path filter left an event's workflows out, naming the filter the config set.
 *
 * @example pathFilterReason('paths-ignore', 'push', '.skiff.yml') // → 'every file this push changes matches on.push.paths-ignore of .skiff.yml'
 */
export function pathFilterReason(filter: PathFilterKey, event: 'push' | 'pull_request', configFile: string): string {
  const change = event === 'push' ? 'this push changes' : 'this pull request changes';
  return filter === 'paths'
    ? `no file ${change} matches on.${event}.paths of ${configFile}`
    : `every file ${change} matches on.${event}.paths-ignore of ${configFile}`;
}

/** Names under `on.*.workflows` that no Workflow of the repository has. */
export function missingWorkflows(runs: readonly DesiredRun[], names: readonly string[] | undefined): string[] {
  const present = new Set(runs.map(workflowNameOf));
  return (names ?? []).filter((name) => !present.has(name));
}

/**
 * The Workflows an event runs: a Workflow with a `skiff.dev/on` annotation runs on the events it
 * lists; one without runs when the config names it under `on.<event>.workflows`, or (a push with
 * no names given) always.
 */
export function selectRuns(runs: readonly DesiredRun[], event: WorkflowEvent, names: readonly string[] | undefined): DesiredRun[] {
  return runs.filter((run) => (run.on ? run.on.includes(event) : names === undefined ? event === 'push' : names.includes(workflowNameOf(run))));
}
