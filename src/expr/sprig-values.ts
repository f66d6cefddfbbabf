import { goParseFloat } from './go-strings.js';
import { GoLocation } from './go-calendar.js';
import { GoDuration, GoTime } from './go-time.js';
import { goString, isPlainMap } from './go-values.js';

/**
 * How sprig sees the values expressions hand it: spf13/cast's lenient conversions, sprig's
 * `empty`, and the names Go's reflection gives (`%T`, `reflect.Kind`), which sprig's type
 * functions and error messages print. Expressions hold ints (integral numbers) and float64s.
 */

/**
 * spf13/cast `ToInt64` as sprig uses it: unparseable input is 0, never an error.
 *
 * @example
 * castInt('0x1F') // 31
 */
export function castInt(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : 0;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value !== 'string') return 0;
  const text = value.replace(/^([+-]?[0-9]+)\.0*$/, '$1');
  const match = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[oO]?[0-7_]+|0[bB][01_]+|[0-9][0-9_]*)$/.exec(text);
  if (!match) return 0;
  let digits = match[2]!.replace(/_/g, '').toLowerCase();
  if (/^0[0-7]+$/.test(digits)) digits = `0o${digits.slice(1)}`;
  const parsed = Number(digits);
  return Number.isNaN(parsed) ? 0 : match[1] === '-' ? -parsed : parsed;
}

/**
 * spf13/cast `ToFloat64`: unparseable input is 0.
 *
 * @example
 * castFloat('2.5') // 2.5
 */
export function castFloat(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string') return goParseFloat(value) ?? 0;
  return 0;
}

/**
 * sprig's `empty`: nil, false, 0, "" and empty collections.
 *
 * @example
 * isEmpty([]) // true
 */
export function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (isPlainMap(value)) return Object.keys(value).length === 0;
  return false;
}

/**
 * sprig's `strslice`: a list of strings, nils dropped; a single value is a list of one.
 *
 * @example
 * stringList([1, null, 'a']) // ['1', 'a']
 */
export function stringList(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v) => v !== null && v !== undefined).map(goString);
  return value === null || value === undefined ? [] : [goString(value)];
}

/**
 * Go's `%T` of a value as expressions hold it.
 *
 * @example
 * goTypeOf([1]) // '[]interface {}'
 */
export function goTypeOf(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float64';
  if (Array.isArray(value)) return '[]interface {}';
  if (value instanceof GoTime) return 'time.Time';
  if (value instanceof GoDuration) return 'time.Duration';
  if (value instanceof GoLocation) return '*time.Location';
  return 'map[string]interface {}';
}

/**
 * Go's `reflect.Kind` name of a value (`invalid` for nil), as sprig's `kindOf` and its "Cannot
 * ... on type" errors print it.
 *
 * @example
 * goKindOf({}) // 'map'
 */
export function goKindOf(value: unknown): string {
  if (value === null || value === undefined) return 'invalid';
  if (Array.isArray(value)) return 'slice';
  if (value instanceof GoTime) return 'struct';
  if (value instanceof GoDuration) return 'int64';
  if (value instanceof GoLocation) return 'ptr';
  const type = goTypeOf(value);
  return type.startsWith('map[') ? 'map' : type;
}

/**
 * The items of a list argument, or sprig's error for anything else.
 *
 * @example
 * listArgument('ab', 'Cannot find first on type') // throws "Cannot find first on type string"
 */
export function listArgument(value: unknown, failure: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`${failure} ${goKindOf(value)}`);
  return value;
}
