import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type CronRun,
  CronScheduler,
  type CronSchedulerPorts,
  type CronStatus,
  LOOK_EVERY_MS,
  type SchedulerClock,
} from '../../src/schedule/cron-scheduler.js';
import type { CronWorkflow, Workflow } from '../../src/spec/model/workflow.js';

const at = (iso: string): number => Date.parse(iso);

/** A state directory in memory: CronWorkflows (with status) and runs, and what was done to them. */
class FakeStore implements CronSchedulerPorts {
  crons: CronWorkflow[] = [];
  runs: Array<CronRun & { cron: string }> = [];
  done: string[] = [];

  constructor(private readonly clock: FakeClock) {}

  async listCrons(): Promise<CronWorkflow[]> {
    return structuredClone(this.crons);
  }
  async runsOf(cron: CronWorkflow): Promise<CronRun[]> {
    return this.runs.filter((r) => r.cron === cron.metadata.name);
  }
  async recordStatus(cron: CronWorkflow, status: CronStatus): Promise<void> {
    const stored = this.crons.find((c) => c.metadata.name === cron.metadata.name)!;
    (stored as { status?: CronStatus }).status = status;
  }
  async submit(workflow: Workflow): Promise<string> {
    const name = workflow.metadata.name!;
    if (this.runs.some((r) => r.name === name)) throw new Error(`a run named "${name}" already exists`);
    this.runs.push({ name, phase: 'Running', cron: workflow.metadata.labels!['workflows.argoproj.io/cron-workflow']! });
    this.done.push(`submit ${name} at ${new Date(this.clock.now()).toISOString()}`);
    return name;
  }
  async terminate(_cron: CronWorkflow, name: string): Promise<void> {
    this.finish(name, 'Failed');
    this.done.push(`terminate ${name}`);
  }
  async remove(_cron: CronWorkflow, name: string): Promise<void> {
    this.runs = this.runs.filter((r) => r.name !== name);
    this.done.push(`remove ${name}`);
  }
  log(): void {}
  finish(name: string, phase: string): void {
    const run = this.runs.find((r) => r.name === name)!;
    run.phase = phase;
    run.finishedAt = Math.floor(this.clock.now() / 1000);
  }
}

/** A clock that moves only when sleeping: each sleep jumps to its end at once. */
class FakeClock implements SchedulerClock {
  sleeps: number[] = [];
  constructor(public time: number) {}
  now(): number {
    return this.time;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.time += ms;
  }
}

function cron(name: string, spec: Partial<CronWorkflow['spec']> = {}, created = '2024-01-01T00:00:00Z'): CronWorkflow {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'CronWorkflow',
    metadata: { name, namespace: 'default', creationTimestamp: created },
    spec: { schedule: '*/5 * * * *', workflowSpec: { entrypoint: 'main', templates: [{ name: 'main', container: { image: 'alpine' } }] }, ...spec },
  };
}

describe('CronScheduler', () => {
  test('starts each scheduled time once, records lastScheduledTime and active, and sleeps until the next', async () => {
    const clock = new FakeClock(at('2024-01-01T00:04:59Z'));
    const store = new FakeStore(clock);
    store.crons = [cron('every5')];
    const scheduler = new CronScheduler(store, clock);
    const wake = await scheduler.tick();
    assert.deepEqual(store.done, [], 'nothing due before 00:05');
    assert.equal(wake, at('2024-01-01T00:05:00Z'));
    clock.time = wake + 1000;
    await scheduler.tick();
    await scheduler.tick();
    const first = `every5-${at('2024-01-01T00:05:00Z') / 1000}`;
    assert.deepEqual(store.done, [`submit ${first} at 2024-01-01T00:05:01.000Z`], 'once, however often it looks');
    assert.deepEqual((store.crons[0] as { status?: CronStatus }).status, {
      lastScheduledTime: '2024-01-01T00:05:00Z',
      active: [{ kind: 'Workflow', name: first, namespace: 'default' }],
    });
    store.finish(first, 'Succeeded');
    await scheduler.tick();
    assert.deepEqual((store.crons[0] as { status?: CronStatus }).status?.active, [], 'a finished run is no longer active');
  });

  test('a restarted scheduler does not run a time it ran, and runs one missed within startingDeadlineSeconds', async () => {
    const clock = new FakeClock(at('2024-01-01T00:05:01Z'));
    const store = new FakeStore(clock);
    store.crons = [cron('every5', { startingDeadlineSeconds: 120 })];
    await new CronScheduler(store, clock).tick();
    assert.equal(store.done.length, 1);
    // A new scheduler (a restart) a little later: 00:05 is recorded as run.
    clock.time = at('2024-01-01T00:06:00Z');
    await new CronScheduler(store, clock).tick();
    assert.equal(store.done.length, 1);
    // Down over 00:10; back at 00:11:30, within the 120 s deadline: 00:10 runs now.
    clock.time = at('2024-01-01T00:11:30Z');
    await new CronScheduler(store, clock).tick();
    assert.equal(store.done[1], `submit every5-${at('2024-01-01T00:10:00Z') / 1000} at 2024-01-01T00:11:30.000Z`);
    // Even with its status lost (re-applied), the run named for 00:10 is not started twice.
    delete (store.crons[0] as { status?: CronStatus }).status;
    await new CronScheduler(store, clock).tick();
    assert.equal(store.done.length, 2);
  });

  test('a time missed beyond the deadline is skipped and recorded; suspend skips', async () => {
    const clock = new FakeClock(at('2024-01-01T00:13:00Z'));
    const store = new FakeStore(clock);
    store.crons = [cron('late', {}, '2024-01-01T00:00:00Z'), cron('paused', { suspend: true })];
    await new CronScheduler(store, clock).tick();
    assert.deepEqual(store.done, []);
    assert.equal((store.crons[0] as { status?: CronStatus }).status?.lastScheduledTime, '2024-01-01T00:10:00Z');
    assert.equal((store.crons[1] as { status?: CronStatus }).status?.lastScheduledTime, '2024-01-01T00:10:00Z');
  });

  test('concurrencyPolicy Forbid waits for the run going; Replace terminates it; history limits delete the oldest', async () => {
    const clock = new FakeClock(at('2024-01-01T00:05:00Z'));
    const store = new FakeStore(clock);
    store.crons = [
      cron('forbid', { concurrencyPolicy: 'Forbid' }),
      cron('replace', { concurrencyPolicy: 'Replace', successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 0 }),
    ];
    const scheduler = new CronScheduler(store, clock);
    await scheduler.tick();
    clock.time = at('2024-01-01T00:10:00Z');
    await scheduler.tick();
    const t5 = at('2024-01-01T00:05:00Z') / 1000;
    const t10 = at('2024-01-01T00:10:00Z') / 1000;
    assert.deepEqual(store.done, [
      `submit forbid-${t5} at 2024-01-01T00:05:00.000Z`,
      `submit replace-${t5} at 2024-01-01T00:05:00.000Z`,
      `terminate replace-${t5}`,
      `submit replace-${t10} at 2024-01-01T00:10:00.000Z`,
    ]);
    clock.time = at('2024-01-01T00:10:05Z');
    await scheduler.tick();
    assert.ok(store.done.includes(`remove replace-${t5}`), 'the failed run is beyond failedJobsHistoryLimit 0');
  });

  test('run() sleeps until the next scheduled time, at most LOOK_EVERY_MS, until aborted', async () => {
    const clock = new FakeClock(at('2024-01-01T00:04:55Z'));
    const store = new FakeStore(clock);
    store.crons = [cron('every5')];
    const stop = new AbortController();
    const scheduler = new CronScheduler(store, clock);
    const original = clock.sleep.bind(clock);
    clock.sleep = async (ms: number) => {
      await original(ms);
      if (clock.sleeps.length === 3) stop.abort();
    };
    await scheduler.run(stop.signal);
    assert.deepEqual(clock.sleeps, [5000, LOOK_EVERY_MS, LOOK_EVERY_MS]);
    assert.equal(store.done.length, 1, 'the 00:05 run, started after the first sleep');
  });
});
