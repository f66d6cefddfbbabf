import { createHash } from 'node:crypto';
import type { RunLauncher } from '../ports/run-launcher.js';
import type { StoredRun } from '../ports/run-store.js';
import { CHECK_LIMITS, fitText } from '../report/github-limits.js';
import { escapeMarkdown } from '../report/markdown.js';
import { planNotMadeReport } from '../report/plan-report.js';
import type { Workflow } from '../spec/model/workflow.js';
import type { PathFilterKey } from '../sync/config-triggers.js';
import { isWorkflowDone } from '../engine/workflow-status.js';
import { splitRunKey } from '../ports/run-key.js';
import type { DesiredRun } from '../sync/desired-set.js';
import type { WorkflowEvent } from '../sync/workflow-events.js';
import { ARTIFACT_LINK_ANNOTATION } from './artifact-link-lifetime.js';
import { DELIVERY_LABEL, deliveryLabel } from './delivery-label.js';
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
  /** The delivery being handled: its runs carry it, so handling it again finds them. */
  delivery?: string | undefined;
  /**
   * Whether an earlier process may have handled part of this delivery (it was left in the inbox):
   * only then are its runs and check runs looked for before any is made. Unknown: looked for.
   */
  resumed?: boolean | undefined;
}

/**
 * Starts each Workflow as a run with a check run of its own, `skiff / <workflow>`: the check run
 * is created queued first (so it shows at once and the run can name it), then the run is saved
 * and started with labels pointing back at the commit, check run and delivery, and followed. A
 * run that cannot start completes its check run as failed, with the reason. A delivery handled
 * again after a kill takes over the runs and check runs it made before, each workflow once.
 */
export async function startWorkflowRuns(context: RunStartContext, runs: readonly DesiredRun[]): Promise<void> {
  const earlier = await earlierRuns(context);
  const takenChecks = new Set<number>();
  for (const desired of runs) {
    const name = workflowNameOf(desired);
    const again = takeRun(earlier, desired.namespace, name);
    if (again) {
      followAgain(context, again, name);
      continue;
    }
    const checkRunId = await queuedCheck(context, desired, takenChecks);
    takenChecks.add(checkRunId);
    const object = structuredClone(desired.object) as unknown as Workflow;
    const metadata = (object.metadata ??= {});
    metadata.namespace = desired.namespace;
    metadata.annotations = { ...metadata.annotations, [REPOSITORY_ANNOTATION]: context.fullName, [WORKFLOW_ANNOTATION]: name };
    const { installationId } = (await context.octokit.auth({ type: 'installation' })) as { installationId?: number };
    if (installationId !== undefined) metadata.annotations[INSTALLATION_ANNOTATION] = String(installationId);
    if (context.artifactLinkSeconds !== undefined) metadata.annotations[ARTIFACT_LINK_ANNOTATION] = String(context.artifactLinkSeconds);
    if (context.logExcerptLines !== undefined) metadata.annotations[LOG_EXCERPT_ANNOTATION] = String(context.logExcerptLines);
    else delete metadata.annotations[LOG_EXCERPT_ANNOTATION];
    const labels: Record<string, string> = { [COMMIT_LABEL]: context.headSha, [CHECK_RUN_LABEL]: String(checkRunId) };
    if (context.pullRequest !== undefined) labels[PULL_REQUEST_LABEL] = String(context.pullRequest);
    if (context.branch !== undefined) labels[BRANCH_LABEL] = branchLabel(context.branch);
    if (context.delivery !== undefined) labels[DELIVERY_LABEL] = deliveryLabel(context.delivery);
    try {
      const key = await context.launcher.submit(object, labels);
      context.tracker.track({ octokit: context.octokit, repo: context.repo, checkRunId, key, workflow: name });
    } catch (error) {
      await completeCheck(context.octokit, context.repo, checkRunId, { ...planNotMadeReport((error as Error).message, 'failure'), title: 'Could not start' });
    }
  }
}

/** The runs this delivery started for this repository and commit before (none unless it may be handled again). */
async function earlierRuns(context: RunStartContext): Promise<StoredRun[]> {
  if (context.delivery === undefined || context.resumed === false) return [];
  const found = await context.launcher.find({ [DELIVERY_LABEL]: deliveryLabel(context.delivery), [COMMIT_LABEL]: context.headSha });
  return found.filter((run) => run.workflow.metadata?.annotations?.[REPOSITORY_ANNOTATION] === context.fullName);
}

/** Takes the run of workflow `name` in `namespace` out of `runs`, so each is taken over once. */
function takeRun(runs: StoredRun[], namespace: string, name: string): StoredRun | undefined {
  const index = runs.findIndex((run) => splitRunKey(run.key).namespace === namespace && run.workflow.metadata?.annotations?.[WORKFLOW_ANNOTATION] === name);
  return index < 0 ? undefined : runs.splice(index, 1)[0];
}

/** Follows a run started before on the check run it was started with, unless its end was reported already. */
function followAgain(context: RunStartContext, run: StoredRun, name: string): void {
  const checkRunId = Number(run.workflow.metadata?.labels?.[CHECK_RUN_LABEL]);
  if (!Number.isSafeInteger(checkRunId) || checkRunId <= 0) return;
  if (isWorkflowDone(run.status.phase) && context.tracker.reportedAlready(run.key, checkRunId, run.status.finishedAt)) return;
  context.tracker.track({ octokit: context.octokit, repo: context.repo, checkRunId, key: run.key, workflow: name });
}

/**
 * The run's check run, created queued; with a delivery, its external id names the delivery, so
 * handling the delivery again after a kill between this and the run's start finds it (completed
 * or not, and not taken yet by another Workflow of the same name) instead of leaving it queued
 * for ever beside a new one.
 */
async function queuedCheck(context: RunStartContext, desired: DesiredRun, taken: ReadonlySet<number>): Promise<number> {
  const name = `skiff / ${workflowNameOf(desired)}`;
  const externalId = context.delivery === undefined ? undefined : `run:${context.delivery}`;
  if (externalId !== undefined && context.resumed !== false) {
    const { data } = await context.octokit.rest.checks.listForRef({ ...context.repo, ref: context.headSha, check_name: name, filter: 'all', per_page: 100 });
    const earlier = data.check_runs.find((run) => run.external_id === externalId && !taken.has(run.id));
    if (earlier) return earlier.id;
  }
  const { data: check } = await context.octokit.rest.checks.create({
    ...context.repo,
    name,
    head_sha: context.headSha,
    status: 'queued',
    ...(externalId !== undefined ? { external_id: externalId } : {}),
    output: { title: 'Queued', summary: `${escapeMarkdown(desired.source.file)}: waiting to start` },
  });
  return check.id;
}

/** The commit a check run is about, and the delivery handled (so handling it again finds its check runs). */
export interface CheckSubject {
  repo: RepoRef;
  headSha: string;
  delivery?: string | undefined;
}

/**
 * Check runs for configured workflows that will not run, neutral (or skipped, when a path filter
 * left them out) with the reason, so a required check never waits for ever.
 */
export async function publishNotRun(
  octokit: InstallationOctokit,
  subject: CheckSubject,
  names: readonly string[],
  reason: string,
  conclusion: 'neutral' | 'skipped' = 'neutral',
): Promise<void> {
  const { repo, headSha, delivery } = subject;
  for (const name of names) {
    await publishCheck(
      octokit,
      repo,
      { name: `skiff / ${name}`, headSha, externalId: `not-run:${headSha}`, delivery },
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
