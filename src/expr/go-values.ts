/**
 * How Go prints and compares the plain values expressions work on (null, boolean, number, string,
 * arrays, string-keyed maps). Argo's results pass through Go's `encoding/json` and `fmt`, so Skiff
 * must print numbers, maps and special characters exactly as they do.
 *
 * Go keeps integers and floats apart; JavaScript does not. Integral numbers print as Go prints an
 * `int`, others as Go prints a `float64`.
 */

import { GoLocation } from './go-calendar.js';
import { GoDuration, GoTime } from './go-time.js';

export type PlainMap = Record<string, unknown>;

/**
 * The key of a value's Go `String()` method, for values Go prints and marshals as text (a sprig
 * `semver` version): `goString` and `goJson` use it instead of printing the value's fields.
 */
export const GO_STRINGER: unique symbol = Symbol('go-stringer');

function stringerOf(value: unknown): string | undefined {
  const method = typeof value === 'object' && value !== null ? (value as { [GO_STRINGER]?: unknown })[GO_STRINGER] : undefined;
  return typeof method === 'function' ? String(method()) : undefined;
}

/** Go's time values (`time.Time`, `time.Duration`, `*time.Location`): objects, but not maps. */
function isTimeValue(value: unknown): value is GoTime | GoDuration | GoLocation {
  return value instanceof GoTime || value instanceof GoDuration || value instanceof GoLocation;
}

export function isPlainMap(value: unknown): value is PlainMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !isTimeValue(value);
}

/** expr-lang's `type()` names. */
export function typeName(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'function') return 'func';
  if (value instanceof GoTime) return 'time.Time';
  if (value instanceof GoDuration) return 'time.Duration';
  if (value instanceof GoLocation) return '*time.Location';
  return 'map';
}

/** Equality as expr-lang's `==`: numbers by value, arrays and maps deeply, nil only equals nil. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  // Times are equal when they are the same instant (Go's Time.Equal), whatever their zones.
  if (a instanceof GoTime) return b instanceof GoTime && a.compare(b) === 0;
  if (a instanceof GoDuration) return b instanceof GoDuration && a.nanoseconds === b.nanoseconds;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  }
  if (isPlainMap(a) && isPlainMap(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** Go's `strconv.FormatFloat(f, 'g', -1, 64)` as used by `%v`, with Go's two-digit exponent. */
function goFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const exponent = Math.floor(Math.log10(Math.abs(value)));
  // Shortest-form %g: exponent form below 1e-4 and from 1e6 (strconv's eprec = 6).
  if (exponent < -4 || exponent >= 6) {
    const [mantissa, exp] = value.toExponential().split('e') as [string, string];
    const sign = exp.startsWith('-') ? '-' : '+';
    return `${mantissa}e${sign}${exp.replace(/^[+-]/, '').padStart(2, '0')}`;
  }
  return String(value);
}

/**
 * Go's `fmt.Sprintf("%v", value)`: what `string(x)`, sprig's `toString` and govaluate's string
 * concatenation produce.
 *
 * @example
 * goString([1, 'a', null]) // '[1 a <nil>]'
 */
export function goString(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isInteger(value) && Math.abs(value) < 1e21 ? String(value) : goFloat(value);
  if (typeof value === 'boolean') return String(value);
  if (isTimeValue(value)) return value instanceof GoLocation ? value.name : value.toString();
  if (Array.isArray(value)) return `[${value.map(goString).join(' ')}]`;
  const stringer = stringerOf(value);
  if (stringer !== undefined) return stringer;
  if (isPlainMap(value)) {
    return `map[${Object.keys(value)
      .sort()
      .map((k) => `${k}:${goString(value[k])}`)
      .join(' ')}]`;
  }
  return String(value);
}

const HTML_ESCAPES: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };

function jsonString(text: string): string {
  return JSON.stringify(text).replace(/[<>&\u2028\u2029]/g, (c) => HTML_ESCAPES[c]!);
}

/**
 * Go's `json.Marshal` (or `json.MarshalIndent(v, "", indent)`): map keys sorted, `<`, `>` and `&`
 * escaped as `\u003c`-style sequences. Throws on NaN and infinities, as Go does.
 *
 * @example
 * goJson({ b: 1, a: '<x>' }) // '{"a":"\u003cx\u003e","b":1}'
 */
export function goJson(value: unknown, indent = ''): string {
  return marshal(value, indent, '');
}

function marshal(value: unknown, indent: string, prefix: string): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`json: unsupported value: ${goFloat(value)}`);
    return String(value);
  }
  if (typeof value === 'string') return jsonString(value);
  if (value instanceof GoTime) return jsonString(value.toJSON());
  if (value instanceof GoDuration) return String(value.nanoseconds);
  if (value instanceof GoLocation) return '{}';
  const stringer = stringerOf(value);
  if (stringer !== undefined) return jsonString(stringer);
  const inner = prefix + indent;
  const open = indent ? `\n${inner}` : '';
  const close = indent ? `\n${prefix}` : '';
  const separator = indent ? `,\n${inner}` : ',';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[${open}${value.map((v) => marshal(v, indent, inner)).join(separator)}${close}]`;
  }
  if (isPlainMap(value)) {
    const keys = Object.keys(value).sort();
    if (keys.length === 0) return '{}';
    const colon = indent ? ': ' : ':';
    return `{${open}${keys.map((k) => `${jsonString(k)}${colon}${marshal(value[k], indent, inner)}`).join(separator)}${close}}`;
  }
  throw new Error(`json: unsupported type: ${typeof value}`);
}

/**
 * Sets an own property even for keys like `__proto__`, which plain assignment would turn into a
 * prototype change. Workflow authors choose these keys, so they are untrusted.
 */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
