import { type BuiltinFunction, int, str, want } from './builtin-arguments.js';
import { clockOf, GoLocation, LOCAL, loadLocation, UTC } from './go-calendar.js';
import { parseGoTime } from './go-time-parse.js';
import { GoDuration, GoTime, parseGoDuration, roundDuration } from './go-time.js';
import { typeName } from './go-values.js';

/**
 * The time functions of expressions: expr-lang's `now()`, `date()`, `duration()` and `timezone()`,
 * sprig's date functions (`sprig.date`, `sprig.dateInZone`, `sprig.toDate`, ...), the methods
 * Go's `time.Time` and `time.Duration` offer (`.Format(layout)`, `.Unix()`, `.Seconds()`, ...) and
 * expr-lang's time arithmetic (`now() - t`, `t + duration("1h")`, `t1 < t2`).
 *
 * The expression layer has no clock: the current time comes from the caller (the `now` option of
 * `evaluateExpression` and `substituteTemplate`); without it, anything that needs it fails with
 * "now() needs the current time".
 */

/** A function that may read the current time (`undefined` when the caller gave none). */
export type TimeFunction = (now: GoTime | undefined, ...args: unknown[]) => unknown;

export function requireNow(now: GoTime | undefined): GoTime {
  if (!now) throw new Error('now() needs the current time, and none was given (the caller passes it as the `now` option)');
  return now;
}

const time = want((v): v is GoTime => v instanceof GoTime, 'a time.Time');
const location = want((v): v is GoLocation => v instanceof GoLocation, 'a *time.Location');

/** A duration argument: a duration, or an int taken as nanoseconds (Go's untyped constants). */
function duration(value: unknown, position: number): GoDuration {
  if (value instanceof GoDuration) return value;
  if (typeof value === 'number' && Number.isInteger(value)) return new GoDuration(BigInt(value));
  throw new Error(`argument ${position} must be a time.Duration, got ${typeName(value)}`);
}

function arity(args: unknown[], min: number, max = min): void {
  if (args.length < min || args.length > max) {
    const expected = min === max ? `${min}` : `${min} to ${max}`;
    throw new Error(`invalid number of arguments (expected ${expected}, got ${args.length})`);
  }
}

// `time.Parse` (UTC unless the value names a zone) or `time.ParseInLocation`.
function parseIn(layout: string, value: string, loc?: GoLocation): GoTime {
  return GoTime.fromInstant(loc ? parseGoTime(layout, value, loc, loc) : parseGoTime(layout, value, UTC, LOCAL));
}

const RFC3339 = '2006-01-02T15:04:05Z07:00';
// The layouts expr-lang's date() tries when given none.
const DATE_LAYOUTS = [
  '2006-01-02',
  '15:04:05',
  '2006-01-02 15:04:05',
  RFC3339,
  '02 Jan 06 15:04 MST',
  'Monday, 02-Jan-06 15:04:05 MST',
  'Mon, 02 Jan 2006 15:04:05 MST',
];

/** expr-lang's time builtins, called by bare name. */
export const TIME_BUILTINS: Readonly<Record<string, TimeFunction>> = {
  now: (now, ...args) => {
    if (args.length === 1 && args[0] instanceof GoLocation) return requireNow(now).in(args[0]);
    if (args.length !== 0) throw new Error(`invalid number of arguments (expected 0, got ${args.length})`);
    return requireNow(now);
  },
  duration: (_now, ...args) => (arity(args, 1), parseGoDuration(str(args[0], 1))),
  timezone: (_now, ...args) => (arity(args, 1), loadLocation(str(args[0], 1))),
  date: (_now, ...all) => {
    const zone = all[0] instanceof GoLocation ? all[0] : undefined;
    const args = zone ? all.slice(1) : all;
    arity(args, 1, 3);
    const value = str(args[0], 1);
    if (args.length === 2) return parseIn(str(args[1], 2), value, zone);
    if (args.length === 3) {
      const name = str(args[2], 3);
      let loc: GoLocation;
      try {
        loc = loadLocation(name);
      } catch {
        throw new Error(`unknown time zone ${name}`);
      }
      return parseIn(str(args[1], 2), value, loc);
    }
    for (const layout of DATE_LAYOUTS) {
      try {
        return parseIn(layout, value, zone);
      } catch {
        // the next layout
      }
    }
    throw new Error(`invalid date ${value}`);
  },
};

// ---------------------------------------------------------------------------------------------
// sprig (Masterminds/sprig v3 date.go).

/**
 * The time sprig's `date`, `dateInZone`, `htmlDate` and `ago` format: a time, or an int as Unix
 * seconds; anything else is the current time, as in sprig. One deliberate difference: an RFC 3339
 * string (how Argo passes `workflow.creationTimestamp`) is read as that time, where sprig would
 * silently use the current time.
 */
function sprigTime(value: unknown, now: GoTime | undefined): GoTime {
  if (value instanceof GoTime) return value;
  if (typeof value === 'number' && Number.isInteger(value)) return GoTime.unix(value);
  if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT/.test(value)) {
    try {
      return parseIn(RFC3339, value);
    } catch {
      // not a time after all: the current time, as sprig
    }
  }
  return requireNow(now);
}

function dateInZone(now: GoTime | undefined, layout: unknown, date: unknown, zone: unknown): string {
  let loc: GoLocation;
  try {
    loc = loadLocation(str(zone, 3));
  } catch {
    loc = UTC;
  }
  return sprigTime(date, now).in(loc).format(str(layout, 1));
}

// strconv.ParseInt(s, 10, 64) as sprig's `duration` uses it: syntax errors are 0, out of range clamps.
function parseInt64(text: string): bigint {
  if (!/^[+-]?[0-9]+$/.test(text)) return 0n;
  const n = BigInt(text);
  const max = (1n << 63n) - 1n;
  return n > max ? max : n < -max - 1n ? -max - 1n : n;
}

function dateModify(modification: unknown, date: unknown, must: boolean): GoTime {
  const t = time(date, 2);
  let d: GoDuration;
  try {
    d = parseGoDuration(str(modification, 1));
  } catch (error) {
    if (must) throw error;
    return t;
  }
  return t.add(d);
}

function toDate(layout: unknown, value: unknown, must: boolean): GoTime {
  const [layoutText, valueText] = [str(layout, 1), str(value, 2)];
  try {
    return parseIn(layoutText, valueText, LOCAL);
  } catch (error) {
    if (must) throw error;
    return GoTime.ZERO;
  }
}

function durationRound(value: unknown, now: GoTime | undefined): string {
  let d = 0n;
  if (typeof value === 'string') {
    try {
      d = parseGoDuration(value).nanoseconds;
    } catch {
      d = 0n;
    }
  } else if (value instanceof GoTime) {
    d = requireNow(now).sub(value).nanoseconds;
  }
  // sprig takes only int64 and strings; expr-lang's ints and durations are other Go types, so 0.
  const u = d < 0n ? -d : d;
  const hour = 3_600_000_000_000n;
  const units: Array<[bigint, string]> = [
    [hour * 24n * 365n, 'y'],
    [hour * 24n * 30n, 'mo'],
    [hour * 24n, 'd'],
    [hour, 'h'],
    [60_000_000_000n, 'm'],
    [1_000_000_000n, 's'],
  ];
  for (const [size, suffix] of units) if (u > size) return `${u / size}${suffix}`;
  return '0s';
}

const sprigDate: TimeFunction = (now, layout, date) => dateInZone(now, layout, date, 'Local');

/** sprig's date functions, reachable as `sprig.name(...)`. */
export const SPRIG_TIME_FUNCTIONS: Readonly<Record<string, TimeFunction>> = {
  now: (now) => requireNow(now),
  date: sprigDate,
  dateInZone: (now, layout, date, zone) => dateInZone(now, layout, date, zone),
  date_in_zone: (now, layout, date, zone) => dateInZone(now, layout, date, zone),
  htmlDate: (now, date) => dateInZone(now, '2006-01-02', date, 'Local'),
  htmlDateInZone: (now, date, zone) => dateInZone(now, '2006-01-02', date, zone),
  dateModify: (_now, modification, date) => dateModify(modification, date, false),
  date_modify: (_now, modification, date) => dateModify(modification, date, false),
  mustDateModify: (_now, modification, date) => dateModify(modification, date, true),
  must_date_modify: (_now, modification, date) => dateModify(modification, date, true),
  ago: (now, date) => {
    // time.Since(t).Round(time.Second).String(); sprig's ago has no string case.
    const t = date instanceof GoTime ? date : typeof date === 'number' && Number.isInteger(date) ? GoTime.unix(date) : requireNow(now);
    return roundDuration(requireNow(now).sub(t), new GoDuration(1_000_000_000n), 'round').toString();
  },
  toDate: (_now, layout, value) => toDate(layout, value, false),
  mustToDate: (_now, layout, value) => toDate(layout, value, true),
  unixEpoch: (_now, date) => String(time(date, 1).seconds),
  // sprig's int64 case is never reached from expr-lang (its ints are Go ints): numbers give 0s.
  duration: (_now, seconds) => new GoDuration((typeof seconds === 'string' ? parseInt64(seconds) : 0n) * 1_000_000_000n).toString(),
  durationRound: (now, value) => durationRound(value, now),
};

// ---------------------------------------------------------------------------------------------
// Methods.

const TIME_METHODS: Readonly<Record<string, (t: GoTime, args: unknown[]) => unknown>> = {
  Format: (t, args) => (arity(args, 1), t.format(str(args[0], 1))),
  String: (t, args) => (arity(args, 0), t.toString()),
  Unix: (t, args) => (arity(args, 0), t.seconds),
  UnixMilli: (t, args) => (arity(args, 0), Number(t.unixNanos / 1_000_000n)),
  UnixMicro: (t, args) => (arity(args, 0), Number(t.unixNanos / 1000n)),
  UnixNano: (t, args) => (arity(args, 0), Number(t.unixNanos)),
  // Month() and Weekday() are Go's time.Month and time.Weekday: numbers here (January = 1, Sunday = 0).
  Year: (t, args) => (arity(args, 0), clockOf(t).year),
  Month: (t, args) => (arity(args, 0), clockOf(t).month),
  Day: (t, args) => (arity(args, 0), clockOf(t).day),
  Hour: (t, args) => (arity(args, 0), clockOf(t).hour),
  Minute: (t, args) => (arity(args, 0), clockOf(t).minute),
  Second: (t, args) => (arity(args, 0), clockOf(t).second),
  Nanosecond: (t, args) => (arity(args, 0), t.nanos),
  YearDay: (t, args) => (arity(args, 0), clockOf(t).yearDay),
  Weekday: (t, args) => (arity(args, 0), clockOf(t).weekday),
  UTC: (t, args) => (arity(args, 0), t.in(UTC)),
  Local: (t, args) => (arity(args, 0), t.in(LOCAL)),
  In: (t, args) => (arity(args, 1), t.in(location(args[0], 1))),
  Add: (t, args) => (arity(args, 1), t.add(duration(args[0], 1))),
  AddDate: (t, args) => (arity(args, 3), t.addDate(int(args[0], 1), int(args[1], 2), int(args[2], 3))),
  Sub: (t, args) => (arity(args, 1), t.sub(time(args[0], 1))),
  Before: (t, args) => (arity(args, 1), t.compare(time(args[0], 1)) < 0),
  After: (t, args) => (arity(args, 1), t.compare(time(args[0], 1)) > 0),
  Equal: (t, args) => (arity(args, 1), t.compare(time(args[0], 1)) === 0),
  Compare: (t, args) => (arity(args, 1), t.compare(time(args[0], 1))),
  IsZero: (t, args) => (arity(args, 0), t.isZero()),
  Truncate: (t, args) => (arity(args, 1), t.roundTo(duration(args[0], 1), 'truncate')),
  Round: (t, args) => (arity(args, 1), t.roundTo(duration(args[0], 1), 'round')),
};

const SECOND = 1_000_000_000n;
const MINUTE = 60n * SECOND;
const HOUR = 60n * MINUTE;

// float64(d / unit) + float64(d % unit) / unit, as Go's Duration.Seconds / Minutes / Hours.
function inUnits(d: GoDuration, unit: bigint): number {
  return Number(d.nanoseconds / unit) + Number(d.nanoseconds % unit) / Number(unit);
}

const DURATION_METHODS: Readonly<Record<string, (d: GoDuration, args: unknown[]) => unknown>> = {
  Hours: (d, args) => (arity(args, 0), inUnits(d, HOUR)),
  Minutes: (d, args) => (arity(args, 0), inUnits(d, MINUTE)),
  Seconds: (d, args) => (arity(args, 0), inUnits(d, SECOND)),
  Milliseconds: (d, args) => (arity(args, 0), Number(d.nanoseconds / 1_000_000n)),
  Microseconds: (d, args) => (arity(args, 0), Number(d.nanoseconds / 1000n)),
  Nanoseconds: (d, args) => (arity(args, 0), Number(d.nanoseconds)),
  String: (d, args) => (arity(args, 0), d.toString()),
  Abs: (d, args) => {
    arity(args, 0);
    if (d.nanoseconds >= 0n) return d;
    return new GoDuration(d.nanoseconds === -(1n << 63n) ? (1n << 63n) - 1n : -d.nanoseconds);
  },
  Round: (d, args) => (arity(args, 1), roundDuration(d, duration(args[0], 1), 'round')),
  Truncate: (d, args) => (arity(args, 1), roundDuration(d, duration(args[0], 1), 'truncate')),
};

/** The method `name` of a time or duration value, bound to it; `undefined` if it has none. */
export function timeMethod(object: unknown, name: string): BuiltinFunction | undefined {
  if (object instanceof GoTime && Object.hasOwn(TIME_METHODS, name)) return (...args) => TIME_METHODS[name]!(object, args);
  if (object instanceof GoDuration && Object.hasOwn(DURATION_METHODS, name)) return (...args) => DURATION_METHODS[name]!(object, args);
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Operators (expr-lang's runtime helpers for time.Time and time.Duration).

/** What `timeOperation` returns when the operands are not times or durations it combines. */
export const NOT_TIME = Symbol('not a time operation');

/**
 * expr-lang's operators on times and durations: comparisons of two times or two durations,
 * `time ± duration`, `time - time` (a duration), `duration ± duration`, `duration * int`.
 */
export function timeOperation(operator: string, left: unknown, right: unknown): unknown {
  const [lt, rt] = [left instanceof GoTime, right instanceof GoTime];
  const [ld, rd] = [left instanceof GoDuration, right instanceof GoDuration];
  if (!(lt || rt || ld || rd)) return NOT_TIME;
  const integer = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
  switch (operator) {
    case '<':
    case '>':
    case '<=':
    case '>=': {
      let order: number;
      if (lt && rt) order = (left as GoTime).compare(right as GoTime);
      else if (ld && rd) order = Math.sign(Number((left as GoDuration).nanoseconds - (right as GoDuration).nanoseconds));
      else return NOT_TIME;
      return operator === '<' ? order < 0 : operator === '>' ? order > 0 : operator === '<=' ? order <= 0 : order >= 0;
    }
    case '+':
      if (lt && rd) return (left as GoTime).add(right as GoDuration);
      if (ld && rt) return (right as GoTime).add(left as GoDuration);
      if (ld && rd) return new GoDuration((left as GoDuration).nanoseconds + (right as GoDuration).nanoseconds);
      return NOT_TIME;
    case '-':
      if (lt && rt) return (left as GoTime).sub(right as GoTime);
      if (lt && rd) return (left as GoTime).add(new GoDuration(-(right as GoDuration).nanoseconds));
      if (ld && rd) return new GoDuration((left as GoDuration).nanoseconds - (right as GoDuration).nanoseconds);
      return NOT_TIME;
    case '*':
      if (ld && rd) return new GoDuration((left as GoDuration).nanoseconds * (right as GoDuration).nanoseconds);
      if (ld && integer(right)) return new GoDuration((left as GoDuration).nanoseconds * BigInt(right));
      if (rd && integer(left)) return new GoDuration(BigInt(left) * (right as GoDuration).nanoseconds);
      if (ld && typeof right === 'number') return Number((left as GoDuration).nanoseconds) * right;
      if (rd && typeof left === 'number') return left * Number((right as GoDuration).nanoseconds);
      return NOT_TIME;
  }
  return NOT_TIME;
}
