import { createHash } from 'node:crypto';
import { arr, type BuiltinFunction, int, map, str } from './builtin-arguments.js';
import { goParseFloat, goSplit } from './go-strings.js';
import { goReplaceAll, compileGoRegexp } from './go-regexp.js';
import { deepEqual, goJson, goString, isPlainMap, type PlainMap, setOwn } from './go-values.js';

/**
 * The sprig functions (Masterminds/sprig v3 `GenericFuncMap`) reachable as `sprig.name(...)` in
 * Argo expressions, minus randomness, crypto keys, network and environment access, which would
 * make evaluation impure. The date functions, which read the caller's clock, are in
 * time-functions.ts. Argument order is sprig's (`sprig.contains(needle, haystack)`).
 */

/** spf13/cast `ToInt64` as sprig uses it: unparseable input is 0, never an error. */
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

/** spf13/cast `ToFloat64`: unparseable input is 0. */
export function castFloat(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string') return goParseFloat(value) ?? 0;
  return 0;
}

/** sprig's `empty`: nil, false, 0, "" and empty collections. */
export function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (isPlainMap(value)) return Object.keys(value).length === 0;
  return false;
}

/** sprig's `strslice`: a list of strings, nils dropped. */
function strings(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v) => v !== null && v !== undefined).map(goString);
  return value === null || value === undefined ? [] : [goString(value)];
}

// Go's %q: a double-quoted string with Go escapes; JSON's escaping matches for printable text.
function goQuote(text: string): string {
  return JSON.stringify(text).replace(/\\u([0-9a-f]{4})/g, (whole, hex: string) => {
    const code = parseInt(hex, 16);
    return code === 0x7f || code < 0x20 ? `\\x${hex.slice(2)}` : whole;
  });
}

function base64Decode(text: string): string {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
    const bad = text.search(/[^A-Za-z0-9+/=]/);
    return `illegal base64 data at input byte ${bad < 0 ? Math.floor(text.length / 4) * 4 : bad}`;
  }
  return Buffer.from(text, 'base64').toString('utf8');
}

function hash(algorithm: string): BuiltinFunction {
  return (text) => createHash(algorithm).update(str(text, 1)).digest('hex');
}

function path(kind: 'base' | 'dir' | 'ext'): BuiltinFunction {
  return (value) => {
    const text = str(value, 1);
    const trimmed = text.replace(/\/+$/, '');
    if (kind === 'ext') return /\.[^./]*$/.exec(text)?.[0] ?? '';
    if (kind === 'base') return text === '' ? '.' : trimmed === '' ? '/' : trimmed.slice(trimmed.lastIndexOf('/') + 1);
    const slash = text.lastIndexOf('/');
    return slash < 0 ? '.' : text.slice(0, slash).replace(/\/+$/, '') || '/';
  };
}

export const SPRIG_FUNCTIONS: Readonly<Record<string, BuiltinFunction>> = {
  toString: (v: unknown) => goString(v),
  toStrings: (v) => strings(v),
  trim: (s) => str(s, 1).trim(),
  trimAll: (cutset, s) => (str(cutset, 1) === '' ? str(s, 2) : str(s, 2).replace(new RegExp(`^[${escapeClass(str(cutset, 1))}]+|[${escapeClass(str(cutset, 1))}]+$`, 'gu'), '')),
  trimPrefix: (prefix, s) => (str(s, 2).startsWith(str(prefix, 1)) ? str(s, 2).slice(str(prefix, 1).length) : str(s, 2)),
  trimSuffix: (suffix, s) => (str(suffix, 1) !== '' && str(s, 2).endsWith(str(suffix, 1)) ? str(s, 2).slice(0, -str(suffix, 1).length) : str(s, 2)),
  upper: (s) => str(s, 1).toUpperCase(),
  lower: (s) => str(s, 1).toLowerCase(),
  title: (s) => str(s, 1).replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_m, before: string, letter: string) => before + letter.toUpperCase()),
  nospace: (s) => str(s, 1).replace(/\s+/g, ''),
  trunc: (n, s) => (int(n, 1) >= 0 ? str(s, 2).slice(0, int(n, 1)) : str(s, 2).slice(int(n, 1))),
  substr: (start, end, s) => {
    const text = str(s, 3);
    const [from, to] = [int(start, 1), int(end, 2)];
    if (from < 0) return text.slice(0, to);
    if (to < 0 || to > text.length) return text.slice(from);
    return text.slice(from, to);
  },
  repeat: (n, s) => str(s, 2).repeat(Math.max(0, Math.min(int(n, 1), 100_000))),
  replace: (old, replacement, src) => str(src, 3).split(str(old, 1)).join(str(replacement, 2)),
  contains: (needle, haystack) => str(haystack, 2).includes(str(needle, 1)),
  hasPrefix: (prefix, s) => str(s, 2).startsWith(str(prefix, 1)),
  hasSuffix: (suffix, s) => str(s, 2).endsWith(str(suffix, 1)),
  quote: (...values) => values.filter((v) => v !== null && v !== undefined).map((v) => goQuote(goString(v))).join(' '),
  squote: (...values) => values.filter((v) => v !== null && v !== undefined).map((v) => `'${goString(v)}'`).join(' '),
  cat: (...values) => values.filter((v) => v !== null && v !== undefined).map(goString).join(' '),
  default: (fallback, ...given) => (given.length === 0 || isEmpty(given[0]) ? fallback : given[0]),
  empty: (v) => isEmpty(v),
  coalesce: (...values) => values.find((v) => !isEmpty(v)) ?? null,
  ternary: (ifTrue, ifFalse, condition) => {
    if (typeof condition !== 'boolean') throw new Error('argument 3 must be a bool');
    return condition ? ifTrue : ifFalse;
  },
  atoi: (s) => (/^[+-]?[0-9]+$/.test(str(s, 1)) ? Number(s) : 0),
  int: (v) => castInt(v),
  int64: (v) => castInt(v),
  float64: (v) => castFloat(v),
  add: (...values) => values.reduce<number>((sum, v) => sum + castInt(v), 0),
  add1: (v) => castInt(v) + 1,
  sub: (a, b) => castInt(a) - castInt(b),
  mul: (a, ...rest) => rest.reduce<number>((product, v) => product * castInt(v), castInt(a)),
  div: (a, b) => {
    if (castInt(b) === 0) throw new Error('integer divide by zero');
    return Math.trunc(castInt(a) / castInt(b));
  },
  mod: (a, b) => {
    if (castInt(b) === 0) throw new Error('integer divide by zero');
    return castInt(a) % castInt(b);
  },
  max: (a, ...rest) => Math.max(castInt(a), ...rest.map(castInt)),
  min: (a, ...rest) => Math.min(castInt(a), ...rest.map(castInt)),
  biggest: (a, ...rest) => Math.max(castInt(a), ...rest.map(castInt)),
  until: (n) => Array.from({ length: Math.min(Math.abs(int(n, 1)), 100_000) }, (_, i) => (int(n, 1) < 0 ? -i : i)),
  list: (...values) => values,
  tuple: (...values) => values,
  dict: (...pairs) => {
    const out: PlainMap = {};
    for (let i = 0; i < pairs.length; i += 2) setOwn(out, goString(pairs[i]), i + 1 < pairs.length ? pairs[i + 1] : '');
    return out;
  },
  get: (d, key) => (Object.hasOwn(map(d, 1), str(key, 2)) ? map(d, 1)[str(key, 2)] : ''),
  hasKey: (d, key) => Object.hasOwn(map(d, 1), str(key, 2)),
  keys: (...dicts) => [...new Set(dicts.flatMap((d, i) => Object.keys(map(d, i + 1))))].sort(),
  values: (d) => Object.keys(map(d, 1)).sort().map((k) => map(d, 1)[k]),
  has: (needle, haystack) => (haystack === null || haystack === undefined ? false : arr(haystack, 2).some((v) => deepEqual(v, needle))),
  first: (list) => arr(list, 1)[0] ?? null,
  last: (list) => arr(list, 1)[arr(list, 1).length - 1] ?? null,
  rest: (list) => arr(list, 1).slice(1),
  initial: (list) => arr(list, 1).slice(0, -1),
  append: (list, v) => [...arr(list, 1), v],
  push: (list, v) => [...arr(list, 1), v],
  prepend: (list, v) => [v, ...arr(list, 1)],
  concat: (...lists) => lists.flatMap((l, i) => arr(l, i + 1)),
  reverse: (list) => [...arr(list, 1)].reverse(),
  uniq: (list) => arr(list, 1).filter((v, i, all) => all.findIndex((w) => deepEqual(v, w)) === i),
  without: (list, ...omit) => arr(list, 1).filter((v) => !omit.some((o) => deepEqual(o, v))),
  compact: (list) => arr(list, 1).filter((v) => !isEmpty(v)),
  sortAlpha: (list) => strings(list).sort(),
  join: (separator, list) => strings(list).join(str(separator, 1)),
  split: (separator, s) => Object.fromEntries(goSplit(str(s, 2), str(separator, 1)).map((part, i) => [`_${i}`, part])),
  splitList: (separator, s) => goSplit(str(s, 2), str(separator, 1)),
  splitn: (separator, n, s) => Object.fromEntries(goSplit(str(s, 3), str(separator, 1), int(n, 2)).map((part, i) => [`_${i}`, part])),
  regexMatch: (pattern, s) => compileGoRegexp(str(pattern, 1)).test(str(s, 2)),
  regexFind: (pattern, s) => compileGoRegexp(str(pattern, 1)).exec(str(s, 2))?.[0] ?? '',
  regexFindAll: (pattern, s, n) => {
    const found = [...str(s, 2).matchAll(compileGoRegexp(str(pattern, 1), true))].map((m) => m[0]);
    return int(n, 3) < 0 ? found : found.slice(0, int(n, 3));
  },
  regexReplaceAll: (pattern, s, replacement) => goReplaceAll(str(pattern, 1), str(s, 2), str(replacement, 3)),
  regexReplaceAllLiteral: (pattern, s, replacement) => goReplaceAll(str(pattern, 1), str(s, 2), str(replacement, 3), true),
  regexSplit: (pattern, s, n) => {
    const parts = str(s, 2).split(compileGoRegexp(str(pattern, 1), true));
    return int(n, 3) < 0 ? parts : parts.slice(0, int(n, 3));
  },
  regexQuoteMeta: (s) => str(s, 1).replace(/[\\.+*?()|[\]{}^$]/g, '\\$&'),
  b64enc: (s) => Buffer.from(str(s, 1), 'utf8').toString('base64'),
  b64dec: (s) => base64Decode(str(s, 1)),
  toJson: (v) => goJson(v),
  toPrettyJson: (v) => goJson(v, '  '),
  toRawJson: (v) => goJson(v).replace(/\\u003c/g, '<').replace(/\\u003e/g, '>').replace(/\\u0026/g, '&'),
  fromJson: (s) => {
    try {
      return JSON.parse(str(s, 1)) as unknown;
    } catch {
      return null;
    }
  },
  sha1sum: hash('sha1'),
  sha256sum: hash('sha256'),
  base: path('base'),
  dir: path('dir'),
  ext: path('ext'),
};

function escapeClass(chars: string): string {
  return chars.replace(/[\\\]^-]/g, '\\$&');
}
