import { type BuiltinFunction, map, str } from './builtin-arguments.js';
import { goString, isPlainMap, type PlainMap, setOwn } from './go-values.js';
import { isEmpty } from './sprig-values.js';

/**
 * sprig's dictionary functions (dict.go). Go's versions of `set`, `unset` and `merge` change the
 * map they are given; expression values are shared, so these return a changed copy instead. Go
 * lists keys in random order; Skiff sorts them, so results are stable.
 */

function copyMap(source: PlainMap): PlainMap {
  const out: PlainMap = {};
  for (const key of Object.keys(source)) setOwn(out, key, source[key]);
  return out;
}

/** A deep copy of a plain value (sprig's `deepCopy`, copystructure.Copy). */
export function deepCopy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(deepCopy);
  if (isPlainMap(value)) {
    const out: PlainMap = {};
    for (const key of Object.keys(value)) setOwn(out, key, deepCopy(value[key]));
    return out;
  }
  return value;
}

/**
 * mergo's `Merge` (`overwrite` false: only keys `dst` lacks or holds empty are filled) and
 * `MergeWithOverwrite` (`src` wins unless its value is empty); maps in both are merged deeply.
 */
function mergeInto(dst: PlainMap, src: PlainMap, overwrite: boolean, depth = 0): PlainMap {
  if (depth > 100) throw new Error('maps are nested too deeply to merge');
  const out = copyMap(dst);
  for (const key of Object.keys(src)) {
    const [mine, theirs] = [out[key], src[key]];
    if (isPlainMap(mine) && isPlainMap(theirs)) setOwn(out, key, mergeInto(mine, theirs, overwrite, depth + 1));
    else if (!Object.hasOwn(out, key) || (overwrite ? !isEmpty(theirs) : isEmpty(mine))) setOwn(out, key, deepCopy(theirs));
  }
  return out;
}

function merge(overwrite: boolean): BuiltinFunction {
  return (dst, ...sources) => sources.reduce<PlainMap>((acc, src, i) => mergeInto(acc, map(src, i + 2), overwrite), map(dst, 1));
}

function dig(...args: unknown[]): unknown {
  if (args.length < 3) throw new Error('dig needs at least three arguments');
  const keys = args.slice(0, -2).map((k, i) => str(k, i + 1));
  const fallback = args.at(-2);
  let node: unknown = map(args.at(-1), args.length);
  for (const key of keys) {
    if (!isPlainMap(node)) throw new Error(`interface conversion: interface {} is not map[string]interface {}`);
    if (!Object.hasOwn(node, key)) return fallback;
    node = node[key];
  }
  return node;
}

export const SPRIG_DICT_FUNCTIONS: Readonly<Record<string, BuiltinFunction>> = {
  dict: (...pairs) => {
    const out: PlainMap = {};
    for (let i = 0; i < pairs.length; i += 2) setOwn(out, goString(pairs[i]), i + 1 < pairs.length ? pairs[i + 1] : '');
    return out;
  },
  get: (d, key) => (Object.hasOwn(map(d, 1), str(key, 2)) ? map(d, 1)[str(key, 2)] : ''),
  set: (d, key, value) => {
    const out = copyMap(map(d, 1));
    setOwn(out, str(key, 2), value);
    return out;
  },
  unset: (d, key) => {
    const out = copyMap(map(d, 1));
    delete out[str(key, 2)];
    return out;
  },
  hasKey: (d, key) => Object.hasOwn(map(d, 1), str(key, 2)),
  pluck: (key, ...dicts) =>
    dicts
      .map((d, i) => map(d, i + 2))
      .filter((d) => Object.hasOwn(d, str(key, 1)))
      .map((d) => d[str(key, 1)]),
  keys: (...dicts) => [...new Set(dicts.flatMap((d, i) => Object.keys(map(d, i + 1))))].sort(),
  values: (d) =>
    Object.keys(map(d, 1))
      .sort()
      .map((k) => map(d, 1)[k]),
  pick: (d, ...keys) => {
    const out: PlainMap = {};
    for (const [i, key] of keys.entries()) if (Object.hasOwn(map(d, 1), str(key, i + 2))) setOwn(out, key as string, map(d, 1)[key as string]);
    return out;
  },
  omit: (d, ...keys) => {
    const out = copyMap(map(d, 1));
    for (const [i, key] of keys.entries()) delete out[str(key, i + 2)];
    return out;
  },
  merge: merge(false),
  mustMerge: merge(false),
  mergeOverwrite: merge(true),
  mustMergeOverwrite: merge(true),
  dig,
  deepCopy: (v) => deepCopy(v),
  mustDeepCopy: (v) => deepCopy(v),
};
