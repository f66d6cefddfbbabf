import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseCronSchedule } from '../../src/schedule/cron-schedule.js';

const at = (iso: string): number => Date.parse(iso) / 1000;
const iso = (seconds: number | undefined): string | undefined =>
  seconds === undefined ? undefined : new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
/** The next `count` activations after `from`. */
function upcoming(schedule: string, from: string, count = 3): Array<string | undefined> {
  const parsed = parseCronSchedule(schedule);
  const out: Array<string | undefined> = [];
  let t: number | undefined = at(from);
  for (let i = 0; i < count && t !== undefined; i++) {
    t = parsed.next(t);
    out.push(iso(t));
  }
  return out;
}

describe('parseCronSchedule', () => {
  test('five fields: lists, ranges, steps, N/step to the end, names in any case', () => {
    assert.deepEqual(upcoming('*/15 * * * *', '2024-01-01T00:07:00Z'), ['2024-01-01T00:15:00Z', '2024-01-01T00:30:00Z', '2024-01-01T00:45:00Z']);
    assert.deepEqual(upcoming('5,35 9-10 * * *', '2024-01-01T09:06:00Z'), ['2024-01-01T09:35:00Z', '2024-01-01T10:05:00Z', '2024-01-01T10:35:00Z']);
    assert.deepEqual(upcoming('50/5 * * * *', '2024-01-01T00:00:00Z'), ['2024-01-01T00:50:00Z', '2024-01-01T00:55:00Z', '2024-01-01T01:50:00Z']);
    assert.deepEqual(upcoming('0 12 * JAN,jul Mon', '2024-01-01T12:00:00Z', 2), ['2024-01-08T12:00:00Z', '2024-01-15T12:00:00Z']);
  });

  test('strictly after the given time, to the minute', () => {
    assert.deepEqual(upcoming('0 * * * *', '2024-01-01T05:00:00Z', 1), ['2024-01-01T06:00:00Z']);
    assert.deepEqual(upcoming('* * * * *', '2024-01-01T05:00:30Z', 1), ['2024-01-01T05:01:00Z']);
  });

  test('day of month and day of week: either when both are restricted, both when one is *', () => {
    // The 13th, or any Friday.
    assert.deepEqual(upcoming('0 0 13 * fri', '2024-09-01T00:00:00Z', 3), ['2024-09-06T00:00:00Z', '2024-09-13T00:00:00Z', '2024-09-20T00:00:00Z']);
    // Fridays only (day of month left as *), and */2 counts as a restriction, as in robfig/cron.
    assert.deepEqual(upcoming('0 0 * * 5', '2024-09-01T00:00:00Z', 2), ['2024-09-06T00:00:00Z', '2024-09-13T00:00:00Z']);
    assert.deepEqual(upcoming('0 0 */2 * 1', '2024-09-01T00:00:00Z', 3), ['2024-09-02T00:00:00Z', '2024-09-03T00:00:00Z', '2024-09-05T00:00:00Z']);
  });

  test('descriptors and @every', () => {
    assert.deepEqual(upcoming('@hourly', '2024-01-01T05:10:00Z', 1), ['2024-01-01T06:00:00Z']);
    assert.deepEqual(upcoming('@daily', '2024-01-01T05:10:00Z', 1), ['2024-01-02T00:00:00Z']);
    assert.deepEqual(upcoming('@weekly', '2024-01-01T05:10:00Z', 1), ['2024-01-07T00:00:00Z']);
    assert.deepEqual(upcoming('@monthly', '2024-01-31T05:10:00Z', 1), ['2024-02-01T00:00:00Z']);
    assert.deepEqual(upcoming('@yearly', '2024-06-01T00:00:00Z', 1), ['2025-01-01T00:00:00Z']);
    assert.deepEqual(upcoming('@every 90s', '2024-01-01T00:00:00Z', 2), ['2024-01-01T00:01:30Z', '2024-01-01T00:03:00Z']);
  });

  test('a time zone by CRON_TZ or TZ, with daylight saving time honoured', () => {
    // 06:30 in Paris is 05:30 UTC in winter and 04:30 UTC in summer.
    assert.deepEqual(upcoming('CRON_TZ=Europe/Paris 30 6 * * *', '2024-03-29T12:00:00Z', 3), [
      '2024-03-30T05:30:00Z',
      '2024-03-31T04:30:00Z',
      '2024-04-01T04:30:00Z',
    ]);
    // 02:30 does not exist in New York on 2024-03-10: that day has no 02:30 run.
    assert.deepEqual(upcoming('TZ=America/New_York 30 2 * * *', '2024-03-09T12:00:00Z', 2), ['2024-03-11T06:30:00Z', '2024-03-12T06:30:00Z']);
  });

  test('a date that never comes gives no activation, not a hang', () => {
    assert.equal(parseCronSchedule('0 0 30 feb *').next(at('2024-01-01T00:00:00Z')), undefined);
  });

  test('bad schedules are refused with what is wrong', () => {
    const cases: Array<[string, RegExp]> = [
      ['* * * *', /has 4 fields; it needs 5/],
      ['61 * * * *', /"61" is outside 0-59/],
      ['0 0 * * 7', /"7" is outside 0-6/],
      ['0 0 * * funday', /"funday" is not a number or a name/],
      ['*/0 * * * *', /step .* must be a positive number/],
      ['5-1 * * * *', /begins after it ends/],
      ['@fortnightly', /unknown descriptor/],
      ['@every soon', /invalid duration/],
      ['CRON_TZ=Mars/Olympus 0 0 * * *', /unknown time zone "Mars\/Olympus"/],
      ['', /is empty/],
    ];
    for (const [schedule, message] of cases) assert.throws(() => parseCronSchedule(schedule), message, schedule);
  });
});
