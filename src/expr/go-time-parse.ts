/**
 * Go's `time.Parse` / `ParseInLocation`: the same layouts as formatting, Go's range checks and its
 * error messages word for word, the fractional second a layout without one still accepts. Pure.
 */
import { DAYS_BEFORE, daysIn, fixedZone, goDate, type GoInstant, type GoLocation, isLeapYear, SECONDS_PER_DAY, UTC } from './go-calendar.js';
import { LONG_DAYS, LONG_MONTHS, SHORT_DAYS, SHORT_MONTHS } from './go-time-format.js';
import { isDigitAt, nextChunk } from './go-time-layout.js';

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
        case 'Jan':
        case 'January':
          [month, value] = lookupName(chunk.std === 'Jan' ? SHORT_MONTHS : LONG_MONTHS, value);
          month++;
          break;
        case '1':
        case '01':
          [month, value] = getNumber(value, chunk.std === '01');
          if (month <= 0 || month > 12) range = 'month';
          break;
        case 'Mon':
        case 'Monday':
          // The weekday is checked for spelling only.
          [, value] = lookupName(chunk.std === 'Mon' ? SHORT_DAYS : LONG_DAYS, value);
          break;
        case '2':
        case '_2':
        case '02':
          if (chunk.std === '_2' && value[0] === ' ') value = value.slice(1);
          [day, value] = getNumber(value, chunk.std === '02');
          break;
        case '__2':
        case '002':
          for (let i = 0; i < 2; i++) if (chunk.std === '__2' && value[0] === ' ') value = value.slice(1);
          [yearDay, value] = getNumber(value, chunk.std === '002', 3);
          break;
        case '15':
          [hour, value] = getNumber(value, false);
          if (hour < 0 || hour >= 24) range = 'hour';
          break;
        case '3':
        case '03':
          [hour, value] = getNumber(value, chunk.std === '03');
          if (hour < 0 || hour > 12) range = 'hour';
          break;
        case '4':
        case '04':
          [minute, value] = getNumber(value, chunk.std === '04');
          if (minute < 0 || minute >= 60) range = 'minute';
          break;
        case '5':
        case '05': {
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
        case 'PM':
        case 'pm': {
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
