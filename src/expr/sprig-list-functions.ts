import { type BuiltinFunction, int, str } from './builtin-arguments.js';
import { deepEqual } from './go-values.js';
import { castInt, goKindOf, isEmpty, listArgument, stringList } from './sprig-values.js';

/**
 * sprig's list functions (list.go). Each `mustX` returns sprig's error where `x` panics: in an
 * expression both fail the same way, with sprig's message. Lists are never changed in place.
 */

function has(needle: unknown, haystack: unknown): boolean {
  if (haystack === null || haystack === undefined) return false;
  return listArgument(haystack, 'Cannot find has on type').some((v) => deepEqual(v, needle));
}

// Go's reflect.Value.Slice: indexes out of range panic.
function slice(list: unknown, indices: unknown[]): unknown {
  const items = listArgument(list, 'list should be type of slice or array but');
  if (items.length === 0) return null;
  const start = indices.length > 0 ? castInt(indices[0]) : 0;
  const end = indices.length > 1 ? castInt(indices[1]) : items.length;
  if (start < 0 || end < start || end > items.length) throw new Error('reflect: slice index out of range');
  return items.slice(start, end);
}

function chunk(size: number, list: unknown): unknown[][] {
  const items = listArgument(list, 'Cannot chunk type');
  if (size <= 0) throw new Error('chunk size must be positive');
  const out: unknown[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  // sprig makes one empty chunk of an empty list.
  return out.length === 0 ? [[]] : out;
}

function uniq(list: unknown): unknown[] {
  return listArgument(list, 'Cannot find uniq on type').filter((v, i, all) => all.findIndex((w) => deepEqual(v, w)) === i);
}

/**
 * sprig's `untilStep`: from `start` towards `stop` (excluded) by `step`; nothing if the step leads away.
 *
 * @example
 * untilStep(0, 10, 3) // [0, 3, 6, 9]
 */
export function untilStep(start: number, stop: number, step: number): number[] {
  const out: number[] = [];
  if (stop < start ? step >= 0 : step <= 0) return out;
  if (Math.abs((stop - start) / step) > 100_000) throw new Error(`untilStep(${start}, ${stop}, ${step}) is too long`);
  for (let i = start; stop < start ? i > stop : i < stop; i += step) out.push(i);
  return out;
}

const listFunctions: Record<string, BuiltinFunction> = {
  list: (...values) => values,
  tuple: (...values) => values,
  append: (list, v) => [...listArgument(list, 'Cannot push on type'), v],
  prepend: (list, v) => [v, ...listArgument(list, 'Cannot prepend on type')],
  first: (list) => listArgument(list, 'Cannot find first on type')[0] ?? null,
  last: (list) => listArgument(list, 'Cannot find last on type').at(-1) ?? null,
  rest: (list) => (listArgument(list, 'Cannot find rest on type').length === 0 ? null : (list as unknown[]).slice(1)),
  initial: (list) => (listArgument(list, 'Cannot find initial on type').length === 0 ? null : (list as unknown[]).slice(0, -1)),
  reverse: (list) => [...listArgument(list, 'Cannot find reverse on type')].reverse(),
  uniq,
  without: (list, ...omit) => listArgument(list, 'Cannot find without on type').filter((v) => !omit.some((o) => deepEqual(o, v))),
  compact: (list) => listArgument(list, 'Cannot compact on type').filter((v) => !isEmpty(v)),
  has,
  slice: (list, ...indices) => slice(list, indices),
  chunk: (size, list) => chunk(int(size, 1), list),
};

export const SPRIG_LIST_FUNCTIONS: Readonly<Record<string, BuiltinFunction>> = {
  ...listFunctions,
  push: listFunctions.append!,
  // The must variants differ from the others only in how Go reports the failure.
  ...Object.fromEntries(
    ['append', 'push', 'prepend', 'first', 'last', 'rest', 'initial', 'reverse', 'uniq', 'without', 'compact', 'has', 'slice', 'chunk'].map((name) => [
      `must${name[0]!.toUpperCase()}${name.slice(1)}`,
      listFunctions[name] ?? listFunctions.append!,
    ]),
  ),
  concat: (...lists) =>
    lists.flatMap((list) => {
      if (!Array.isArray(list)) throw new Error(`Cannot concat type ${goKindOf(list)} as list`);
      return list;
    }),
  sortAlpha: (list) => stringList(list).sort(),
  join: (separator, list) => stringList(list).join(str(separator, 1)),
  toStrings: (v) => stringList(v),
  until: (n) => (castInt(n) < 0 ? untilStep(0, castInt(n), -1) : untilStep(0, castInt(n), 1)),
  untilStep: (start, stop, step) => untilStep(int(start, 1), int(stop, 2), int(step, 3)),
};
