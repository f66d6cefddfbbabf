import { clockOf, type GoInstant, type GoLocation, goDate, LOCAL, UTC, ZERO_TIME_SECONDS } from './go-calendar.js';
import { formatGoTime } from './go-time-format.js';
import { goTimeQuote } from './go-time-parse.js';

/**
 * The time values expressions compute with, as Go's `time.Time` and `time.Duration`: what
 * expr-lang's `now()`, `date()` and `duration()` return and sprig's date functions take. Pure.
 */

const NANOS = 1_000_000_000n;
const MAX_INT64 = (1n << 63n) - 1n;
const MIN_INT64 = -(1n << 63n);

/** Go's `time.Duration`: a signed 64-bit count of nanoseconds (arithmetic wraps as Go's does). */
export class GoDuration {
  readonly nanoseconds: bigint;
  constructor(nanoseconds: bigint) {
    this.nanoseconds = BigInt.asIntN(64, nanoseconds);
  }

  /** Go's `Duration.String()`: `1h2m3.5s`, `1.5ms`, `0s`. */
  toString(): string {
    return formatGoDuration(this.nanoseconds);
  }
}

/** Go's `time.Time`: an instant with nanoseconds, seen from a location. */
export class GoTime implements GoInstant {
  constructor(
    readonly seconds: number,
    readonly nanos: number,
    readonly location: GoLocation = UTC,
  ) {}

  static fromInstant(t: GoInstant): GoTime {
    return t instanceof GoTime ? t : new GoTime(t.seconds, t.nanos, t.location);
  }

  /** A JavaScript time (Date or epoch milliseconds) as a Go time in Local. */
  static fromMillis(ms: number): GoTime {
    const seconds = Math.floor(ms / 1000);
    return new GoTime(seconds, Math.min(999_999_999, Math.floor((ms - seconds * 1000) * 1e6)), LOCAL);
  }

  /** Go's `time.Unix(sec, 0)`, in Local. */
  static unix(seconds: number): GoTime {
    return new GoTime(seconds, 0, LOCAL);
  }

  static readonly ZERO = new GoTime(ZERO_TIME_SECONDS, 0, UTC);

  /** Nanoseconds since the Unix epoch, exactly. */
  get unixNanos(): bigint {
    return BigInt(this.seconds) * NANOS + BigInt(this.nanos);
  }

  static fromUnixNanos(nanos: bigint, location: GoLocation): GoTime {
    let seconds = nanos / NANOS;
    let rest = nanos % NANOS;
    if (rest < 0n) {
      rest += NANOS;
      seconds -= 1n;
    }
    return new GoTime(Number(seconds), Number(rest), location);
  }

  format(layout: string): string {
    return formatGoTime(layout, this);
  }

  in(location: GoLocation): GoTime {
    return new GoTime(this.seconds, this.nanos, location);
  }

  add(d: GoDuration): GoTime {
    return GoTime.fromUnixNanos(this.unixNanos + d.nanoseconds, this.location);
  }

  /** Go's `Time.Sub`: saturates at the largest and smallest durations. */
  sub(u: GoTime): GoDuration {
    const d = this.unixNanos - u.unixNanos;
    return new GoDuration(d > MAX_INT64 ? MAX_INT64 : d < MIN_INT64 ? MIN_INT64 : d);
  }

  compare(u: GoTime): number {
    const [a, b] = [this.unixNanos, u.unixNanos];
    return a < b ? -1 : a > b ? 1 : 0;
  }

  isZero(): boolean {
    return this.seconds === ZERO_TIME_SECONDS && this.nanos === 0;
  }

  /** Go's `Time.AddDate`: fields added, then normalised (Oct 31 + 1 month is Dec 1). */
  addDate(years: number, months: number, days: number): GoTime {
    const c = clockOf(this);
    const t = goDate(c.year + years, c.month + months, c.day + days, c.hour, c.minute, c.second, c.nanos, this.location);
    return GoTime.fromInstant(t);
  }

  /** Go's `Time.Truncate` / `Round`: multiples of `d` since the zero time (not the Unix epoch). */
  roundTo(d: GoDuration, mode: 'truncate' | 'round'): GoTime {
    if (d.nanoseconds <= 0n) return this;
    const sinceZero = this.unixNanos - BigInt(ZERO_TIME_SECONDS) * NANOS;
    const remainder = ((sinceZero % d.nanoseconds) + d.nanoseconds) % d.nanoseconds;
    let rounded = this.unixNanos - remainder;
    if (mode === 'round' && remainder + remainder >= d.nanoseconds) rounded += d.nanoseconds;
    return GoTime.fromUnixNanos(rounded, this.location);
  }

  /** Go's `Time.String()`: `2006-01-02 15:04:05.999999999 -0700 MST`. */
  toString(): string {
    return this.format('2006-01-02 15:04:05.999999999 -0700 MST');
  }

  /** Go's `Time.MarshalJSON`: RFC 3339 with nanoseconds, for years 0 to 9999. */
  toJSON(): string {
    const year = clockOf(this).year;
    if (year < 0 || year > 9999) throw new Error('Time.MarshalJSON: year outside of range [0,9999]');
    return this.format('2006-01-02T15:04:05.999999999Z07:00');
  }
}

// ---------------------------------------------------------------------------------------------
// Durations.

const UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1000n,
  µs: 1000n,
  μs: 1000n,
  ms: 1_000_000n,
  s: NANOS,
  m: 60n * NANOS,
  h: 3600n * NANOS,
};

/**
 * Go's `time.ParseDuration`: a sequence of decimal numbers with units (`ns`, `us`/`µs`, `ms`, `s`,
 * `m`, `h`), e.g. `1h30m`, `-1.5h`, `300ms`. Throws Go's `time: invalid duration "..."` errors.
 */
export function parseGoDuration(text: string): GoDuration {
  const invalid = (): never => {
    throw new Error(`time: invalid duration ${goTimeQuote(text)}`);
  };
  let s = text;
  let negative = false;
  if (s[0] === '-' || s[0] === '+') {
    negative = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return new GoDuration(0n);
  if (s === '') invalid();
  const limit = 1n << 63n;
  let total = 0n;
  while (s !== '') {
    if (!/^[0-9.]/.test(s)) invalid();
    // The integer part; overflow is an error.
    const whole = /^[0-9]*/.exec(s)![0];
    s = s.slice(whole.length);
    let v = 0n;
    for (const digit of whole) {
      if (v > limit / 10n) invalid();
      v = v * 10n + BigInt(digit);
      if (v > limit) invalid();
    }
    // The fraction: digits past int64's precision are dropped.
    let f = 0n;
    let scale = 1;
    let fraction = false;
    if (s[0] === '.') {
      const digits = /^[0-9]*/.exec(s.slice(1))![0];
      s = s.slice(1 + digits.length);
      fraction = digits.length > 0;
      let overflow = false;
      for (const digit of digits) {
        if (overflow) continue;
        if (f > MAX_INT64 / 10n) {
          overflow = true;
          continue;
        }
        const y = f * 10n + BigInt(digit);
        if (y > limit) {
          overflow = true;
          continue;
        }
        f = y;
        scale *= 10;
      }
    }
    if (whole === '' && !fraction) invalid();
    const unitText = /^[^0-9.]*/.exec(s)![0];
    if (unitText === '') throw new Error(`time: missing unit in duration ${goTimeQuote(text)}`);
    s = s.slice(unitText.length);
    const unit = UNITS[unitText];
    if (unit === undefined || !Object.hasOwn(UNITS, unitText)) throw new Error(`time: unknown unit ${goTimeQuote(unitText)} in duration ${goTimeQuote(text)}`);
    if (v > limit / unit) invalid();
    v *= unit;
    if (f > 0n) {
      // float64, as Go: nanosecond-accurate for fractions of an hour.
      v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
      if (v > limit) invalid();
    }
    total += v;
    if (total > limit) invalid();
  }
  if (negative) return new GoDuration(-total);
  if (total > MAX_INT64) invalid();
  return new GoDuration(total);
}

// Go's fmtFrac: the fraction of v / 10^precision without trailing zeros, and the integer part.
function fraction(v: bigint, precision: number): [string, bigint] {
  let digits = '';
  let print = false;
  for (let i = 0; i < precision; i++) {
    const digit = v % 10n;
    print ||= digit !== 0n;
    if (print) digits = `${digit}${digits}`;
    v /= 10n;
  }
  return [print ? `.${digits}` : '', v];
}

/** Go's `Duration.String()` of a nanosecond count. */
export function formatGoDuration(nanoseconds: bigint): string {
  const negative = nanoseconds < 0n;
  let u = negative ? -nanoseconds : nanoseconds;
  let out: string;
  if (u < NANOS) {
    if (u === 0n) return '0s';
    const [unit, precision] = u < 1000n ? ['ns', 0] : u < 1_000_000n ? ['µs', 3] : ['ms', 6];
    const [frac, whole] = fraction(u, precision as number);
    out = `${whole}${frac}${unit}`;
  } else {
    const [frac, seconds] = fraction(u, 9);
    u = seconds;
    out = `${u % 60n}${frac}s`;
    u /= 60n;
    if (u > 0n) {
      out = `${u % 60n}m${out}`;
      u /= 60n;
      if (u > 0n) out = `${u}h${out}`;
    }
  }
  return negative ? `-${out}` : out;
}

/** Go's `Duration.Round` / `Truncate` (m <= 0 leaves it unchanged; rounding saturates). */
export function roundDuration(d: GoDuration, m: GoDuration, mode: 'truncate' | 'round'): GoDuration {
  const [n, step] = [d.nanoseconds, m.nanoseconds];
  if (step <= 0n) return d;
  const r = n % step;
  if (mode === 'truncate') return new GoDuration(n - r);
  if (n < 0n) {
    const neg = -r;
    if (neg + neg < step) return new GoDuration(n + neg);
    const rounded = n - step + neg;
    return new GoDuration(rounded >= MIN_INT64 ? rounded : MIN_INT64);
  }
  if (r + r < step) return new GoDuration(n - r);
  const rounded = n + step - r;
  return new GoDuration(rounded <= MAX_INT64 ? rounded : MAX_INT64);
}
