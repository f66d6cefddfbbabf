import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { evaluateExpression } from '../../src/expr/expression-evaluator.js';
import { GoDuration, GoTime } from '../../src/expr/go-time.js';
import { substituteTemplate } from '../../src/expr/substitute.js';

// The clock every test passes: 2024-03-05T14:07:09.123Z, a Tuesday, day 65 of a leap year.
const NOW = Date.UTC(2024, 2, 5, 14, 7, 9, 123);
const env = {
  workflow: { creationTimestamp: '2021-05-06T07:08:09Z' },
  word: 'not a time',
  cronworkflow: { lastScheduledTime: null as unknown },
};
const RFC3339 = '2006-01-02T15:04:05Z07:00';

function check(cases: Array<[string, unknown]>, now: number | undefined = NOW): void {
  for (const [source, expected] of cases) {
    test(`${source} → ${JSON.stringify(expected)}`, () => {
      const value = evaluateExpression(source, env, now === undefined ? {} : { now });
      assert.deepEqual(value instanceof GoTime || value instanceof GoDuration ? value.toString() : value, expected);
    });
  }
}

function rejects(cases: Array<[string, RegExp]>, now: number | undefined = NOW): void {
  for (const [source, message] of cases) {
    test(`${source} is an error`, () => assert.throws(() => evaluateExpression(source, env, now === undefined ? {} : { now }), message));
  }
}

describe('the clock comes from the caller', () => {
  test('now() is the time given, in Local (UTC)', () => {
    const value = evaluateExpression('now()', {}, { now: NOW });
    assert.ok(value instanceof GoTime);
    assert.equal(value.format('2006-01-02T15:04:05.000Z07:00 MST'), '2024-03-05T14:07:09.123Z UTC');
    assert.equal(evaluateExpression('now().Unix()', {}, { now: new Date(0) }), 0);
  });

  test('without a clock, whatever needs the current time fails clearly; the rest works', () => {
    for (const source of ['now()', 'sprig.now()', 'sprig.date("2006", word)', 'sprig.ago(0)', 'sprig.durationRound(date("2024-01-01"))']) {
      assert.throws(() => evaluateExpression(source, env), /now\(\) needs the current time/, source);
    }
    assert.equal(evaluateExpression("sprig.date('2006', workflow.creationTimestamp)", env), '2021');
    assert.equal(evaluateExpression("date('2024-03-05').Format('Jan 2')", env), 'Mar 5');
  });

  test('the clock reaches predicates', () => {
    assert.deepEqual(evaluateExpression('map([1, 2], {now().Year() + #})', {}, { now: NOW }), [2025, 2026]);
  });

  test('an invalid clock is refused', () => {
    assert.throws(() => evaluateExpression('1', {}, { now: NaN }), /not a valid time/);
  });
});

describe('expr-lang: now(), date(), duration(), timezone() and time methods', () => {
  check([
    ["now().Format('Mon Jan _2 15:04:05.000 MST 2006')", 'Tue Mar  5 14:07:09.123 UTC 2024'],
    ['[now().Year(), now().Month(), now().Day(), now().Hour(), now().Minute(), now().Second()]', [2024, 3, 5, 14, 7, 9]],
    ['[now().Nanosecond(), now().YearDay(), now().Weekday()]', [123_000_000, 65, 2]],
    ['[now().Unix(), now().UnixMilli()]', [1709647629, 1709647629123]],
    ['type(now())', 'time.Time'],
    ['type(duration("1s"))', 'time.Duration'],
    ["now().In(timezone('Europe/Paris')).Format('15:04 MST')", '15:07 CET'],
    ["now(timezone('America/New_York')).Format('15:04 MST -07:00')", '09:07 EST -05:00'],
    ["now().UTC().Format('MST')", 'UTC'],
    ["now().Truncate(duration('1h')).Format('15:04:05.000')", '14:00:00.000'],
    ["now().Round(duration('1s')).Format('15:04:05.000')", '14:07:09.000'],
    ["now().AddDate(0, 1, -5).Format('2006-01-02')", '2024-03-31'],
    ["now().Add(duration('-1h')).Before(now())", true],
    ['now().After(now())', false],
    ["now().Equal(now().In(timezone('Asia/Tokyo')))", true],
    ["date('2006-01-02', '2006-01-02').Compare(now())", -1],
    ["date('0001-01-01').IsZero()", true],
    // date() with no layout tries expr-lang's list: date, time, date time, RFC 3339, RFC 822, RFC 850, RFC 1123.
    ['date("2024-03-05")', '2024-03-05 00:00:00 +0000 UTC'],
    ['date("10:20:30")', '0000-01-01 10:20:30 +0000 UTC'],
    ['date("2024-03-05 10:20:30")', '2024-03-05 10:20:30 +0000 UTC'],
    ['date("2024-03-05T10:20:30.5+05:30")', '2024-03-05 10:20:30.5 +0530 +0530'],
    ['date("05 Mar 24 10:20 UTC")', '2024-03-05 10:20:00 +0000 UTC'],
    ['date("Tuesday, 05-Mar-24 10:20:30 PST")', '2024-03-05 10:20:30 +0000 PST'],
    ['date("Tue, 05 Mar 2024 10:20:30 GMT")', '2024-03-05 10:20:30 +0000 GMT'],
    ['date("05/03/2024", "02/01/2006")', '2024-03-05 00:00:00 +0000 UTC'],
    ["date('2024-03-05 10:00', '2006-01-02 15:04', 'Europe/Paris')", '2024-03-05 10:00:00 +0100 CET'],
    ["date('2024-07-05 10:00', '2006-01-02 15:04', 'Europe/Paris').UTC()", '2024-07-05 08:00:00 +0000 UTC'],
    ["date(timezone('America/New_York'), '2024-07-05 10:00', '2006-01-02 15:04')", '2024-07-05 10:00:00 -0400 EDT'],
    ["date(timezone('America/New_York'), '2024-07-05')", '2024-07-05 00:00:00 -0400 EDT'],
    ['duration("1h30m")', '1h30m0s'],
    ['duration("1h30m").Minutes()', 90],
    ['duration("90m").Hours()', 1.5],
    ['duration("1500ms").Seconds()', 1.5],
    ['[duration("1.5s").Milliseconds(), duration("1.5us").Nanoseconds(), duration("1.5ms").Microseconds()]', [1500, 1500, 1500]],
    ['duration("-1h").Abs()', '1h0m0s'],
    ['duration("1h15m30.5s").Round(duration("1m"))', '1h16m0s'],
    ['duration("1h15m30.5s").Truncate(duration("1m"))', '1h15m0s'],
    ['duration("1h").String()', '1h0m0s'],
  ]);
  rejects([
    ['date("nope")', /date\(\): invalid date nope/],
    ['date("2024-13-01", "2006-01-02")', /parsing time "2024-13-01": month out of range/],
    ['date("x", "2006", "Nowhere/City")', /unknown time zone Nowhere\/City/],
    ['date(1)', /argument 1 must be a string, got int/],
    ['date()', /invalid number of arguments/],
    ['duration("1d")', /time: unknown unit "d" in duration "1d"/],
    ['duration("5")', /time: missing unit in duration "5"/],
    ['timezone("Mars/Base")', /unknown time zone Mars\/Base/],
    ['now(1)', /invalid number of arguments \(expected 0, got 1\)/],
    ['now().Format()', /invalid number of arguments/],
    ['now().Format(1)', /argument 1 must be a string, got int/],
    ['now().Sub("2024")', /argument 1 must be a time.Time, got string/],
    ['now().Nope()', /method Nope is not supported on time.Time/],
    ['duration("1s").Format("x")', /method Format is not supported on time.Duration/],
    ['now().Year', /cannot fetch Year from time.Time/],
    ['keys(now())', /argument 1 must be a map, got time.Time/],
    ['now', /now is a function/],
  ]);
});

describe('expr-lang time arithmetic and comparison', () => {
  check([
    ["now() - date('2024-03-05T14:00:00Z')", '7m9.123s'],
    ["(now() - date('2024-03-05T14:00:00Z')).Seconds()", 429.123],
    ["now() - date('2024-03-05T14:00:00Z') > duration('7m')", true],
    ["now() - duration('24h')", '2024-03-04 14:07:09.123 +0000 UTC'],
    ["(now() + duration('1h')).Hour()", 15],
    ["duration('1h') + now() == now().Add(duration('1h'))", true],
    ["now() - duration('24h') < now()", true],
    ['now() >= now() && now() <= now()', true],
    ["duration('1h') + duration('30m')", '1h30m0s'],
    ["duration('1h') - duration('90m')", '-30m0s'],
    ["duration('1h') * 2 == duration('2h')", true],
    ["2 * duration('30m')", '1h0m0s'],
    ["duration('1s') * 1.5", 1.5e9],
    ["duration('1m') < duration('1h')", true],
    // == compares instants (Go's Time.Equal), whatever the zone.
    ["date('2024-01-01') == date('2024-01-01T01:00:00+01:00')", true],
    ["date('2024-01-01') != date('2024-01-02')", true],
    ["date('2024-01-01') < date('2024-01-02')", true],
    ["duration('60s') == duration('1m')", true],
    ['now() == nil', false],
  ]);
  rejects([
    ["now() - '2024'", /invalid operation: - \(mismatched types time.Time and string\)/],
    ['now() + now()', /mismatched types time.Time and time.Time/],
    ["now() < duration('1s')", /mismatched types time.Time and time.Duration/],
    ['duration("1s") / 2', /mismatched types time.Duration and int/],
  ]);

  test("Argo's cron-when example: lastScheduledTime nil or more than 6 minutes ago", () => {
    const when = 'cronworkflow.lastScheduledTime == nil || (now() - cronworkflow.lastScheduledTime).Seconds() > 360';
    const at = (last: unknown): unknown => evaluateExpression(when, { cronworkflow: { lastScheduledTime: last } }, { now: NOW });
    assert.equal(at(null), true);
    assert.equal(at(GoTime.fromMillis(NOW - 10 * 60_000)), true);
    assert.equal(at(GoTime.fromMillis(NOW - 60_000)), false);
  });
});

describe('sprig date functions', () => {
  check([
    // Argo passes workflow.creationTimestamp as an RFC 3339 string: it is read as that time.
    ["sprig.date('2006', workflow.creationTimestamp)", '2021'],
    ["sprig.date('2006-01-02T15:04:05Z07:00', workflow.creationTimestamp)", '2021-05-06T07:08:09Z'],
    ["sprig.date('Jan 2, 2006 at 3:04pm (MST)', now())", 'Mar 5, 2024 at 2:07pm (UTC)'],
    // ints are Unix seconds; anything else is the current time, as in sprig.
    ["sprig.date('2006-01-02 15:04:05', 0)", '1970-01-01 00:00:00'],
    ["sprig.date('2006-01-02 15:04:05', 1709647629)", '2024-03-05 14:07:09'],
    ["sprig.date('2006', word)", '2024'],
    ["sprig.date('2006', nil)", '2024'],
    ["sprig.dateInZone('2006-01-02 15:04 MST', now(), 'America/New_York')", '2024-03-05 09:07 EST'],
    ["sprig.date_in_zone('15:04 MST', now(), 'UTC')", '14:07 UTC'],
    // An unknown zone falls back to UTC, as in sprig.
    ["sprig.dateInZone('15:04 MST', now(), 'Nowhere/City')", '14:07 UTC'],
    ['sprig.htmlDate(now())', '2024-03-05'],
    ["sprig.htmlDateInZone(1709681400, 'Europe/Paris')", '2024-03-06'],
    ['sprig.now().Year()', 2024],
    ["sprig.dateModify('-1.5h', now()).Format('15:04')", '12:37'],
    ["sprig.date_modify('bogus', now()) == now()", true],
    ["sprig.mustDateModify('24h', now()).Day()", 6],
    ["sprig.toDate('2006-01-02', '2024-03-05').Unix()", 1709596800],
    ["sprig.toDate('2006-01-02', 'x').IsZero()", true],
    ["sprig.toDate('2006-01-02', 'x')", '0001-01-01 00:00:00 +0000 UTC'],
    [`sprig.mustToDate('02/01/2006 15:04', '05/03/2024 10:20').Format('${RFC3339}')`, '2024-03-05T10:20:00Z'],
    ['sprig.unixEpoch(now())', '1709647629'],
    ["sprig.unixEpoch(sprig.toDate('2006-01-02', '1970-01-02'))", '86400'],
    ["sprig.ago(date('2024-03-05T14:00:00Z'))", '7m9s'],
    ['sprig.ago(1709647629 - 3600)', '1h0m0s'],
    ["sprig.duration('95')", '1m35s'],
    ["sprig.duration('-3661')", '-1h1m1s'],
    ["sprig.duration('x')", '0s'],
    // expr-lang's ints are Go ints, which sprig's duration does not take (only int64 and strings).
    ['sprig.duration(95)', '0s'],
    ["sprig.durationRound('2h10m5s')", '2h'],
    ["sprig.durationRound('2400h10m5s')", '3mo'],
    ["sprig.durationRound('9000h')", '1y'],
    ["sprig.durationRound('-90m')", '1h'],
    ["sprig.durationRound('1s')", '0s'],
    ["sprig.durationRound(date('2024-03-04T14:00:00Z'))", '1d'],
  ]);
  rejects([
    ["sprig.mustDateModify('bogus', now())", /time: invalid duration "bogus"/],
    ["sprig.mustToDate('2006-01-02', 'x')", /parsing time "x" as "2006-01-02": cannot parse "x" as "2006"/],
    ["sprig.unixEpoch('2024')", /sprig\.unixEpoch\(\): argument 1 must be a time.Time, got string/],
    ["sprig.dateModify('1h', '2024')", /argument 2 must be a time.Time, got string/],
    ['sprig.date(2006, now())', /argument 1 must be a string, got int/],
  ]);
});

describe('time values in templates', () => {
  const lookup = (name: string): string | undefined => ({ 'workflow.creationTimestamp': '2021-05-06T07:08:09Z' })[name];

  test('results print as Argo prints them: times and durations through encoding/json', () => {
    const text = "{{=now()}} {{=duration('1m')}} {{=string(duration('1m'))}} {{=now().Format('2006')}} {{=toJson(now())}}";
    const result = substituteTemplate(text, lookup, { now: NOW });
    assert.deepEqual(result.errors, []);
    assert.equal(result.text, '"2024-03-05T14:07:09.123Z" 60000000000 1m0s 2024 "2024-03-05T14:07:09.123Z"');
  });

  test("Argo's expression-tag example", () => {
    const result = substituteTemplate("hello @ {{=sprig.date('2006', workflow.creationTimestamp)}}", lookup);
    assert.equal(result.text, 'hello @ 2021');
  });

  test('without a clock, now() stays for a later pass, or is an error when strict', () => {
    assert.equal(substituteTemplate('at {{=now()}}', lookup).text, 'at {{=now()}}');
    const strict = substituteTemplate('at {{=now()}}', lookup, { strict: true });
    assert.match(strict.errors[0]?.message ?? '', /now\(\) needs the current time/);
  });
});
