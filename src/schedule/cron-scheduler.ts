import type { CronWorkflow, Workflow } from '../spec/model/workflow.js';
import { type CronState, planCronTick } from './plan-cron-tick.js';

/** A run of a CronWorkflow as the scheduler needs to know it. */
export interface CronRun {
  name: string;
  phase: string;
  /** Unix seconds, once finished. */
  finishedAt?: number;
}

/** What the scheduler reads and does, passed in: the state directory's, or a test's fakes. */
export interface CronSchedulerPorts {
  /** Every CronWorkflow stored, with its status as last recorded. */
  listCrons(): Promise<CronWorkflow[]>;
  /** The runs a CronWorkflow started (its label), going and finished. */
  runsOf(cron: CronWorkflow): Promise<CronRun[]>;
  /** Records the CronWorkflow's status (lastScheduledTime, active), leaving its spec as stored now. */
  recordStatus(cron: CronWorkflow, status: CronStatus): Promise<void>;
  /** Submits a run the way skiff submit does; throws if a run of that name exists. */
  submit(workflow: Workflow): Promise<string>;
  /** Terminates a run of the cron (in the cron's namespace: another namespace's run of that name is not its). */
  terminate(cron: CronWorkflow, runName: string): Promise<void>;
  /** Deletes a run of the cron, in the cron's namespace. */
  remove(cron: CronWorkflow, runName: string): Promise<void>;
  log(line: string): void;
}

/** The part of Argo's CronWorkflow status the scheduler keeps. */
export interface CronStatus {
  lastScheduledTime?: string;
  active: Array<{ kind: 'Workflow'; name: string; namespace?: string }>;
}

export interface SchedulerClock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`, or early when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const SYSTEM_CLOCK: SchedulerClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    }),
};

/** The longest sleep: a CronWorkflow applied meanwhile is seen within this long. */
export const LOOK_EVERY_MS = 10_000;

const DONE = new Set(['Succeeded', 'Failed', 'Error']);

/**
 * Runs stored CronWorkflows on their schedules, as Argo's cron controller does, one look at a
 * time: for each CronWorkflow, planCronTick decides (timezone, suspend, concurrencyPolicy,
 * startingDeadlineSeconds, history limits) and this does what it says, then records
 * lastScheduledTime and the active runs in the CronWorkflow's status. The record is what makes a
 * restart safe: a scheduled time at or before lastScheduledTime is never run again, and a run is
 * named for its scheduled time, so even a crash between submit and record cannot run it twice.
 */
export class CronScheduler {
  /** When this scheduler first saw each CronWorkflow that has never run: nothing before is due. */
  private readonly firstSeen = new Map<string, number>();

  constructor(
    private readonly ports: CronSchedulerPorts,
    private readonly clock: SchedulerClock = SYSTEM_CLOCK,
  ) {}

  /** One look at every CronWorkflow; resolves with when to look next (ms since the epoch). */
  async tick(): Promise<number> {
    const nowMs = this.clock.now();
    const now = Math.floor(nowMs / 1000);
    let wake = nowMs + LOOK_EVERY_MS;
    for (const cron of await this.ports.listCrons()) {
      const key = `${cron.metadata.namespace ?? ''}/${cron.metadata.name ?? ''}`;
      try {
        const next = await this.look(cron, key, now);
        if (next !== undefined) wake = Math.min(wake, next * 1000);
      } catch (error) {
        this.ports.log(`cronworkflow ${key}: ${(error as Error).message}`);
      }
    }
    return Math.max(wake, nowMs);
  }

  /** Looks until `signal` aborts, sleeping until the next scheduled time (at most LOOK_EVERY_MS). */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const wake = await this.tick();
      if (signal.aborted) break;
      await this.clock.sleep(Math.min(LOOK_EVERY_MS, Math.max(0, wake - this.clock.now())), signal);
    }
  }

  private async look(cron: CronWorkflow, key: string, now: number): Promise<number | undefined> {
    const recorded = (cron as { status?: Partial<CronStatus> }).status;
    const last = recorded?.lastScheduledTime ? Math.floor(Date.parse(recorded.lastScheduledTime) / 1000) : undefined;
    const created = cron.metadata.creationTimestamp ? Math.floor(Date.parse(cron.metadata.creationTimestamp) / 1000) : undefined;
    if (!this.firstSeen.has(key)) this.firstSeen.set(key, created ?? now);
    const runs = await this.ports.runsOf(cron);
    const state: CronState = {
      watchedSince: this.firstSeen.get(key)!,
      active: runs.filter((r) => !DONE.has(r.phase)).map((r) => r.name),
      finished: runs
        .filter((r) => DONE.has(r.phase))
        .map((r) => ({ name: r.name, phase: r.phase as 'Succeeded' | 'Failed' | 'Error', finishedAt: r.finishedAt ?? 0 })),
      ...(last !== undefined ? { lastScheduledTime: last } : {}),
    };
    const tick = planCronTick(cron, state, now);
    for (const name of tick.remove) {
      await this.ports.remove(cron, name);
      this.ports.log(`cronworkflow ${key}: deleted ${name} (history limit)`);
    }
    for (const name of tick.terminate) {
      await this.ports.terminate(cron, name);
      this.ports.log(`cronworkflow ${key}: terminated ${name} (concurrencyPolicy Replace)`);
    }
    let active = state.active.filter((n) => !tick.terminate.includes(n));
    let scheduled = last;
    if (tick.start) {
      const name = tick.start.workflow.metadata.name!;
      try {
        await this.ports.submit(tick.start.workflow);
        this.ports.log(`cronworkflow ${key}: started ${name}`);
        active = [...active, name];
      } catch (error) {
        // Named for its scheduled time: a run of that name is this schedule's, started before a restart.
        if (!/already exists/.test((error as Error).message)) throw error;
      }
      scheduled = tick.start.scheduledTime;
    } else if (tick.skipped) {
      this.ports.log(`cronworkflow ${key}: skipped ${new Date(tick.skipped.scheduledTime * 1000).toISOString()}: ${tick.skipped.reason}`);
      scheduled = tick.skipped.scheduledTime;
    }
    const status: CronStatus = {
      ...(scheduled !== undefined ? { lastScheduledTime: new Date(scheduled * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') } : {}),
      active: active.map((name) => ({ kind: 'Workflow' as const, name, ...(cron.metadata.namespace ? { namespace: cron.metadata.namespace } : {}) })),
    };
    if (
      JSON.stringify(status) !==
      JSON.stringify({ ...(recorded?.lastScheduledTime ? { lastScheduledTime: recorded.lastScheduledTime } : {}), active: recorded?.active ?? [] })
    )
      await this.ports.recordStatus(cron, status);
    return tick.wakeAt;
  }
}
