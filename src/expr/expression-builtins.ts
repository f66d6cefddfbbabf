import { arity, arr, type BuiltinFunction, int, map, num, str } from './builtin-arguments.js';
import { goAtoi, goParseFloat, goSplit } from './go-strings.js';
import { deepEqual, goJson, goString, isPlainMap, type PlainMap, setOwn, typeName } from './go-values.js';

function toInt(...args: unknown[]): number {
  arity(args, 1);
  const [value] = args;
  if (typeof value === 'number') return Math.trunc(value);
  if (typeof value === 'string') {
    const parsed = goAtoi(value);
    if (parsed === undefined) throw new Error(`invalid operation: int(${value})`);
    return parsed;
  }
  throw new Error(`invalid operation: int(${typeName(value)})`);
}

function toFloat(...args: unknown[]): number {
  arity(args, 1);
  const [value] = args;
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const parsed = goParseFloat(value);
    if (parsed === undefined) throw new Error(`invalid operation: float(${value})`);
    return parsed;
  }
  throw new Error(`invalid operation: float(${typeName(value)})`);
}

function trimCutset(text: string, cutset: string, start: boolean, end: boolean): string {
  const chars = new Set(Array.from(cutset));
  const runes = Array.from(text);
  let from = 0;
  let to = runes.length;
  while (start && from < to && chars.has(runes[from]!)) from++;
  while (end && to > from && chars.has(runes[to - 1]!)) to--;
  return runes.slice(from, to).join('');
}

function numbersOf(name: string, args: unknown[]): number[] {
  const values = (args.length === 1 && Array.isArray(args[0]) ? args[0] : args).flat(Infinity);
  if (values.length === 0) throw new Error(`${name} of an empty list`);
  return values.map((v, i) => num(v, i + 1));
}

function flattenDeep(items: unknown[], depth = 0): unknown[] {
  if (depth > 100) throw new Error('array is too deeply nested');
  return items.flatMap((item) => (Array.isArray(item) ? flattenDeep(item, depth + 1) : [item]));
}

function sortValues(items: unknown[], order: unknown): unknown[] {
  if (order !== 'asc' && order !== 'desc') throw new Error('order must be "asc" or "desc"');
  const copy = [...items];
  const allNumbers = copy.every((v) => typeof v === 'number');
  const allStrings = copy.every((v) => typeof v === 'string');
  if (!allNumbers && !allStrings) throw new Error('can only sort arrays of numbers or of strings');
  copy.sort((a, b) => (allNumbers ? (a as number) - (b as number) : (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0));
  return order === 'desc' ? copy.reverse() : copy;
}

/**
 * Every function an expression can call by bare name: expr-lang's builtins plus what Argo adds to
 * the environment (util/expr/env): `asInt`, `asFloat`, `toJson` (compact, unlike
 * expr-lang's indented `toJSON`). `sprig.*` lives in sprig-functions.ts; `now()`, `date()`,
 * `duration()`, `timezone()` and sprig's date functions, which may read the clock the caller
 * supplies, in time-functions.ts; `jsonpath`, whose filters are expressions, beside the evaluator.
 */
export const BUILTINS: Readonly<Record<string, BuiltinFunction>> = {
  asInt: toInt,
  asFloat: toFloat,
  int: toInt,
  float: toFloat,
  string: (...args) => (arity(args, 1), goString(args[0])),
  toJson: (...args) => (arity(args, 1), goJson(args[0])),
  toJSON: (...args) => (arity(args, 1), goJson(args[0], '  ')),
  fromJSON: (...args) => {
    arity(args, 1);
    try {
      return JSON.parse(str(args[0], 1)) as unknown;
    } catch (error) {
      throw new Error(`invalid JSON: ${(error as Error).message}`);
    }
  },
  len: (...args) => {
    arity(args, 1);
    const [value] = args;
    if (typeof value === 'string') return Array.from(value).length;
    if (Array.isArray(value)) return value.length;
    if (isPlainMap(value)) return Object.keys(value).length;
    throw new Error(`invalid argument for len (type ${typeName(value)})`);
  },
  type: (...args) => (arity(args, 1), typeName(args[0])),
  abs: (...args) => (arity(args, 1), Math.abs(num(args[0], 1))),
  ceil: (...args) => (arity(args, 1), Math.ceil(num(args[0], 1))),
  floor: (...args) => (arity(args, 1), Math.floor(num(args[0], 1))),
  // Go's math.Round rounds half away from zero; Math.round rounds half up.
  round: (...args) => (arity(args, 1), Math.sign(num(args[0], 1)) * Math.round(Math.abs(num(args[0], 1)))),
  trim: (...args) => (arity(args, 1, 2), args.length === 1 ? str(args[0], 1).trim() : trimCutset(str(args[0], 1), str(args[1], 2), true, true)),
  trimPrefix: (...args) => {
    arity(args, 1, 2);
    const [text, prefix] = [str(args[0], 1), args.length > 1 ? str(args[1], 2) : ' '];
    return prefix !== '' && text.startsWith(prefix) ? text.slice(prefix.length) : text;
  },
  trimSuffix: (...args) => {
    arity(args, 1, 2);
    const [text, suffix] = [str(args[0], 1), args.length > 1 ? str(args[1], 2) : ' '];
    return suffix !== '' && text.endsWith(suffix) ? text.slice(0, -suffix.length) : text;
  },
  upper: (...args) => (arity(args, 1), str(args[0], 1).toUpperCase()),
  lower: (...args) => (arity(args, 1), str(args[0], 1).toLowerCase()),
  split: (...args) => (arity(args, 2, 3), goSplit(str(args[0], 1), str(args[1], 2), args.length > 2 ? int(args[2], 3) : -1)),
  replace: (...args) => (arity(args, 3), str(args[0], 1).split(str(args[1], 2)).join(str(args[2], 3))),
  repeat: (...args) => {
    arity(args, 2);
    const count = int(args[1], 2);
    if (count < 0 || count * str(args[0], 1).length > 1_000_000) throw new Error('repeat count is negative or too large');
    return str(args[0], 1).repeat(count);
  },
  join: (...args) => (
    arity(args, 1, 2),
    arr(args[0], 1)
      .map((v, i) => str(v, i + 1))
      .join(args.length > 1 ? str(args[1], 2) : '')
  ),
  indexOf: (...args) => (arity(args, 2), str(args[0], 1).indexOf(str(args[1], 2))),
  lastIndexOf: (...args) => (arity(args, 2), str(args[0], 1).lastIndexOf(str(args[1], 2))),
  hasPrefix: (...args) => (arity(args, 2), str(args[0], 1).startsWith(str(args[1], 2))),
  hasSuffix: (...args) => (arity(args, 2), str(args[0], 1).endsWith(str(args[1], 2))),
  max: (...args) => Math.max(...numbersOf('max', args)),
  min: (...args) => Math.min(...numbersOf('min', args)),
  mean: (...args) => {
    const values = numbersOf('mean', args);
    return values.reduce((a, b) => a + b, 0) / values.length;
  },
  median: (...args) => {
    const values = numbersOf('median', args).sort((a, b) => a - b);
    const middle = Math.floor(values.length / 2);
    return values.length % 2 ? values[middle]! : (values[middle - 1]! + values[middle]!) / 2;
  },
  first: (...args) => (arity(args, 1), Array.isArray(args[0]) ? (args[0][0] ?? null) : null),
  last: (...args) => (arity(args, 1), Array.isArray(args[0]) ? (args[0][args[0].length - 1] ?? null) : null),
  get: (...args) => {
    arity(args, 2);
    const [from, key] = args;
    if (Array.isArray(from) && typeof key === 'number') return from[key < 0 ? from.length + key : key] ?? null;
    if (isPlainMap(from) && typeof key === 'string') return Object.hasOwn(from, key) ? (from[key] ?? null) : null;
    return null;
  },
  take: (...args) => (arity(args, 2), arr(args[0], 1).slice(0, Math.max(0, int(args[1], 2)))),
  keys: (...args) => (arity(args, 1), Object.keys(map(args[0], 1)).sort()),
  values: (...args) => {
    arity(args, 1);
    const m = map(args[0], 1);
    return Object.keys(m)
      .sort()
      .map((k) => m[k]);
  },
  toPairs: (...args) => {
    arity(args, 1);
    const m = map(args[0], 1);
    return Object.keys(m)
      .sort()
      .map((k) => [k, m[k]]);
  },
  fromPairs: (...args) => {
    arity(args, 1);
    const out: PlainMap = {};
    for (const [i, pair] of arr(args[0], 1).entries()) setOwn(out, goString(arr(pair, i + 1)[0]), (pair as unknown[])[1] ?? null);
    return out;
  },
  reverse: (...args) => (arity(args, 1), [...arr(args[0], 1)].reverse()),
  uniq: (...args) => {
    arity(args, 1);
    const out: unknown[] = [];
    for (const item of arr(args[0], 1)) if (!out.some((seen) => deepEqual(seen, item))) out.push(item);
    return out;
  },
  concat: (...args) => args.flatMap((a, i) => arr(a, i + 1)),
  flatten: (...args) => (arity(args, 1), flattenDeep(arr(args[0], 1))),
  sort: (...args) => (arity(args, 1, 2), sortValues(arr(args[0], 1), args[1] ?? 'asc')),
};
