import { logExcerptLines } from './log-excerpt-lines.js';
import { createHash } from 'node:crypto';
import { isWorkflowDone } from '../engine/workflow-status.js';
import type { RunKey } from '../ports/run-key.js';
import type { ArtifactLinks } from '../ports/artifact-links.js';
import type { RunChanges, RunLauncher } from '../ports/run-launcher.js';
import type { StoredRun } from '../ports/run-store.js';
import { CHECK_LIMITS } from '../report/github-limits.js';
import { runCheckView } from '../report/run-report.js';
import { artifactLinkSeconds } from './artifact-link-lifetime.js';
import type { InstallationOctokit, RepoRef } from './github-types.js';

/** Buttons on a completed run's check run; identifiers are at most 20 characters (GitHub's limit). */
export const RETRY_FAILED_ACTION = { label: 'Retry failed', description: 'Run the failed steps again', identifier: 'skiff-retry-failed' };
export const RETRY_ALL_ACTION = { label: 'Retry all', description: 'Run every step again', identifier: 'skiff-retry-all' };
for (const action of [RETRY_FAILED_ACTION, RETRY_ALL_ACTION]) {
  if (action.identifier.length > CHECK_LIMITS.maxActionIdentifierChars || action.label.length > CHECK_LIMITS.maxActionLabelChars) {
    throw new Error(`check-run action ${action.identifier} is over GitHub's limits`);
  }
}

export interface TrackedRun {
  octokit: InstallationOctokit;
  repo: RepoRef;
  checkRunId: number;
  key: RunKey;
  workflow: string;
}

export interface RunCheckTrackerOptions {
  launcher: RunLauncher;
  /** How often a run is read back; its check run is updated at most this often, and only when it changed. */
  intervalMs: number;
  /** Last lines of a failed step's log shown, unless the run's annotation (the repository config's `logs.excerptLines`) says otherwise. */
  logLines?: number;
  onError?: (error: unknown, run: TrackedRun) => void;
  /** Called after each check-run update (metrics). */
  onUpdate?: () => void;
  /** The run's page, the check run's Details link (signed for this run). */
  runPageUrl?: (key: RunKey) => Promise<string | undefined>;
  /** Download links of a finished run's artifacts, listed on its check run. */
  artifactLinks?: ArtifactLinks;
  /** Called after each update of a run's check run, with the run as it was then (the PR comment follows it). */
  onChange?: (tracked: TrackedRun, run: StoredRun) => void;
  /** The runs whose end was reported already (kept across restarts), so a restart reports each end once. */
  reported?: ReportedRuns;
}

/** A persisted set of ids (DeliveryLedger is one). */
export interface ReportedRuns {
  has(id: string): boolean;
  accept(id: string): Promise<boolean>;
}

/** The id under which a run's end on a check run is remembered as reported. */
export function completionId(key: RunKey, checkRunId: number, finishedAt: string | undefined): string {
  return createHash('sha256')
    .update(`${key}|${checkRunId}|${finishedAt ?? ''}`)
    .digest('hex')
    .slice(0, 40);
}

/**
 * Keeps each run's check run in step with the run: reads the run every interval and, when what
 * the check run would say changed, updates it (queued → in_progress → completed, step table, log
 * excerpts, retry buttons once completed). However fast a run's steps change, its check run gets
 * at most one update per interval.
 */
export class RunCheckTracker {
  private readonly active = new Map<number, FollowState>();

  constructor(private readonly options: RunCheckTrackerOptions) {}

  /** Follows `run` until it ends (replacing an earlier follower of the same check run). */
  track(run: TrackedRun): void {
    const earlier = this.active.get(run.checkRunId);
    if (earlier) stopFollowing(earlier);
    const state: FollowState = { stop: false, done: Promise.resolve() };
    state.done = (async () => {
      await earlier?.done;
      await this.follow(run, state).catch((error) => this.options.onError?.(error, run));
      if (this.active.get(run.checkRunId) === state) this.active.delete(run.checkRunId);
    })();
    this.active.set(run.checkRunId, state);
  }

  /** Whether the end of a run, as it is now, was reported on its check run already. */
  reportedAlready(key: RunKey, checkRunId: number, finishedAt: string | undefined): boolean {
    return this.options.reported?.has(completionId(key, checkRunId, finishedAt)) ?? false;
  }

  /** How many followed runs are in each phase, as last read (metrics). */
  phases(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const state of this.active.values()) {
      const phase = state.phase ?? 'Pending';
      counts.set(phase, (counts.get(phase) ?? 0) + 1);
    }
    return counts;
  }

  /** Resolves when every followed run has ended and its check run is completed. */
  async settled(): Promise<void> {
    while (this.active.size > 0) await Promise.all([...this.active.values()].map((s) => s.done));
  }

  /** Stops following (the runs go on; a restart picks them up again). */
  async close(): Promise<void> {
    for (const state of this.active.values()) stopFollowing(state);
    await Promise.all([...this.active.values()].map((s) => s.done));
  }

  private async follow(tracked: TrackedRun, state: FollowState): Promise<void> {
    // Subscribed before the first read, so no change between a read and the wait is missed.
    const changes = this.options.launcher.changes?.(tracked.key);
    if (changes) state.changes = changes;
    try {
      await this.followChanges(tracked, state, changes);
    } finally {
      changes?.close();
    }
  }

  private async followChanges(tracked: TrackedRun, state: FollowState, changes: RunChanges | undefined): Promise<void> {
    let shown = '';
    let detailsUrl: string | undefined;
    while (!state.stop) {
      const run = await this.options.launcher.read(tracked.key);
      if (!run) throw new Error(`run ${tracked.key} disappeared`);
      state.phase = run.status.phase || 'Pending';
      const done = isWorkflowDone(run.status.phase);
      const failed = Object.values(run.status.nodes).filter((n) => n.type === 'Pod' && (n.phase === 'Failed' || n.phase === 'Error'));
      const logTails: Record<string, string> = {};
      if (done) {
        for (const node of failed) {
          const tail = await this.options.launcher.logTail(run, node, logExcerptLines(run, this.options.logLines));
          if (tail !== undefined) logTails[node.id] = tail;
        }
      }
      const view = runCheckView({
        workflow: tracked.workflow,
        runName: run.workflow.metadata?.name ?? tracked.key,
        status: run.status,
        logTails,
        secrets: done ? await this.options.launcher.secretValues(run) : [],
        now: Date.now(),
        ...(done && this.options.artifactLinks ? { artifacts: await this.options.artifactLinks.links(run, artifactLinkSeconds(run)) } : {}),
      });
      // Durations tick while steps run: they alone do not make a new update.
      const fingerprint = JSON.stringify({ status: view.status, title: view.report.title, phases: Object.values(run.status.nodes).map((n) => n.phase) });
      // The check run was created queued: until a step starts there is nothing new to say.
      if (done || (view.status !== 'queued' && fingerprint !== shown)) {
        shown = fingerprint;
        const { report } = view;
        detailsUrl ??= await this.options.runPageUrl?.(tracked.key);
        await tracked.octokit.rest.checks.update({
          ...tracked.repo,
          check_run_id: tracked.checkRunId,
          status: view.status,
          external_id: tracked.key,
          ...(detailsUrl !== undefined ? { details_url: detailsUrl } : {}),
          output: { title: report.title, summary: report.summary, ...(report.text !== undefined ? { text: report.text } : {}) },
          ...(done
            ? {
                conclusion: report.conclusion,
                completed_at: new Date().toISOString(),
                actions: report.conclusion === 'success' ? [RETRY_ALL_ACTION] : [RETRY_FAILED_ACTION, RETRY_ALL_ACTION],
              }
            : {}),
        });
        this.options.onUpdate?.();
        this.options.onChange?.(tracked, run);
      }
      if (done) {
        await this.options.reported?.accept(completionId(tracked.key, tracked.checkRunId, run.status.finishedAt));
        return;
      }
      // At most one update per interval however fast the run changes; where the launcher tells
      // of changes (a cluster's watch), the next read waits for one instead of a timer.
      await new Promise((resolve) => setTimeout(resolve, this.options.intervalMs));
      if (changes && !state.stop) await changes.next(CHANGE_WAIT_MS);
    }
  }
}

/** A watched run is read again at least this often all the same, should a change go unreported. */
const CHANGE_WAIT_MS = 60_000;

interface FollowState {
  stop: boolean;
  done: Promise<void>;
  changes?: RunChanges;
  /** The run's phase when last read. */
  phase?: string;
}

function stopFollowing(state: FollowState): void {
  state.stop = true;
  state.changes?.close();
}
