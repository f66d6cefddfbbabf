/**
 * Go's `time` layouts: `Time.Format` and `time.Parse` / `ParseInLocation` with the reference time
 * `Mon Jan 2 15:04:05 MST 2006`, plus the calendar arithmetic and time zones (`*time.Location`)
 * they need. Pure: no clock. Behaviour follows Go's documentation and its layout rules (which
 * letters form a field, `Jan` not followed by a lower-case letter, `.000` vs `.999`, `Z07:00` printing
 * `Z` for UTC, the fractional second a layout without one still accepts, range errors, ...).
 *
 * Skiff's `time.Local` is UTC, as in a controller container without a TZ setting.
 */

/** The zone in effect at one instant: its abbreviation (`CET`, `UTC`, or `""` for a bare offset) and offset east of UTC in seconds. */
export interface GoZone {
  readonly abbreviation: string;
  readonly offset: number;
}

/** A Go `*time.Location`: a named set of zone rules. */
export class GoLocation {
  constructor(
    /** What `Location.String()` prints: `UTC`, `Local`, `Europe/Paris` or a fixed zone's name. */
    readonly name: string,
    /** The zone in effect at a Unix second. */
    readonly lookup: (unixSeconds: number) => GoZone,
  ) {}
}

export const UTC = new GoLocation('UTC', () => ({ abbreviation: 'UTC', offset: 0 }));
/** Go's `time.Local`; in Skiff the local zone is UTC. */
export const LOCAL = new GoLocation('Local', () => ({ abbreviation: 'UTC', offset: 0 }));

/** Go's `time.FixedZone(name, offset)`. */
export function fixedZone(name: string, offset: number): GoLocation {
  const zone = { abbreviation: name, offset };
  return new GoLocation(name, () => zone);
}

/** An instant and where it is seen from: what Go's `time.Time` holds. */
export interface GoInstant {
  /** Whole seconds since 1970-01-01T00:00:00Z (may be negative). */
  readonly seconds: number;
  /** 0..999,999,999. */
  readonly nanos: number;
  readonly location: GoLocation;
}

const SECONDS_PER_DAY = 86_400;
/** Unix second of Go's zero time, 0001-01-01T00:00:00Z. */
export const ZERO_TIME_SECONDS = -62_135_596_800;

// ---------------------------------------------------------------------------------------------
// Calendar (proleptic Gregorian, as Go).

/** Days from 1970-01-01 to the given civil date (month 1-12; day may be out of range, it carries). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** The civil date of a day number (days since 1970-01-01). */
export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

export function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

const DAYS_BEFORE = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];

function daysIn(month: number, year: number): number {
  if (month === 2 && isLeapYear(year)) return 29;
  return DAYS_BEFORE[month]! - DAYS_BEFORE[month - 1]!;
}

/** The wall-clock fields of an instant in its location. */
export interface GoClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  nanos: number;
  /** 0 = Sunday. */
  weekday: number;
  /** 1..366. */
  yearDay: number;
  zone: GoZone;
}

export function clockOf(t: GoInstant): GoClock {
  const zone = t.location.lookup(t.seconds);
  const local = t.seconds + zone.offset;
  const days = Math.floor(local / SECONDS_PER_DAY);
  const secondOfDay = local - days * SECONDS_PER_DAY;
  const { year, month, day } = civilFromDays(days);
  return {
    year, month, day,
    hour: Math.floor(secondOfDay / 3600),
    minute: Math.floor(secondOfDay / 60) % 60,
    second: secondOfDay % 60,
    nanos: t.nanos,
    weekday: (((days + 4) % 7) + 7) % 7,
    yearDay: days - daysFromCivil(year, 1, 1) + 1,
    zone,
  };
}

function norm(hi: number, lo: number, base: number): [number, number] {
  const carry = Math.floor(lo / base);
  return [hi + carry, lo - carry * base];
}

/**
 * Go's `time.Date`: the instant of a wall-clock time in `location`, out-of-range fields carried
 * (month 13 is January of the next year, day 0 the last day of the previous month).
 */
export function goDate(year: number, month: number, day: number, hour: number, minute: number, second: number, nanos: number, location: GoLocation): GoInstant {
  let m = month - 1;
  [year, m] = norm(year, m, 12);
  [second, nanos] = norm(second, nanos, 1e9);
  [minute, second] = norm(minute, second, 60);
  [hour, minute] = norm(hour, minute, 60);
  [day, hour] = norm(day, hour, 24);
  const wall = (daysFromCivil(year, m + 1, 1) + day - 1) * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second;
  // The offset in effect at the wall time read as UTC, corrected once if the result falls under
  // another offset (around a daylight-saving change), as Go does.
  let offset = location.lookup(wall).offset;
  if (offset !== 0) {
    const corrected = location.lookup(wall - offset).offset;
    if (corrected !== offset) offset = corrected;
  }
  return { seconds: wall - offset, nanos, location };
}

// ---------------------------------------------------------------------------------------------
// Layout chunks (Go's nextStdChunk).

type StdCode =
  | 'Jan' | 'January' | '1' | '01' | 'Mon' | 'Monday' | '2' | '_2' | '02' | '__2' | '002'
  | '15' | '3' | '03' | '4' | '04' | '5' | '05' | '2006' | '06' | 'PM' | 'pm' | 'MST'
  | 'Z0700' | 'Z070000' | 'Z07' | 'Z07:00' | 'Z07:00:00'
  | '-0700' | '-070000' | '-07' | '-07:00' | '-07:00:00'
  | 'frac0' | 'frac9';

interface Chunk {
  prefix: string;
  std: StdCode | undefined;
  /** The layout text of the field, for error messages. */
  text: string;
  suffix: string;
  /** Fractional seconds: digits asked for and the separator (`.` or `,`). */
  digits: number;
  separator: string;
}

const ZERO_PAIRS: Record<string, StdCode> = { '1': '01', '2': '02', '3': '03', '4': '04', '5': '05', '6': '06' };
const ZONE_FIELDS: StdCode[] = ['Z070000', 'Z07:00:00', 'Z0700', 'Z07:00', 'Z07'];
const NUM_ZONE_FIELDS: StdCode[] = ['-070000', '-07:00:00', '-0700', '-07:00', '-07'];

function isDigitAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return c >= 48 && c <= 57;
}

function startsWithLower(text: string): boolean {
  const c = text.charCodeAt(0);
  return c >= 97 && c <= 122;
}

function nextChunk(layout: string): Chunk {
  const found = (i: number, std: StdCode, length: number, digits = 0, separator = '.'): Chunk => ({
    prefix: layout.slice(0, i), std, text: layout.slice(i, i + length), suffix: layout.slice(i + length), digits, separator,
  });
  for (let i = 0; i < layout.length; i++) {
    const rest = layout.slice(i);
    switch (layout[i]) {
      case 'J':
        if (rest.startsWith('Jan')) {
          if (rest.startsWith('January')) return found(i, 'January', 7);
          if (!startsWithLower(rest.slice(3))) return found(i, 'Jan', 3);
        }
        break;
      case 'M':
        if (rest.startsWith('Mon')) {
          if (rest.startsWith('Monday')) return found(i, 'Monday', 6);
          if (!startsWithLower(rest.slice(3))) return found(i, 'Mon', 3);
        }
        if (rest.startsWith('MST')) return found(i, 'MST', 3);
        break;
      case '0': {
        const pair = ZERO_PAIRS[rest[1] ?? ''];
        if (pair) return found(i, pair, 2);
        if (rest.startsWith('002')) return found(i, '002', 3);
        break;
      }
      case '1':
        if (rest[1] === '5') return found(i, '15', 2);
        return found(i, '1', 1);
      case '2':
        if (rest.startsWith('2006')) return found(i, '2006', 4);
        return found(i, '2', 1);
      case '_':
        if (rest[1] === '2') {
          // `_2006` is a literal underscore followed by the year.
          if (rest.startsWith('_2006')) return found(i + 1, '2006', 4);
          return found(i, '_2', 2);
        }
        if (rest.startsWith('__2')) return found(i, '__2', 3);
        break;
      case '3':
        return found(i, '3', 1);
      case '4':
        return found(i, '4', 1);
      case '5':
        return found(i, '5', 1);
      case 'P':
        if (rest[1] === 'M') return found(i, 'PM', 2);
        break;
      case 'p':
        if (rest[1] === 'm') return found(i, 'pm', 2);
        break;
      case '-':
        for (const std of NUM_ZONE_FIELDS) if (rest.startsWith(std)) return found(i, std, std.length);
        break;
      case 'Z':
        for (const std of ZONE_FIELDS) if (rest.startsWith(std)) return found(i, std, std.length);
        break;
      case '.': case ',':
        if (rest[1] === '0' || rest[1] === '9') {
          const digit = rest[1];
          let j = 1;
          while (rest[j] === digit) j++;
          // Only a fraction if the run of digits ends here.
          if (!isDigitAt(rest, j)) return found(i, digit === '0' ? 'frac0' : 'frac9', j, j - 1, layout[i]!);
        }
        break;
    }
  }
  return { prefix: layout, std: undefined, text: '', suffix: '', digits: 0, separator: '.' };
}

// ---------------------------------------------------------------------------------------------
// Formatting.

const LONG_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const LONG_MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const SHORT_DAYS = LONG_DAYS.map((d) => d.slice(0, 3));
const SHORT_MONTHS = LONG_MONTHS.map((m) => m.slice(0, 3));

/** Go's appendInt: `-` for negatives, then at least `width` digits. */
function pad(value: number, width: number): string {
  const digits = String(Math.abs(value)).padStart(width, '0');
  return value < 0 ? `-${digits}` : digits;
}

function formatNanos(nanos: number, digits: number, separator: string, trim: boolean): string {
  if (trim && (digits === 0 || nanos === 0)) return '';
  let text = String(nanos).padStart(9, '0').slice(0, Math.min(digits, 9));
  if (trim) text = text.replace(/0+$/, '');
  return text === '' ? '' : separator + text;
}

function formatZone(std: StdCode, offset: number): string {
  const iso = std.startsWith('Z');
  if (iso && offset === 0) return 'Z';
  const kind = std.slice(1);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const minutes = Math.floor(abs / 60);
  let out = sign + pad(Math.floor(minutes / 60), 2);
  if (kind === '07') return out;
  if (kind.includes(':')) out += ':';
  out += pad(minutes % 60, 2);
  if (kind === '070000') out += pad(abs % 60, 2);
  if (kind === '07:00:00') out += `:${pad(abs % 60, 2)}`;
  return out;
}

/**
 * Go's `Time.Format(layout)`.
 *
 * @example
 * formatGoTime('2006-01-02T15:04:05Z07:00', { seconds: 0, nanos: 0, location: UTC }) // '1970-01-01T00:00:00Z'
 */
export function formatGoTime(layout: string, t: GoInstant): string {
  const c = clockOf(t);
  let out = '';
  let rest = layout;
  while (rest !== '') {
    const chunk = nextChunk(rest);
    out += chunk.prefix;
    if (chunk.std === undefined) break;
    rest = chunk.suffix;
    const hour12 = c.hour % 12 === 0 ? 12 : c.hour % 12;
    switch (chunk.std) {
      case '2006': out += pad(c.year, 4); break;
      case '06': out += pad(c.year % 100, 2); break;
      case 'Jan': out += SHORT_MONTHS[c.month - 1]; break;
      case 'January': out += LONG_MONTHS[c.month - 1]; break;
      case '1': out += String(c.month); break;
      case '01': out += pad(c.month, 2); break;
      case 'Mon': out += SHORT_DAYS[c.weekday]; break;
      case 'Monday': out += LONG_DAYS[c.weekday]; break;
      case '2': out += String(c.day); break;
      case '_2': out += String(c.day).padStart(2, ' '); break;
      case '02': out += pad(c.day, 2); break;
      case '__2': out += String(c.yearDay).padStart(3, ' '); break;
      case '002': out += pad(c.yearDay, 3); break;
      case '15': out += pad(c.hour, 2); break;
      case '3': out += String(hour12); break;
      case '03': out += pad(hour12, 2); break;
      case '4': out += String(c.minute); break;
      case '04': out += pad(c.minute, 2); break;
      case '5': out += String(c.second); break;
      case '05': out += pad(c.second, 2); break;
      case 'PM': out += c.hour >= 12 ? 'PM' : 'AM'; break;
      case 'pm': out += c.hour >= 12 ? 'pm' : 'am'; break;
      case 'MST': {
        if (c.zone.abbreviation !== '') {
          out += c.zone.abbreviation;
        } else {
          // No abbreviation: Go prints the offset as -0700.
          const minutes = Math.trunc(c.zone.offset / 60);
          out += (minutes < 0 ? '-' : '+') + pad(Math.floor(Math.abs(minutes) / 60), 2) + pad(Math.abs(minutes) % 60, 2);
        }
        break;
      }
      case 'frac0': case 'frac9':
        out += formatNanos(c.nanos, chunk.digits, chunk.separator, chunk.std === 'frac9');
        break;
      default:
        out += formatZone(chunk.std, c.zone.offset);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Parsing.

/** Go's quoting in time errors: `"` and `\` escaped, bytes outside printable ASCII as `\xNN`. */
export function goTimeQuote(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code >= 0x80 || code < 0x20) {
      for (const byte of Buffer.from(ch, 'utf8')) out += `\\x${byte.toString(16).padStart(2, '0')}`;
    } else {
      if (ch === '"' || ch === '\\') out += '\\';
      out += ch;
    }
  }
  return `${out}"`;
}

class ParseFailure extends Error {}

function parseError(layout: string, value: string, layoutElem: string, valueElem: string, message = ''): Error {
  if (message !== '') return new Error(`parsing time ${goTimeQuote(value)}${message}`);
  return new Error(`parsing time ${goTimeQuote(value)} as ${goTimeQuote(layout)}: cannot parse ${goTimeQuote(valueElem)} as ${goTimeQuote(layoutElem)}`);
}

const BAD = new ParseFailure('bad');

/** Go's getnum: one or two digits (exactly two when `fixed`). */
function getNumber(value: string, fixed: boolean, max = 2): [number, string] {
  if (!isDigitAt(value, 0)) throw BAD;
  let n = 1;
  while (n < max && isDigitAt(value, n)) n++;
  if (fixed && n < max) throw BAD;
  return [Number(value.slice(0, n)), value.slice(n)];
}

/** Go's time-package atoi: optional sign, then digits only. */
function atoi(text: string): number {
  if (!/^[+-]?[0-9]+$/.test(text)) throw BAD;
  return Number(text);
}

function lookupName(table: readonly string[], value: string): [number, string] {
  for (const [i, name] of table.entries()) {
    if (value.length >= name.length && value.slice(0, name.length).toLowerCase() === name.toLowerCase()) return [i, value.slice(name.length)];
  }
  throw BAD;
}

function skipPrefix(value: string, prefix: string): string | undefined {
  while (prefix.length > 0) {
    if (prefix[0] === ' ') {
      if (value.length > 0 && value[0] !== ' ') return undefined;
      prefix = prefix.replace(/^ +/, '');
      value = value.replace(/^ +/, '');
      continue;
    }
    if (value.length === 0 || value[0] !== prefix[0]) return undefined;
    prefix = prefix.slice(1);
    value = value.slice(1);
  }
  return value;
}

function parseNanoseconds(value: string, length: number): number {
  if (value[0] !== '.' && value[0] !== ',') throw BAD;
  const n = Math.min(length, 10);
  const ns = atoi(value.slice(1, n));
  if (ns < 0) throw new ParseFailure('fractional second');
  return ns * 10 ** (10 - n);
}

// Go's parseSignedOffset: a sign and an hour offset below 24; the length used, or 0.
function signedOffsetLength(value: string): number {
  const match = /^[+-]([0-9]+)/.exec(value);
  if (!match || Number(match[1]) > 23) return 0;
  return match[0].length;
}

// Go's parseTimeZone: how much of the value looks like a zone abbreviation, or 0.
function timeZoneLength(value: string): number {
  if (value.length < 3) return 0;
  if (value.startsWith('ChST') || value.startsWith('MeST')) return 4;
  if (value.startsWith('GMT')) return 3 + signedOffsetLength(value.slice(3));
  if (value[0] === '+' || value[0] === '-') return signedOffsetLength(value);
  const upper = /^[A-Z]{0,6}/.exec(value)![0].length;
  if (upper === 5 && value[4] === 'T') return 5;
  if (upper === 4 && (value[3] === 'T' || value.startsWith('WITA'))) return 4;
  if (upper === 3) return 3;
  return 0;
}

// Go's Location.lookupName: the offset a zone abbreviation has in `location` around `unix`.
function offsetOfName(location: GoLocation, name: string, unix: number): number | undefined {
  for (const probe of [unix, unix - 182 * SECONDS_PER_DAY, unix + 182 * SECONDS_PER_DAY]) {
    const zone = location.lookup(probe);
    if (zone.abbreviation === name) return zone.offset;
  }
  return undefined;
}

/**
 * Go's `time.Parse(layout, value)` (`defaultLocation` UTC, `local` Local) or
 * `time.ParseInLocation(layout, value, loc)` (both `loc`). Throws an `Error` with Go's message.
 *
 * @example
 * parseGoTime('2006-01-02', '2024-03-01', UTC, LOCAL).seconds // 1709251200
 */
export function parseGoTime(layout: string, value: string, defaultLocation: GoLocation, local: GoLocation): GoInstant {
  const [fullLayout, fullValue] = [layout, value];
  let year = 0;
  let month = -1;
  let day = -1;
  let yearDay = -1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let nanos = 0;
  let am = false;
  let pm = false;
  let zoneUtc = false;
  let zoneOffset: number | undefined;
  let zoneName = '';

  for (;;) {
    const chunk = nextChunk(layout);
    const skipped = skipPrefix(value, chunk.prefix);
    if (skipped === undefined) throw parseError(fullLayout, fullValue, chunk.prefix, value);
    value = skipped;
    if (chunk.std === undefined) {
      if (value.length !== 0) throw parseError(fullLayout, fullValue, '', value, `: extra text: ${goTimeQuote(value)}`);
      break;
    }
    layout = chunk.suffix;
    const hold = value;
    let range = '';
    try {
      switch (chunk.std) {
        case '06':
          if (value.length < 2) throw BAD;
          year = atoi(value.slice(0, 2));
          value = value.slice(2);
          year += year >= 69 ? 1900 : 2000;
          break;
        case '2006':
          if (value.length < 4 || !isDigitAt(value, 0)) throw BAD;
          year = atoi(value.slice(0, 4));
          value = value.slice(4);
          break;
        case 'Jan': case 'January':
          [month, value] = lookupName(chunk.std === 'Jan' ? SHORT_MONTHS : LONG_MONTHS, value);
          month++;
          break;
        case '1': case '01':
          [month, value] = getNumber(value, chunk.std === '01');
          if (month <= 0 || month > 12) range = 'month';
          break;
        case 'Mon': case 'Monday':
          // The weekday is checked for spelling only.
          [, value] = lookupName(chunk.std === 'Mon' ? SHORT_DAYS : LONG_DAYS, value);
          break;
        case '2': case '_2': case '02':
          if (chunk.std === '_2' && value[0] === ' ') value = value.slice(1);
          [day, value] = getNumber(value, chunk.std === '02');
          break;
        case '__2': case '002':
          for (let i = 0; i < 2; i++) if (chunk.std === '__2' && value[0] === ' ') value = value.slice(1);
          [yearDay, value] = getNumber(value, chunk.std === '002', 3);
          break;
        case '15':
          [hour, value] = getNumber(value, false);
          if (hour < 0 || hour >= 24) range = 'hour';
          break;
        case '3': case '03':
          [hour, value] = getNumber(value, chunk.std === '03');
          if (hour < 0 || hour > 12) range = 'hour';
          break;
        case '4': case '04':
          [minute, value] = getNumber(value, chunk.std === '04');
          if (minute < 0 || minute >= 60) range = 'minute';
          break;
        case '5': case '05': {
          [second, value] = getNumber(value, chunk.std === '05');
          if (second < 0 || second >= 60) {
            range = 'second';
            break;
          }
          // A fractional second in the value that the layout does not ask for is still read.
          if (value.length >= 2 && (value[0] === '.' || value[0] === ',') && isDigitAt(value, 1)) {
            const next = nextChunk(layout).std;
            if (next === 'frac0' || next === 'frac9') break;
            let n = 2;
            while (isDigitAt(value, n)) n++;
            nanos = parseNanoseconds(value, n);
            value = value.slice(n);
          }
          break;
        }
        case 'PM': case 'pm': {
          if (value.length < 2) throw BAD;
          const word = value.slice(0, 2);
          value = value.slice(2);
          const [p, a] = chunk.std === 'PM' ? ['PM', 'AM'] : ['pm', 'am'];
          if (word === p) pm = true;
          else if (word === a) am = true;
          else throw BAD;
          break;
        }
        case 'MST': {
          if (value.startsWith('UTC')) {
            zoneUtc = true;
            value = value.slice(3);
            break;
          }
          const n = timeZoneLength(value);
          if (n === 0) throw BAD;
          zoneName = value.slice(0, n);
          value = value.slice(n);
          break;
        }
        case 'frac0': {
          const n = 1 + chunk.digits;
          if (value.length < n) throw BAD;
          nanos = parseNanoseconds(value, n);
          value = value.slice(n);
          break;
        }
        case 'frac9': {
          if (value.length < 2 || (value[0] !== '.' && value[0] !== ',') || !isDigitAt(value, 1)) break;
          let i = 0;
          while (isDigitAt(value, i + 1)) i++;
          nanos = parseNanoseconds(value, 1 + i);
          value = value.slice(1 + i);
          break;
        }
        default: {
          if (chunk.std.startsWith('Z') && value[0] === 'Z') {
            value = value.slice(1);
            zoneUtc = true;
            break;
          }
          const kind = chunk.std.slice(1);
          let fields: [string, string, string, string];
          if (kind === '07:00') {
            if (value.length < 6 || value[3] !== ':') throw BAD;
            fields = [value[0]!, value.slice(1, 3), value.slice(4, 6), '00'];
            value = value.slice(6);
          } else if (kind === '07') {
            if (value.length < 3) throw BAD;
            fields = [value[0]!, value.slice(1, 3), '00', '00'];
            value = value.slice(3);
          } else if (kind === '07:00:00') {
            if (value.length < 9 || value[3] !== ':' || value[6] !== ':') throw BAD;
            fields = [value[0]!, value.slice(1, 3), value.slice(4, 6), value.slice(7, 9)];
            value = value.slice(9);
          } else if (kind === '070000') {
            if (value.length < 7) throw BAD;
            fields = [value[0]!, value.slice(1, 3), value.slice(3, 5), value.slice(5, 7)];
            value = value.slice(7);
          } else {
            if (value.length < 5) throw BAD;
            fields = [value[0]!, value.slice(1, 3), value.slice(3, 5), '00'];
            value = value.slice(5);
          }
          const [sign, hh, mm, ss] = fields;
          const [h] = getNumber(hh, true);
          const [m] = getNumber(mm, true);
          const [s] = getNumber(ss, true);
          // `>` rather than `>=`: offsets of 24 hours or 60 minutes are written in the wild.
          if (h > 24) range = 'time zone offset hour';
          if (m > 60) range = 'time zone offset minute';
          if (s > 60) range = 'time zone offset second';
          zoneOffset = (h * 60 + m) * 60 + s;
          if (sign === '-') zoneOffset = -zoneOffset;
          else if (sign !== '+') throw BAD;
        }
      }
    } catch (error) {
      if (!(error instanceof ParseFailure)) throw error;
      if (error !== BAD) range = error.message;
      else throw parseError(fullLayout, fullValue, chunk.text, hold);
    }
    if (range !== '') throw parseError(fullLayout, fullValue, chunk.text, value, `: ${range} out of range`);
  }
  if (pm && hour < 12) hour += 12;
  else if (am && hour === 12) hour = 0;

  if (yearDay >= 0) {
    let m = 0;
    let d = 0;
    if (isLeapYear(year)) {
      if (yearDay === 31 + 29) {
        m = 2;
        d = 29;
      } else if (yearDay > 31 + 29) {
        yearDay--;
      }
    }
    if (yearDay < 1 || yearDay > 365) throw parseError(fullLayout, fullValue, '', value, ': day-of-year out of range');
    if (m === 0) {
      m = Math.floor((yearDay - 1) / 31) + 1;
      if (DAYS_BEFORE[m]! < yearDay) m++;
      d = yearDay - DAYS_BEFORE[m - 1]!;
    }
    if (month >= 0 && month !== m) throw parseError(fullLayout, fullValue, '', value, ': day-of-year does not match month');
    month = m;
    if (day >= 0 && day !== d) throw parseError(fullLayout, fullValue, '', value, ': day-of-year does not match day');
    day = d;
  } else {
    if (month < 0) month = 1;
    if (day < 0) day = 1;
  }
  if (day < 1 || day > daysIn(month, year)) throw parseError(fullLayout, fullValue, '', value, ': day out of range');

  if (zoneUtc) return goDate(year, month, day, hour, minute, second, nanos, UTC);
  if (zoneOffset !== undefined) {
    const t = goDate(year, month, day, hour, minute, second, nanos, UTC);
    const seconds = t.seconds - zoneOffset;
    // The local zone if it has this offset then, else a nameless fixed zone.
    const zone = local.lookup(seconds);
    if (zone.offset === zoneOffset && (zoneName === '' || zone.abbreviation === zoneName)) return { seconds, nanos, location: local };
    return { seconds, nanos, location: fixedZone(zoneName, zoneOffset) };
  }
  if (zoneName !== '') {
    const t = goDate(year, month, day, hour, minute, second, nanos, UTC);
    const offset = offsetOfName(local, zoneName, t.seconds);
    if (offset !== undefined) return { seconds: t.seconds - offset, nanos, location: local };
    // An unknown abbreviation: a fixed zone of that name, offset 0 (or GMT±h's hours).
    const gmtHours = zoneName.length > 3 && zoneName.startsWith('GMT') ? Number(zoneName.slice(3)) : 0;
    return { seconds: t.seconds, nanos, location: fixedZone(zoneName, gmtHours * 3600) };
  }
  return goDate(year, month, day, hour, minute, second, nanos, defaultLocation);
}

// ---------------------------------------------------------------------------------------------
// Locations.

const ianaCache = new Map<string, GoLocation | undefined>();
const ABBREVIATION_LOCALES = ['en-US', 'en-GB'];

function ianaLocation(name: string): GoLocation | undefined {
  let wall: Intl.DateTimeFormat;
  try {
    wall = new Intl.DateTimeFormat('en-US', {
      timeZone: name, hourCycle: 'h23', era: 'short',
      year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
  } catch {
    return undefined;
  }
  const resolved = wall.resolvedOptions().timeZone;
  // Go's zone names are file names: case matters (Intl accepts any case).
  if (resolved.toLowerCase() === name.toLowerCase() && resolved !== name) return undefined;
  const namers = ABBREVIATION_LOCALES.map((locale) => new Intl.DateTimeFormat(locale, { timeZone: name, timeZoneName: 'short' }));
  const cache = new Map<number, GoZone>();
  return new GoLocation(name, (unixSeconds) => {
    const cached = cache.get(unixSeconds);
    if (cached) return cached;
    // Intl covers ±8.64e15 ms; beyond that the edge's zone stands in.
    const date = new Date(Math.max(-8.64e15, Math.min(8.64e15, unixSeconds * 1000)));
    const parts: Record<string, string> = {};
    for (const part of wall.formatToParts(date)) parts[part.type] = part.value;
    const yearValue = Number(parts['year']);
    const fullYear = parts['era'] === 'BC' || parts['era'] === 'B' ? 1 - yearValue : yearValue;
    const asUtc = daysFromCivil(fullYear, Number(parts['month']), Number(parts['day'])) * SECONDS_PER_DAY
      + Number(parts['hour']) * 3600 + Number(parts['minute']) * 60 + Number(parts['second']);
    const offset = asUtc - Math.floor(date.getTime() / 1000);
    let abbreviation = '';
    for (const namer of namers) {
      const short = namer.formatToParts(date).find((p) => p.type === 'timeZoneName')?.value ?? '';
      if (/^[A-Z]{2,5}$/.test(short)) {
        abbreviation = short;
        break;
      }
    }
    if (abbreviation === '') {
      // tzdata's numeric abbreviations: +03, +0530.
      const minutes = Math.abs(Math.trunc(offset / 60));
      abbreviation = (offset < 0 ? '-' : '+') + pad(Math.floor(minutes / 60), 2) + (minutes % 60 ? pad(minutes % 60, 2) : '');
    }
    const zone = { abbreviation, offset };
    if (cache.size >= 1000) cache.clear();
    cache.set(unixSeconds, zone);
    return zone;
  });
}

/**
 * Go's `time.LoadLocation`: `""` and `UTC` are UTC, `Local` is Local (UTC in Skiff), other names
 * are IANA zones (through `Intl`). Throws `unknown time zone NAME` for names it does not know.
 */
export function loadLocation(name: string): GoLocation {
  if (name === '' || name === 'UTC') return UTC;
  if (name === 'Local') return LOCAL;
  const bad = (): never => {
    throw new Error(`unknown time zone ${name}`);
  };
  if (/^[+-]|\.\.|^\/|\\/.test(name)) bad();
  if (!ianaCache.has(name)) {
    if (ianaCache.size >= 500) ianaCache.clear();
    ianaCache.set(name, ianaLocation(name));
  }
  return ianaCache.get(name) ?? bad();
}
