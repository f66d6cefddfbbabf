import type { CheckReport } from '../report/lint-report.js';
import { annotationBatches } from '../report/lint-report.js';
import type { InstallationOctokit, RepoRef } from './github-types.js';

export interface CheckTarget {
  name: string;
  headSha: string;
  /** What the check is about (`lint:<sha>`, a run's key): how it is found again after a restart. */
  externalId: string;
  /**
   * The delivery it is made for (its X-GitHub-Delivery), added to the external id: that delivery
   * handled again (its process was killed mid-way) finds the check run it made, completed or not,
   * while a new delivery about the same commit (a reopened pull request, a re-run) makes a new one.
   */
  delivery?: string | undefined;
}

/**
 * Opens a check run as in progress, before the work that decides it, and returns its id. One of
 * the same name and external id on the commit (opened queued when the delivery came, or made by a
 * process killed mid-way, whose delivery is being handled again) is taken over instead of made
 * twice: if it was completed already, it is completed again with the same result.
 */
export async function startCheck(octokit: InstallationOctokit, repo: RepoRef, target: CheckTarget): Promise<number> {
  // Every run of the name (`filter: all`): by default GitHub lists only the newest, and another
  // delivery about the same commit may have opened a newer one since.
  const { data: existing } = await octokit.rest.checks.listForRef({ ...repo, ref: target.headSha, check_name: target.name, filter: 'all', per_page: 100 });
  const externalId = externalIdOf(target);
  const earlier = existing.check_runs.find((run) => run.external_id === externalId && (target.delivery !== undefined || run.status !== 'completed'));
  if (earlier) return earlier.id;
  const { data } = await octokit.rest.checks.create({
    ...repo,
    name: target.name,
    head_sha: target.headSha,
    external_id: externalId,
    status: 'in_progress',
    started_at: new Date().toISOString(),
  });
  return data.id;
}

/**
 * Opens a check run as queued, for a delivery seen for the first time (so nothing can have opened
 * it yet: no lookup). `startCheck` with the same target finds it; it stays queued until its work
 * completes it, which spares a request per check run (see announce-checks.ts).
 */
export async function queueCheck(octokit: InstallationOctokit, repo: RepoRef, target: CheckTarget): Promise<number> {
  const { data } = await octokit.rest.checks.create({
    ...repo,
    name: target.name,
    head_sha: target.headSha,
    external_id: externalIdOf(target),
    status: 'queued',
  });
  return data.id;
}

function externalIdOf(target: CheckTarget): string {
  return target.delivery ? `${target.externalId}:${target.delivery}` : target.externalId;
}

/**
 * Completes a check run with a report: annotations go 50 per request (GitHub's limit), each
 * earlier batch in an update that leaves the run in progress, the last with the conclusion.
 */
export async function completeCheck(
  octokit: InstallationOctokit,
  repo: RepoRef,
  checkRunId: number,
  report: CheckReport,
  extra: { actions?: Array<{ label: string; description: string; identifier: string }> } = {},
): Promise<void> {
  const batches = annotationBatches(report.annotations);
  const output = (annotations: CheckReport['annotations'] | undefined) => ({
    title: report.title,
    summary: report.summary,
    ...(report.text !== undefined ? { text: report.text } : {}),
    ...(annotations && annotations.length > 0 ? { annotations } : {}),
  });
  for (const batch of batches.slice(0, -1)) {
    await octokit.rest.checks.update({ ...repo, check_run_id: checkRunId, output: output(batch) });
  }
  await octokit.rest.checks.update({
    ...repo,
    check_run_id: checkRunId,
    status: 'completed',
    conclusion: report.conclusion,
    completed_at: new Date().toISOString(),
    output: output(batches.at(-1)),
    ...(extra.actions ? { actions: extra.actions } : {}),
  });
}

/** A check run decided at once (nothing to wait for): created completed, in as few requests as the annotations allow. */
export async function publishCheck(octokit: InstallationOctokit, repo: RepoRef, target: CheckTarget, report: CheckReport): Promise<number> {
  const id = await startCheck(octokit, repo, target);
  await completeCheck(octokit, repo, id, report);
  return id;
}
