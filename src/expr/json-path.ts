import { type ExpressionAst, ExpressionError } from './expression-ast.js';
import { parseExpression } from './expression-parser.js';
import { isPlainMap } from './go-values.js';

/**
 * The JSONPath dialect of Argo's `jsonpath(json, path)` (evilmonkeyinc/jsonpath): `$`, `.key`,
 * `['key']`, `[0]`, `[-1]`, `[*]`, `.*`, `[0,2]`, `[start:end:step]`, `..key`, `.length` and
 * `[?(@.age > 42 && @.name != 'x')]` filters (written in expression syntax). A path that only
 * names single children yields that value; once a wildcard, union, range, filter or recursive step
 * appears, the result is an array of everything matched.
 */

type Step =
  | { kind: 'key'; key: string }
  | { kind: 'index'; index: number }
  | { kind: 'union'; items: Array<string | number> }
  | { kind: 'wildcard' }
  | { kind: 'range'; start?: number; end?: number; step?: number }
  | { kind: 'filter'; expression: string }
  | { kind: 'recursive'; then: Step };

/**
 * Evaluates a filter's expression with `__current` (the filter's `@`) and `$` bound. The
 * expression evaluator passes itself in: it is also the caller of `jsonpath()`, so the two
 * modules would otherwise import each other.
 */
export type JsonPathFilterEvaluator = (filter: ExpressionAst, variables: Record<string, unknown>) => unknown;

interface Query {
  path: string;
  evaluate: JsonPathFilterEvaluator;
}

/**
 * Queries a JSON document with a JSONPath. Throws `ExpressionError` on bad JSON, a bad path, or a
 * missing key on a single-valued path.
 *
 * @example
 * jsonPath('{"a":[{"b":1},{"b":2}]}', '$.a[*].b', evaluateExpression) // [1, 2]
 */
export function jsonPath(json: string, path: string, evaluate: JsonPathFilterEvaluator): unknown {
  const query: Query = { path, evaluate };
  let document: unknown;
  try {
    document = JSON.parse(json);
  } catch (error) {
    throw new ExpressionError(`jsonpath: invalid JSON: ${(error as Error).message}`);
  }
  const steps = parsePath(path);
  let nodes: unknown[] = [document];
  let single = true;
  for (const step of steps) {
    if (step.kind !== 'key' && step.kind !== 'index') single = false;
    nodes = nodes.flatMap((node) => apply(step, node, document, single, query));
  }
  return single ? nodes[0] : nodes;
}

function fail(path: string, message: string): never {
  throw new ExpressionError(`jsonpath ${JSON.stringify(path)}: ${message}`);
}

function parsePath(path: string): Step[] {
  if (!path.startsWith('$')) fail(path, 'a path must start with $');
  const steps: Step[] = [];
  let i = 1;
  while (i < path.length) {
    let recursive = false;
    if (path.startsWith('..', i)) {
      recursive = true;
      i += 2;
    } else if (path[i] === '.') {
      i += 1;
    }
    let step: Step;
    if (path[i] === '[') {
      const end = findClose(path, i);
      step = parseBracket(path, path.slice(i + 1, end).trim());
      i = end + 1;
    } else {
      const name = /^(\*|[^.[\]]+)/.exec(path.slice(i))?.[0];
      if (name === undefined) fail(path, `unexpected "${path[i] ?? 'end of path'}" at offset ${i}`);
      step = name === '*' ? { kind: 'wildcard' } : { kind: 'key', key: name };
      i += name.length;
    }
    steps.push(recursive ? { kind: 'recursive', then: step } : step);
  }
  return steps;
}

// Finds the `]` closing the bracket at `open`, skipping quoted text and nested parentheses.
function findClose(path: string, open: number): number {
  let depth = 0;
  for (let i = open + 1; i < path.length; i++) {
    const ch = path[i];
    if (ch === "'" || ch === '"') {
      i++;
      while (i < path.length && path[i] !== ch) i += path[i] === '\\' ? 2 : 1;
    } else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ']' && depth === 0) return i;
  }
  return fail(path, 'unclosed "["');
}

function parseBracket(path: string, body: string): Step {
  if (body === '*') return { kind: 'wildcard' };
  if (body.startsWith('?(') && body.endsWith(')')) return { kind: 'filter', expression: body.slice(2, -1) };
  if (/^-?\d*\s*:\s*-?\d*(\s*:\s*-?\d*)?$/.test(body)) {
    const [start, end, step] = body.split(':').map((part) => (part.trim() === '' ? undefined : Number(part)));
    return { kind: 'range', start, end, step };
  }
  const items = body.split(/,(?=(?:[^'"]*['"][^'"]*['"])*[^'"]*$)/).map((part) => parseItem(path, part.trim()));
  if (items.length === 1) {
    const only = items[0]!;
    return typeof only === 'number' ? { kind: 'index', index: only } : { kind: 'key', key: only };
  }
  return { kind: 'union', items };
}

function parseItem(path: string, item: string): string | number {
  if (/^-?\d+$/.test(item)) return Number(item);
  const quoted = /^(['"])(.*)\1$/s.exec(item);
  if (quoted) return quoted[2]!.replace(/\\(.)/g, '$1');
  return fail(path, `invalid subscript "${item}"`);
}

function children(node: unknown): unknown[] {
  if (Array.isArray(node)) return node;
  if (isPlainMap(node))
    return Object.keys(node)
      .sort()
      .map((k) => node[k]);
  return [];
}

function apply(step: Step, node: unknown, root: unknown, single: boolean, query: Query): unknown[] {
  switch (step.kind) {
    case 'key': {
      if (isPlainMap(node) && Object.hasOwn(node, step.key)) return [node[step.key]];
      if (step.key === 'length' && (Array.isArray(node) || typeof node === 'string' || isPlainMap(node))) {
        return [isPlainMap(node) ? Object.keys(node).length : node.length];
      }
      return single ? fail(query.path, `key "${step.key}" not found`) : [];
    }
    case 'index': {
      if (!Array.isArray(node)) return single ? fail(query.path, `index [${step.index}] used on a non-array`) : [];
      const index = step.index < 0 ? node.length + step.index : step.index;
      if (index < 0 || index >= node.length) return single ? fail(query.path, `index [${step.index}] out of range`) : [];
      return [node[index]];
    }
    case 'union':
      return step.items.flatMap((item) =>
        apply(typeof item === 'number' ? { kind: 'index', index: item } : { kind: 'key', key: item }, node, root, false, query),
      );
    case 'wildcard':
      return children(node);
    case 'range': {
      if (!Array.isArray(node)) return [];
      const length = node.length;
      const clamp = (n: number) => Math.min(Math.max(n < 0 ? length + n : n, 0), length);
      const start = clamp(step.start ?? 0);
      const end = clamp(step.end ?? length);
      const stride = step.step ?? 1;
      if (stride === 0) fail(query.path, 'range step must not be 0');
      const picked: unknown[] = [];
      for (let i = start; i < end; i += Math.abs(stride)) picked.push(node[i]);
      return stride < 0 ? picked.reverse() : picked;
    }
    case 'filter': {
      const filter = parseFilter(step.expression, query.path);
      return children(node).filter((child) => matches(filter, child, root, query.evaluate));
    }
    case 'recursive': {
      const found: unknown[] = [];
      const visit = (current: unknown, depth: number): void => {
        if (depth > 1000) fail(query.path, 'document is too deeply nested');
        found.push(...apply(step.then, current, root, false, query));
        for (const child of children(current)) visit(child, depth + 1);
      };
      visit(node, 0);
      return found;
    }
  }
}

// `@` is not an expression name, so it is renamed outside quoted text before parsing.
function parseFilter(expression: string, path: string): ExpressionAst {
  const source = expression.replace(/('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|@/g, (_whole, quoted?: string) => quoted ?? '__current');
  try {
    return parseExpression(source);
  } catch (error) {
    return fail(path, `invalid filter: ${(error as Error).message}`);
  }
}

// An element the filter cannot be applied to (say `@.age` on a number) is simply not matched.
function matches(filter: ExpressionAst, current: unknown, root: unknown, evaluate: JsonPathFilterEvaluator): boolean {
  let result: unknown;
  try {
    result = evaluate(filter, { __current: current, $: root });
  } catch (error) {
    if (error instanceof ExpressionError) return false;
    throw error;
  }
  return result !== null && result !== undefined && result !== false && result !== '';
}
