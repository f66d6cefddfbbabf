/**
 * Go's calendar and time zones, as the `time` package keeps them: `*time.Location`, instants, civil
 * dates, wall clocks. Pure: no clock. Skiff's `time.Local` is UTC, as in a controller container
 * without a TZ setting.
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

export const SECONDS_PER_DAY = 86_400;
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

export const DAYS_BEFORE = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];

export function daysIn(month: number, year: number): number {
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
    year,
    month,
    day,
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
// Locations.

const ianaCache = new Map<string, GoLocation | undefined>();
const ABBREVIATION_LOCALES = ['en-US', 'en-GB'];

function ianaLocation(name: string): GoLocation | undefined {
  let wall: Intl.DateTimeFormat;
  try {
    wall = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
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
    const yearValue = Number(parts.year);
    const fullYear = parts.era === 'BC' || parts.era === 'B' ? 1 - yearValue : yearValue;
    const asUtc =
      daysFromCivil(fullYear, Number(parts.month), Number(parts.day)) * SECONDS_PER_DAY +
      Number(parts.hour) * 3600 +
      Number(parts.minute) * 60 +
      Number(parts.second);
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

/** Go's appendInt: `-` for negatives, then at least `width` digits. */
export function pad(value: number, width: number): string {
  const digits = String(Math.abs(value)).padStart(width, '0');
  return value < 0 ? `-${digits}` : digits;
}
