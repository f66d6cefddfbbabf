/**
 * Go's `Time.Format` with the reference time `Mon Jan 2 15:04:05 MST 2006`: `Z07:00` prints `Z` for
 * UTC, `.000` keeps trailing zeros and `.999` drops them, and so on. Pure.
 */
import { clockOf, type GoInstant, pad } from './go-calendar.js';
import { nextChunk, type StdCode } from './go-time-layout.js';

// ---------------------------------------------------------------------------------------------
// Formatting.

export const LONG_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
export const LONG_MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
export const SHORT_DAYS = LONG_DAYS.map((d) => d.slice(0, 3));
export const SHORT_MONTHS = LONG_MONTHS.map((m) => m.slice(0, 3));

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
      case '2006':
        out += pad(c.year, 4);
        break;
      case '06':
        out += pad(c.year % 100, 2);
        break;
      case 'Jan':
        out += SHORT_MONTHS[c.month - 1];
        break;
      case 'January':
        out += LONG_MONTHS[c.month - 1];
        break;
      case '1':
        out += String(c.month);
        break;
      case '01':
        out += pad(c.month, 2);
        break;
      case 'Mon':
        out += SHORT_DAYS[c.weekday];
        break;
      case 'Monday':
        out += LONG_DAYS[c.weekday];
        break;
      case '2':
        out += String(c.day);
        break;
      case '_2':
        out += String(c.day).padStart(2, ' ');
        break;
      case '02':
        out += pad(c.day, 2);
        break;
      case '__2':
        out += String(c.yearDay).padStart(3, ' ');
        break;
      case '002':
        out += pad(c.yearDay, 3);
        break;
      case '15':
        out += pad(c.hour, 2);
        break;
      case '3':
        out += String(hour12);
        break;
      case '03':
        out += pad(hour12, 2);
        break;
      case '4':
        out += String(c.minute);
        break;
      case '04':
        out += pad(c.minute, 2);
        break;
      case '5':
        out += String(c.second);
        break;
      case '05':
        out += pad(c.second, 2);
        break;
      case 'PM':
        out += c.hour >= 12 ? 'PM' : 'AM';
        break;
      case 'pm':
        out += c.hour >= 12 ? 'pm' : 'am';
        break;
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
      case 'frac0':
      case 'frac9':
        out += formatNanos(c.nanos, chunk.digits, chunk.separator, chunk.std === 'frac9');
        break;
      default:
        out += formatZone(chunk.std, c.zone.offset);
    }
  }
  return out;
}
