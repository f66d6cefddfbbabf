import { type ExpressionAst, ExpressionError } from './expression-ast.js';
import type { EvaluationContext } from './expression-evaluator.js';
import { goString, setOwn, typeName } from './go-values.js';

/** The builtins that take a predicate (`map(xs, {# * 2})`). */
export const PREDICATE_FUNCTIONS: readonly string[] = [
  'all',
  'any',
  'none',
  'one',
  'filter',
  'map',
  'count',
  'find',
  'findIndex',
  'findLast',
  'findLastIndex',
  'sum',
  'groupBy',
  'sortBy',
  'reduce',
];

/**
 * expr-lang's closure builtins — `map(xs, {# * 2})`, `filter`, `all`, `any`, `none`, `one`,
 * `count`, `sum`, `find`, `findIndex`, `findLast`, `findLastIndex`, `groupBy`, `sortBy`, `reduce` —
 * whose second argument is evaluated once per element with `#` bound to it. The evaluator passes
 * itself in as `evaluateNode`: it is the caller, so importing it here would make a cycle.
 */
export function callPredicate(
  name: string,
  args: ExpressionAst[],
  context: EvaluationContext,
  column: number,
  evaluateNode: (node: ExpressionAst, context: EvaluationContext) => unknown,
): unknown {
  const collection = evaluateNode(args[0]!, context);
  if (!Array.isArray(collection)) throw new ExpressionError(`${name}(): cannot iterate over ${typeName(collection)}`, column);
  const body = args[1]!.kind === 'predicate' ? args[1].body : args[1]!;
  const run = (element: unknown, index: number, acc?: unknown): unknown =>
    evaluateNode(body, { ...context, pointer: acc === undefined ? { element, index } : { element, index, acc } });
  const test = (element: unknown, index: number): boolean => {
    const result = run(element, index);
    if (typeof result !== 'boolean') throw new ExpressionError(`${name}(): the predicate must return a bool, got ${typeName(result)}`, column);
    return result;
  };
  const items = collection as unknown[];
  switch (name) {
    case 'all':
      return items.every(test);
    case 'any':
      return items.some(test);
    case 'none':
      return !items.some(test);
    case 'one':
      return items.filter(test).length === 1;
    case 'filter':
      return items.filter(test);
    case 'map':
      return items.map((element, index) => run(element, index));
    case 'count':
      return items.filter(test).length;
    case 'find':
      return items.find(test) ?? null;
    case 'findIndex':
      return items.findIndex(test);
    case 'findLast':
      return items.findLast(test) ?? null;
    case 'findLastIndex':
      return items.findLastIndex(test);
    case 'sum':
      return items.reduce<number>((total, element, index) => {
        const value = run(element, index);
        if (typeof value !== 'number') throw new ExpressionError(`sum(): cannot add ${typeName(value)}`, column);
        return total + value;
      }, 0);
    case 'groupBy': {
      const groups: Record<string, unknown[]> = {};
      items.forEach((element, index) => {
        const key = goString(run(element, index));
        if (!Object.hasOwn(groups, key)) setOwn(groups, key, []);
        groups[key]!.push(element);
      });
      return groups;
    }
    case 'sortBy': {
      const order = args[2] ? evaluateNode(args[2], context) : 'asc';
      if (order !== 'asc' && order !== 'desc') throw new ExpressionError('sortBy(): order must be "asc" or "desc"', column);
      const keyed = items.map((element, index) => ({ element, key: run(element, index) }));
      keyed.sort((a, b) => compareKeys(a.key, b.key, column) * (order === 'asc' ? 1 : -1));
      return keyed.map((entry) => entry.element);
    }
    case 'reduce': {
      let acc: unknown = args[2] ? evaluateNode(args[2], context) : undefined;
      items.forEach((element, index) => {
        acc = acc === undefined ? element : run(element, index, acc);
      });
      return acc ?? null;
    }
  }
  throw new ExpressionError(`unknown function ${name}`, column);
}

function compareKeys(a: unknown, b: unknown, column: number): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  throw new ExpressionError(`sortBy(): cannot compare ${typeName(a)} and ${typeName(b)}`, column);
}
