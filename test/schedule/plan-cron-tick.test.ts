import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type CronState, ON_TIME_SECONDS, planCronTick } from '../../src/schedule/plan-cron-tick.js';
import type { CronWorkflow } from '../../src/spec/model/workflow.js';
import { simulate } from '../engine/simulate-run.js';

const at = (iso: string): number => Date.parse(iso) / 1000;

function cron(spec: Partial<CronWorkflow['spec']> = {}): CronWorkflow {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'CronWorkflow',
    metadata: { name: 'nightly', namespace: 'team' },
    spec: {
      schedule: '0 * * * *',
      workflowMetadata: { labels: { team: 'data' } },
      workflowSpec: { entrypoint: 'main', templates: [{ name: 'main', container: { image: 'alpine', command: ['echo', '{{workflow.scheduledTime}}'] } }] },
      ...spec,
    },
  };
}

const state = (extra: Partial<CronState> = {}): CronState => ({ watchedSince: at('2024-01-01T00:00:00Z'), active: [], finished: [], ...extra });

describe('planCronTick', () => {
  test('on time: the run named for its scheduled time, labelled, annotated with the time; the next hour to wake for', () => {
    const tick = planCronTick(cron(), state(), at('2024-01-01T01:00:02Z'));
    assert.equal(tick.start!.scheduledTime, at('2024-01-01T01:00:00Z'));
    assert.deepEqual(tick.start!.workflow.metadata, {
      name: `nightly-${at('2024-01-01T01:00:00Z')}`,
      namespace: 'team',
      labels: { team: 'data', 'workflows.argoproj.io/cron-workflow': 'nightly' },
      annotations: { 'workflows.argoproj.io/scheduled-time': '2024-01-01T01:00:00Z' },
    });
    assert.equal(tick.start!.workflow.spec.entrypoint, 'main');
    assert.equal(tick.wakeAt, at('2024-01-01T02:00:00Z'));
  });

  test('the run sees its scheduled time as {{workflow.scheduledTime}}', () => {
    const tick = planCronTick(cron(), state(), at('2024-01-01T01:00:02Z'));
    const run = simulate(tick.start!.workflow);
    assert.deepEqual(run.pods[0]!.template.container!.command, ['echo', '2024-01-01T01:00:00Z']);
  });

  test('nothing is due before the first schedule, nor twice for one scheduled time', () => {
    assert.equal(planCronTick(cron(), state(), at('2024-01-01T00:59:59Z')).start, undefined);
    const last = at('2024-01-01T01:00:00Z');
    assert.equal(planCronTick(cron(), state({ lastScheduledTime: last }), at('2024-01-01T01:00:20Z')).start, undefined);
  });

  test('missed schedules never run without startingDeadlineSeconds; with it, the latest one runs once, within the deadline', () => {
    const now = at('2024-01-01T05:20:00Z');
    const missed = planCronTick(cron(), state({ lastScheduledTime: at('2024-01-01T01:00:00Z') }), now);
    assert.equal(missed.start, undefined);
    assert.equal(missed.skipped!.scheduledTime, at('2024-01-01T05:00:00Z'));
    assert.match(missed.skipped!.reason, /missed by 1200s and no startingDeadlineSeconds is set/);
    const within = planCronTick(cron({ startingDeadlineSeconds: 1800 }), state({ lastScheduledTime: at('2024-01-01T01:00:00Z') }), now);
    assert.equal(within.start!.scheduledTime, at('2024-01-01T05:00:00Z'));
    const beyond = planCronTick(cron({ startingDeadlineSeconds: 600 }), state({ lastScheduledTime: at('2024-01-01T01:00:00Z') }), now);
    assert.equal(beyond.start, undefined);
    assert.match(beyond.skipped!.reason, /beyond startingDeadlineSeconds 600/);
    assert.ok(ON_TIME_SECONDS < 1200);
  });

  test('suspend skips; Forbid skips while a run goes; Replace terminates the runs going first; Allow runs beside them', () => {
    const now = at('2024-01-01T01:00:01Z');
    assert.match(planCronTick(cron({ suspend: true }), state(), now).skipped!.reason, /suspended/);
    const running = state({ active: ['nightly-1704067200'] });
    const forbid = planCronTick(cron({ concurrencyPolicy: 'Forbid' }), running, now);
    assert.equal(forbid.start, undefined);
    assert.match(forbid.skipped!.reason, /Forbid and nightly-1704067200 still running/);
    const replace = planCronTick(cron({ concurrencyPolicy: 'Replace' }), running, now);
    assert.deepEqual(replace.terminate, ['nightly-1704067200']);
    assert.ok(replace.start);
    const allow = planCronTick(cron(), running, now);
    assert.deepEqual(allow.terminate, []);
    assert.ok(allow.start);
  });

  test('several schedules in the CronWorkflow timezone: the latest due runs, the earliest next is woken for', () => {
    const paris = cron({ schedule: undefined, schedules: ['0 6 * * *', '30 6 * * *'], timezone: 'Europe/Paris' });
    const tick = planCronTick(paris, state(), at('2024-01-02T05:30:10Z'));
    assert.equal(tick.start!.scheduledTime, at('2024-01-02T05:30:00Z'));
    assert.equal(tick.wakeAt, at('2024-01-03T05:00:00Z'));
    assert.throws(() => planCronTick(cron({ schedule: undefined }), state(), 0), /has no schedule/);
  });

  test('history limits: the newest 3 succeeded and 1 failed are kept, the rest removed oldest first', () => {
    const finished: CronState['finished'] = [
      ...[1, 2, 3, 4, 5].map((n) => ({ name: `ok-${n}`, phase: 'Succeeded' as const, finishedAt: n })),
      ...[6, 7].map((n) => ({ name: `bad-${n}`, phase: 'Failed' as const, finishedAt: n })),
    ];
    assert.deepEqual(planCronTick(cron(), state({ finished }), at('2024-01-01T00:30:00Z')).remove, ['ok-1', 'ok-2', 'bad-6']);
    assert.deepEqual(planCronTick(cron({ successfulJobsHistoryLimit: 0, failedJobsHistoryLimit: 5 }), state({ finished }), at('2024-01-01T00:30:00Z')).remove, [
      'ok-1',
      'ok-2',
      'ok-3',
      'ok-4',
      'ok-5',
    ]);
  });
});
