import { clockOf, type GoLocation, goDate, loadLocation, UTC } from '../expr/go-calendar.js';
import { parseGoDuration } from '../expr/go-time.js';

/**
 * A CronWorkflow schedule, read as Argo's controller reads it (the standard parser of
 * robfig/cron v3): five fields `minute hour day-of-month month day-of-week`, each a list of
 * `*`, `?`, `N`, `N-M`, with an optional `/step` (`N/step` runs to the field's end); month and
 * weekday names (`jan`, `mon`, any case); the descriptors `@yearly`, `@annually`, `@monthly`,
 * `@weekly`, `@daily`, `@midnight`, `@hourly` and `@every DURATION`; and a `CRON_TZ=Zone ` or
 * `TZ=Zone ` prefix, which is how Argo applies a CronWorkflow's `timezone`.
 */
export interface CronSchedule {
  /** The schedule as written. */
  readonly text: string;
  readonly location: GoLocation;
  /** The first activation strictly after `afterSeconds` (Unix seconds), or undefined if none within five years. */
  next(afterSeconds: number): number | undefined;
}

interface Field {
  readonly min: number;
  readonly max: number;
  readonly names?: Readonly<Record<string, number>>;
}

const MINUTE: Field = { min: 0, max: 59 };
const HOUR: Field = { min: 0, max: 23 };
const DAY_OF_MONTH: Field = { min: 1, max: 31 };
const MONTH: Field = { min: 1, max: 12, names: { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 } };
const DAY_OF_WEEK: Field = { min: 0, max: 6, names: { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 } };

const DESCRIPTORS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** A field's allowed values; `star`: written as `*` or `?` (for the day-of-month/day-of-week rule). */
interface FieldSet {
  readonly values: ReadonlySet<number>;
  readonly star: boolean;
}

/**
 * Parses a schedule; throws an Error whose message says what is wrong and where.
 *
 * @example parseCronSchedule('CRON_TZ=Europe/Paris 30 6 * * mon-fri').next(Date.parse('2024-01-05T06:00:00Z') / 1000)
 *   // the Unix second of 2024-01-08T05:30:00Z (Monday 06:30 in Paris)
 */
export function parseCronSchedule(text: string, defaultLocation: GoLocation = UTC): CronSchedule {
  let spec = text.trim();
  let location = defaultLocation;
  const zone = /^(?:CRON_TZ|TZ)=(\S+)\s+/.exec(spec);
  if (zone) {
    try {
      location = loadLocation(zone[1]!);
    } catch {
      throw new Error(`schedule "${text}": unknown time zone "${zone[1]}"`);
    }
    spec = spec.slice(zone[0].length).trim();
  }
  if (spec === '') throw new Error(`schedule "${text}" is empty`);
  if (spec.startsWith('@every ')) return everySchedule(text, spec.slice('@every '.length).trim(), location);
  const expanded = spec.startsWith('@') ? DESCRIPTORS[spec.toLowerCase()] : spec;
  if (expanded === undefined)
    throw new Error(`schedule "${text}": unknown descriptor "${spec}" (use @yearly, @monthly, @weekly, @daily, @hourly or @every DURATION)`);
  const fields = expanded.split(/\s+/);
  if (fields.length !== 5) throw new Error(`schedule "${text}" has ${fields.length} fields; it needs 5: minute hour day-of-month month day-of-week`);
  const [minute, hour, dayOfMonth, month, dayOfWeek] = fields.map((field, i) =>
    parseField(text, field, [MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK][i]!),
  ) as [FieldSet, FieldSet, FieldSet, FieldSet, FieldSet];
  const dayMatches = (day: number, weekday: number): boolean => {
    const byDate = dayOfMonth.values.has(day);
    const byWeekday = dayOfWeek.values.has(weekday);
    // As cron: with both restricted, either may match; with one left as `*`, both must.
    return dayOfMonth.star || dayOfWeek.star ? byDate && byWeekday : byDate || byWeekday;
  };
  return {
    text,
    location,
    next(afterSeconds) {
      // Walk forward in the schedule's wall clock, jumping whole months, days and hours that
      // cannot match; instants are recomputed from wall-clock fields so DST shifts are honoured.
      let t = Math.floor(afterSeconds / 60) * 60 + 60;
      const limit = afterSeconds + 5 * 366 * 86_400;
      while (t <= limit) {
        const c = clockOf({ seconds: t, nanos: 0, location });
        if (!month.values.has(c.month)) {
          t = goDate(c.year, c.month + 1, 1, 0, 0, 0, 0, location).seconds;
        } else if (!dayMatches(c.day, c.weekday)) {
          const midnight = goDate(c.year, c.month, c.day + 1, 0, 0, 0, 0, location).seconds;
          t = midnight > t ? midnight : t + 3600;
        } else if (!hour.values.has(c.hour)) {
          t += 3600 - c.minute * 60 - c.second;
        } else if (!minute.values.has(c.minute)) {
          t += 60 - c.second;
        } else {
          return t;
        }
      }
      return undefined;
    },
  };
}

function everySchedule(text: string, duration: string, location: GoLocation): CronSchedule {
  let seconds: number;
  try {
    seconds = Math.floor(Number(parseGoDuration(duration).nanoseconds) / 1e9);
  } catch (error) {
    throw new Error(`schedule "${text}": ${(error as Error).message}`);
  }
  // As robfig/cron: a delay under a second is a second.
  const delay = Math.max(1, seconds);
  return { text, location, next: (after) => Math.floor(after) + delay };
}

function parseField(text: string, field: string, bounds: Field): FieldSet {
  const values = new Set<number>();
  let star = false;
  for (const part of field.split(',')) {
    const [range, stepText, extra] = part.split('/');
    if (extra !== undefined || range === undefined || range === '') throw new Error(`schedule "${text}": "${part}" is not a range`);
    let start: number;
    let end: number;
    let partStar = false;
    if (range === '*' || range === '?') {
      [start, end, partStar] = [bounds.min, bounds.max, true];
    } else {
      const [low, high, more] = range.split('-');
      if (more !== undefined) throw new Error(`schedule "${text}": too many hyphens in "${part}"`);
      start = fieldValue(text, low!, bounds);
      end = high === undefined ? (stepText === undefined ? start : bounds.max) : fieldValue(text, high, bounds);
    }
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!/^\d+$/.test(stepText ?? '1') || step === 0) throw new Error(`schedule "${text}": the step in "${part}" must be a positive number`);
    if (start < bounds.min || end > bounds.max) throw new Error(`schedule "${text}": "${part}" is outside ${bounds.min}-${bounds.max}`);
    if (start > end) throw new Error(`schedule "${text}": "${part}" begins after it ends`);
    // `*/2` is a restriction, not a star, for the day rule (robfig/cron clears the star then).
    if (partStar && step === 1) star = true;
    for (let v = start; v <= end; v += step) values.add(v);
  }
  return { values, star };
}

function fieldValue(text: string, written: string, bounds: Field): number {
  const named = bounds.names?.[written.toLowerCase()];
  if (named !== undefined) return named;
  if (!/^\d+$/.test(written)) throw new Error(`schedule "${text}": "${written}" is not a number${bounds.names ? ' or a name' : ''}`);
  return Number(written);
}
