import type { CronWorkflow, Workflow } from '../spec/model/workflow.js';
import { type CronSchedule, parseCronSchedule } from './cron-schedule.js';
import { workflowOfCron } from './workflow-of-cron.js';

/** What the scheduler knows of one CronWorkflow's runs (Argo keeps it in the CronWorkflow's status). */
export interface CronState {
  /** The scheduled time of the last run started (Unix seconds): Argo's `status.lastScheduledTime`. */
  lastScheduledTime?: number;
  /** When the scheduler began to watch this CronWorkflow (applied, or the scheduler started): nothing before it is due. */
  watchedSince: number;
  /** The CronWorkflow's runs still going: Argo's `status.active`. */
  active: string[];
  /** Its finished runs, for the history limits. */
  finished: Array<{ name: string; phase: 'Succeeded' | 'Failed' | 'Error'; finishedAt: number }>;
}

/** What to do now: at most one run to start, runs to stop or delete, and when to look again. */
export interface CronTick {
  /** The run to start, named for its scheduled time. */
  start?: { scheduledTime: number; workflow: Workflow };
  /** Active runs to terminate first (concurrencyPolicy: Replace). */
  terminate: string[];
  /** Finished runs beyond the history limits, oldest first. */
  remove: string[];
  /** Why a due run was not started (suspended, Forbid with a run going, missed past its deadline). */
  skipped?: { scheduledTime: number; reason: string };
  /** The next scheduled time after now (Unix seconds), to wake up for; undefined if none. */
  wakeAt?: number;
}

/**
 * A scheduler that wakes at the scheduled time is on time within this slack; a schedule further
 * in the past was missed (the scheduler was not running), as Argo's controller sees it on start.
 */
export const ON_TIME_SECONDS = 30;

/**
 * Decides one look at a CronWorkflow at `now`, as Argo's cron controller behaves: the latest
 * scheduled time in (last scheduled, now] is due; on time, or missed but within
 * `startingDeadlineSeconds`, it runs (older missed times never run); `suspend` skips it;
 * `concurrencyPolicy` Forbid skips it while a run goes, Replace terminates the runs going first,
 * Allow (the default) runs beside them. Finished runs beyond `successfulJobsHistoryLimit` (3) and
 * `failedJobsHistoryLimit` (1) are removed, oldest first. Pure: the caller starts, stops and
 * deletes, and records `lastScheduledTime` once a run has started (or was skipped).
 *
 * @example planCronTick(cron, { watchedSince: t0, active: [], finished: [] }, t0 + 3600)
 *   // { start: { scheduledTime: t0 + 3600, workflow: { metadata: { name: 'nightly-…' } } }, terminate: [], remove: [], wakeAt: … }
 */
export function planCronTick(cron: CronWorkflow, state: CronState, now: number): CronTick {
  const schedules = schedulesOf(cron);
  const tick: CronTick = { terminate: [], remove: historyBeyondLimits(cron, state) };
  const wakeAt = earliest(schedules.map((s) => s.next(now)));
  if (wakeAt !== undefined) tick.wakeAt = wakeAt;
  const due = latestDue(schedules, Math.max(state.lastScheduledTime ?? -Infinity, state.watchedSince), now);
  if (due === undefined) return tick;
  const late = now - due;
  const deadline = cron.spec.startingDeadlineSeconds;
  if (late > ON_TIME_SECONDS && (deadline === undefined || late > deadline)) {
    tick.skipped = {
      scheduledTime: due,
      reason: `missed by ${late}s${deadline === undefined ? ' and no startingDeadlineSeconds is set' : `, beyond startingDeadlineSeconds ${deadline}`}`,
    };
    return tick;
  }
  if (cron.spec.suspend === true) {
    tick.skipped = { scheduledTime: due, reason: 'the CronWorkflow is suspended' };
    return tick;
  }
  const policy = cron.spec.concurrencyPolicy ?? 'Allow';
  if (state.active.length > 0 && policy === 'Forbid') {
    tick.skipped = { scheduledTime: due, reason: `concurrencyPolicy Forbid and ${state.active.join(', ')} still running` };
    return tick;
  }
  if (policy === 'Replace') tick.terminate = [...state.active];
  tick.start = { scheduledTime: due, workflow: workflowOfCron(cron, due) };
  return tick;
}

/** The CronWorkflow's schedules (`schedule` and Argo 3.6's `schedules`) in its `timezone`. */
export function schedulesOf(cron: CronWorkflow): CronSchedule[] {
  const texts = [...(cron.spec.schedule ? [cron.spec.schedule] : []), ...(cron.spec.schedules ?? [])];
  if (texts.length === 0) throw new Error(`CronWorkflow ${cron.metadata.name ?? ''} has no schedule`);
  const zone = cron.spec.timezone ? `CRON_TZ=${cron.spec.timezone} ` : '';
  return texts.map((text) => parseCronSchedule(/^(CRON_)?TZ=/.test(text) ? text : `${zone}${text}`));
}

/** The latest scheduled time in (after, now], if any. */
function latestDue(schedules: CronSchedule[], after: number, now: number): number | undefined {
  let latest: number | undefined;
  for (const schedule of schedules) {
    // Walk from the later of `after` and a month before now: what was missed longer ago than that
    // is only worth knowing as missed, and the walk stays short however long nobody looked.
    let at = schedule.next(Math.max(after, now - 86_400 * 31));
    let last: number | undefined;
    while (at !== undefined && at <= now) {
      last = at;
      at = schedule.next(at);
    }
    if (last !== undefined && (latest === undefined || last > latest)) latest = last;
  }
  return latest;
}

function earliest(times: Array<number | undefined>): number | undefined {
  const known = times.filter((t): t is number => t !== undefined);
  return known.length > 0 ? Math.min(...known) : undefined;
}

function historyBeyondLimits(cron: CronWorkflow, state: CronState): string[] {
  const keep = { Succeeded: cron.spec.successfulJobsHistoryLimit ?? 3, Failed: cron.spec.failedJobsHistoryLimit ?? 1 };
  const byAge = [...state.finished].sort((a, b) => b.finishedAt - a.finishedAt);
  const succeeded = byAge.filter((r) => r.phase === 'Succeeded').slice(keep.Succeeded);
  const failed = byAge.filter((r) => r.phase !== 'Succeeded').slice(keep.Failed);
  return [...succeeded, ...failed].sort((a, b) => a.finishedAt - b.finishedAt).map((r) => r.name);
}
