import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fixedZone, UTC } from '../../src/expr/go-calendar.js';
import { formatGoDuration, GoDuration, GoTime, parseGoDuration, roundDuration } from '../../src/expr/go-time.js';

// Expected values are what Go 1.26's time package gives for the same inputs.

// [input, 'String() nanoseconds' or undefined, Go's error or undefined]
const DURATIONS: Array<[string, string | undefined, string | undefined]> = [
  ['0', '0s 0', undefined],
  ['', undefined, 'time: invalid duration ""'],
  ['-0', '0s 0', undefined],
  ['+0', '0s 0', undefined],
  ['1h', '1h0m0s 3600000000000', undefined],
  ['1h30m', '1h30m0s 5400000000000', undefined],
  ['1.5h', '1h30m0s 5400000000000', undefined],
  ['-1.5h', '-1h30m0s -5400000000000', undefined],
  ['1h2m3s4ms5us6ns', '1h2m3.004005006s 3723004005006', undefined],
  ['1µs', '1µs 1000', undefined],
  ['1μs', '1µs 1000', undefined],
  ['1us', '1µs 1000', undefined],
  ['.5s', '500ms 500000000', undefined],
  ['5.s', '5s 5000000000', undefined],
  ['.s', undefined, 'time: invalid duration ".s"'],
  ['1', undefined, 'time: missing unit in duration "1"'],
  ['1x', undefined, 'time: unknown unit "x" in duration "1x"'],
  ['1hh', undefined, 'time: unknown unit "hh" in duration "1hh"'],
  ['h', undefined, 'time: invalid duration "h"'],
  ['9223372036854775807ns', '2562047h47m16.854775807s 9223372036854775807', undefined],
  ['9223372036854775808ns', undefined, 'time: invalid duration "9223372036854775808ns"'],
  ['-9223372036854775808ns', '-2562047h47m16.854775808s -9223372036854775808', undefined],
  ['2562047h47m16.854775807s', '2562047h47m16.854775807s 9223372036854775807', undefined],
  ['2562048h', undefined, 'time: invalid duration "2562048h"'],
  ['0.000000001s', '1ns 1', undefined],
  ['0.0000000001s', '0s 0', undefined],
  ['1.00000000000000000000000001s', '1s 1000000000', undefined],
  ['100ms', '100ms 100000000', undefined],
  ['1.2ms', '1.2ms 1200000', undefined],
  ['999ns', '999ns 999', undefined],
  ['61s', '1m1s 61000000000', undefined],
  ['3601s', '1h0m1s 3601000000000', undefined],
  ['-61s', '-1m1s -61000000000', undefined],
  ['1e3s', undefined, 'time: unknown unit "e" in duration "1e3s"'],
  ['1h-1m', undefined, 'time: unknown unit "h-" in duration "1h-1m"'],
  ['+5m', '5m0s 300000000000', undefined],
  ['-', undefined, 'time: invalid duration "-"'],
  ['5m30', undefined, 'time: missing unit in duration "5m30"'],
  ['1.0000000001h', '1h0m0.00000036s 3600000000360', undefined],
  ['3m0.5s', '3m0.5s 180500000000', undefined],
];

describe('parseGoDuration (Go time.ParseDuration) and Duration.String()', () => {
  for (const [input, expected, error] of DURATIONS) {
    test(JSON.stringify(input), () => {
      if (error !== undefined) {
        assert.throws(
          () => parseGoDuration(input),
          (e: unknown) => e instanceof Error && e.message === error,
        );
      } else {
        const d = parseGoDuration(input);
        assert.equal(`${d.toString()} ${d.nanoseconds}`, expected);
      }
    });
  }

  test('String() of the extremes and of sub-second values', () => {
    assert.equal(formatGoDuration(-(1n << 63n)), '-2562047h47m16.854775808s');
    assert.equal(formatGoDuration(1n), '1ns');
    assert.equal(formatGoDuration(1_500n), '1.5µs');
    assert.equal(formatGoDuration(-1_000_001n), '-1.000001ms');
    assert.equal(formatGoDuration(60_000_000_000n), '1m0s');
  });

  test("arithmetic wraps at 64 bits as Go's int64", () => {
    assert.equal(new GoDuration(1n << 63n).nanoseconds, -(1n << 63n));
  });
});

// [duration, multiple, Round, Truncate]
const ROUNDS: Array<[string, string, string, string]> = [
  ['1h15m30.918273645s', '1ns', '1h15m30.918273645s', '1h15m30.918273645s'],
  ['1h15m30.918273645s', '1ms', '1h15m30.918s', '1h15m30.918s'],
  ['1h15m30.918273645s', '1s', '1h15m31s', '1h15m30s'],
  ['1h15m30.5s', '1s', '1h15m31s', '1h15m30s'],
  ['-1h15m30.5s', '1s', '-1h15m31s', '-1h15m30s'],
  ['1h15m30.918273645s', '1h', '1h0m0s', '1h0m0s'],
  ['1h15m30.918273645s', '0s', '1h15m30.918273645s', '1h15m30.918273645s'],
  ['2562047h47m16.854775807s', '1h', '2562047h47m16.854775807s', '2562047h0m0s'],
  ['-1.5s', '1s', '-2s', '-1s'],
  ['-1.4s', '1s', '-1s', '-1s'],
];

describe('Duration.Round / Truncate', () => {
  for (const [d, m, round, truncate] of ROUNDS) {
    test(`${d} to ${m}`, () => {
      assert.equal(roundDuration(parseGoDuration(d), parseGoDuration(m), 'round').toString(), round);
      assert.equal(roundDuration(parseGoDuration(d), parseGoDuration(m), 'truncate').toString(), truncate);
    });
  }
});

describe('GoTime', () => {
  const t0 = GoTime.fromInstant({ seconds: 1709649449, nanos: 500_000_000, location: UTC }); // 2024-03-05T14:37:29.5Z
  const rfc = '2006-01-02T15:04:05.999999999Z07:00';

  test('Truncate and Round count from the zero time, as Go', () => {
    const hour = parseGoDuration('1h');
    assert.equal(t0.roundTo(hour, 'truncate').format(rfc), '2024-03-05T14:00:00Z');
    assert.equal(t0.roundTo(hour, 'round').format(rfc), '2024-03-05T15:00:00Z');
    assert.equal(t0.roundTo(parseGoDuration('1s'), 'round').format(rfc), '2024-03-05T14:37:30Z');
    assert.equal(t0.roundTo(parseGoDuration('24h'), 'truncate').format(rfc), '2024-03-05T00:00:00Z');
    // Weeks start on Mondays: the zero time, 0001-01-01, was a Monday.
    assert.equal(t0.roundTo(parseGoDuration('168h'), 'truncate').format(rfc), '2024-03-04T00:00:00Z');
  });

  test('AddDate normalises like time.Date', () => {
    const oct31 = GoTime.fromInstant({ seconds: 1730336523, nanos: 0, location: UTC }); // 2024-10-31T01:02:03Z
    assert.equal(oct31.addDate(0, 1, 0).format(rfc), '2024-12-01T01:02:03Z');
    const feb29 = GoTime.fromInstant({ seconds: 1709168523, nanos: 0, location: UTC }); // 2024-02-29T01:02:03Z
    assert.equal(feb29.addDate(1, 0, 0).format(rfc), '2025-03-01T01:02:03Z');
  });

  test('Sub saturates at the largest duration', () => {
    const late = GoTime.fromInstant({ seconds: 13569465600, nanos: 0, location: UTC }); // 2400-01-01
    const early = GoTime.fromInstant({ seconds: -5364662400, nanos: 0, location: UTC }); // 1800-01-01
    assert.equal(late.sub(early).toString(), '2562047h47m16.854775807s');
    assert.equal(early.sub(late).toString(), '-2562047h47m16.854775808s');
  });

  test('String() and MarshalJSON', () => {
    const t = new GoTime(1709627829, 120_000_000, fixedZone('', 19800));
    assert.equal(t.toString(), '2024-03-05 14:07:09.12 +0530 +0530');
    assert.equal(GoTime.ZERO.toString(), '0001-01-01 00:00:00 +0000 UTC');
    assert.equal(new GoTime(1709667429, 120_000_000, fixedZone('', -19800)).toJSON(), '2024-03-05T14:07:09.12-05:30');
    assert.equal(GoTime.unix(-1).in(UTC).format(rfc), '1969-12-31T23:59:59Z');
  });

  test('fromMillis keeps milliseconds as nanoseconds, in Local', () => {
    const t = GoTime.fromMillis(Date.UTC(2024, 2, 5, 14, 7, 9, 123));
    assert.equal(t.format('2006-01-02T15:04:05.000000000Z07:00 MST'), '2024-03-05T14:07:09.123000000Z UTC');
    assert.equal(t.location.name, 'Local');
    assert.equal(GoTime.fromMillis(-1).format('2006-01-02T15:04:05.000Z07:00'), '1969-12-31T23:59:59.999Z');
  });
});
