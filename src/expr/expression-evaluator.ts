import { type ExpressionAst, ExpressionError } from './expression-ast.js';
import { arity, type BuiltinFunction, str } from './builtin-arguments.js';
import { BUILTINS } from './expression-builtins.js';
import { parseExpression } from './expression-parser.js';
import { callPredicate } from './expression-predicates.js';
import { jsonPath } from './json-path.js';
import { compileGoRegexp } from './go-regexp.js';
import { deepEqual, goString, isPlainMap, setOwn, typeName } from './go-values.js';
import { GoTime } from './go-time.js';
import { SPRIG_RANDOM_FUNCTIONS } from './random-functions.js';
import { REFUSED_SPRIG_FUNCTIONS } from './refused-sprig-functions.js';
import { SeededRandom } from './seeded-random.js';
import { SPRIG_FUNCTIONS } from './sprig-functions.js';
import { NOT_TIME, SPRIG_TIME_FUNCTIONS, TIME_BUILTINS, timeMethod, timeOperation } from './time-functions.js';

/** Every function callable by bare name; `jsonpath` evaluates its filters with this evaluator. */
const FUNCTIONS: Readonly<Record<string, BuiltinFunction>> = {
  ...BUILTINS,
  jsonpath: (...args) => (arity(args, 2), jsonPath(str(args[0], 1), str(args[1], 2), (filter, variables) => evaluateExpression(filter, variables))),
};

/** What `#`, `#index` and `#acc` mean inside the predicate being evaluated. */
export interface PointerScope {
  readonly element: unknown;
  readonly index: number;
  readonly acc?: unknown;
}

export interface EvaluationContext {
  readonly env: Readonly<Record<string, unknown>>;
  readonly pointer: PointerScope | undefined;
  /** The current time for `now()` and sprig's date functions; `undefined`: none was given. */
  readonly now?: GoTime | undefined;
  /** The stream sprig's random functions draw from; `undefined`: no seed was given. */
  readonly random?: SeededRandom | undefined;
}

export interface EvaluateOptions {
  /**
   * The current time (a Date or epoch milliseconds), for `now()` and the sprig date functions
   * that default to it. The expression layer has no clock of its own: without this, they fail
   * with "now() needs the current time".
   */
  now?: Date | number;
  /**
   * What sprig's random functions (`randAlphaNum`, `uuidv4`, ...) draw from: the same seed gives
   * the same values, in the order the expression calls them. The expression layer has no
   * randomness of its own: without a seed, they fail with "random values need a seed".
   */
  seed?: string;
}

/** The `now` option as the time value expressions see (in Go's Local zone, UTC in Skiff). */
export function currentTime(now: Date | number | undefined): GoTime | undefined {
  if (now === undefined) return undefined;
  const ms = typeof now === 'number' ? now : now.getTime();
  if (!Number.isFinite(ms)) throw new ExpressionError('the current time given is not a valid time');
  return GoTime.fromMillis(ms);
}

// A `?.` that met nil: the rest of the member chain is skipped and the chain yields nil.
const SHORT_CIRCUIT = Symbol('short-circuit');

/**
 * Evaluates an expression (text or a tree from `parseExpression`) against `env`, the nested
 * variables built by `nestFlatVariables`. Never uses `eval`. Throws `ExpressionSyntaxError` for bad
 * text and `ExpressionError` for unknown names and functions, type mismatches and failing functions.
 *
 * @example
 * evaluateExpression("asInt(inputs.parameters.n) * 10", { inputs: { parameters: { n: '4' } } }) // 40
 */
export function evaluateExpression(input: ExpressionAst | string, env: Readonly<Record<string, unknown>>, options: EvaluateOptions = {}): unknown {
  const ast = typeof input === 'string' ? parseExpression(input) : input;
  const random = options.seed === undefined ? undefined : new SeededRandom(options.seed);
  return evaluateNode(ast, { env, pointer: undefined, now: currentTime(options.now), random });
}

/** Evaluates one node; exported for the predicate builtins, which re-enter with a pointer scope. */
export function evaluateNode(node: ExpressionAst, context: EvaluationContext): unknown {
  const value = evaluateChain(node, context);
  return value === SHORT_CIRCUIT ? null : value;
}

function evaluateChain(node: ExpressionAst, context: EvaluationContext): unknown {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'identifier':
      return lookupName(node.name, node.column, context);
    case 'pointer':
      return lookupPointer(node.name, node.column, context);
    case 'member': {
      const object = evaluateChain(node.object, context);
      if (object === SHORT_CIRCUIT) return SHORT_CIRCUIT;
      if ((object === null || object === undefined) && node.optional) return SHORT_CIRCUIT;
      return fetch(object, evaluateNode(node.property, context), node.column);
    }
    case 'slice':
      return slice(evaluateNode(node.object, context), node.from && evaluateNode(node.from, context), node.to && evaluateNode(node.to, context), node.column);
    case 'call':
      return call(node, context);
    case 'predicate':
      throw new ExpressionError('a predicate ({...}) is only allowed as an argument of map, filter, all, any and the like', node.column);
    case 'unary':
      return unary(node.operator, evaluateNode(node.operand, context), node.column);
    case 'binary':
      return binary(node.operator, node.left, node.right, context, node.column);
    case 'conditional': {
      const test = evaluateNode(node.test, context);
      if (typeof test !== 'boolean') throw new ExpressionError(`the condition of ?: must be a bool, got ${typeName(test)}`, node.column);
      return evaluateNode(test ? node.then : node.otherwise, context);
    }
    case 'array':
      return node.items.map((item) => evaluateNode(item, context));
    case 'map': {
      const map: Record<string, unknown> = {};
      for (const entry of node.entries) setOwn(map, goString(evaluateNode(entry.key, context)), evaluateNode(entry.value, context));
      return map;
    }
  }
}

// Tables are plain objects: `constructor` or `toString` must not resolve through the prototype.
function own<T>(table: Readonly<Record<string, T>>, name: string): T | undefined {
  return Object.hasOwn(table, name) ? table[name] : undefined;
}

function lookupName(name: string, column: number, context: EvaluationContext): unknown {
  if (Object.hasOwn(context.env, name)) return context.env[name] ?? null;
  if (own(FUNCTIONS, name) || own(TIME_BUILTINS, name) || name === 'sprig') throw new ExpressionError(`${name} is a function: call it as ${name}(...)`, column);
  throw new ExpressionError(`unknown name ${name}`, column);
}

function lookupPointer(name: string, column: number, context: EvaluationContext): unknown {
  const pointer = context.pointer;
  if (!pointer) throw new ExpressionError('# can only be used inside a predicate', column);
  if (name === '') return pointer.element;
  if (name === 'index') return pointer.index;
  if (name === 'acc' && 'acc' in pointer) return pointer.acc;
  throw new ExpressionError(`unknown pointer #${name}`, column);
}

/** Member and index access with expr-lang's rules: missing map keys are nil, indexes must exist. */
export function fetch(object: unknown, key: unknown, column: number): unknown {
  if (object === null || object === undefined) throw new ExpressionError(`cannot fetch ${goString(key)} from nil`, column);
  if (Array.isArray(object) || typeof object === 'string') {
    if (typeof key !== 'number' || !Number.isInteger(key)) throw new ExpressionError(`cannot fetch ${goString(key)} from ${typeName(object)}`, column);
    const items = typeof object === 'string' ? Array.from(object) : object;
    const index = key < 0 ? items.length + key : key;
    if (index < 0 || index >= items.length) throw new ExpressionError(`index out of range: ${key} (array length is ${items.length})`, column);
    return items[index] ?? null;
  }
  if (isPlainMap(object)) {
    if (typeof key !== 'string') throw new ExpressionError(`cannot fetch ${goString(key)} from map: keys are strings`, column);
    return Object.hasOwn(object, key) ? (object[key] ?? null) : null;
  }
  throw new ExpressionError(`cannot fetch ${goString(key)} from ${typeName(object)}`, column);
}

function slice(object: unknown, from: unknown, to: unknown, column: number): unknown {
  if (!Array.isArray(object) && typeof object !== 'string') throw new ExpressionError(`cannot slice ${typeName(object)}`, column);
  const items = typeof object === 'string' ? Array.from(object) : object;
  const bound = (value: unknown, fallback: number): number => {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value)) throw new ExpressionError('slice bounds must be ints', column);
    const adjusted = value < 0 ? items.length + value : value;
    return Math.min(Math.max(adjusted, 0), items.length);
  };
  const end = bound(to, items.length);
  const start = Math.min(bound(from, 0), end);
  const part = items.slice(start, end);
  return typeof object === 'string' ? part.join('') : part;
}

function call(node: Extract<ExpressionAst, { kind: 'call' }>, context: EvaluationContext): unknown {
  const { callee, column } = node;
  let fn: BuiltinFunction | undefined;
  let name: string;
  if (callee.kind === 'identifier') {
    name = callee.name;
    if (node.args[1]?.kind === 'predicate') return callPredicate(name, node.args, context, column, evaluateNode);
    const fromEnv = Object.hasOwn(context.env, name) ? context.env[name] : undefined;
    fn = typeof fromEnv === 'function' ? (fromEnv as BuiltinFunction) : own(FUNCTIONS, name);
    const timeFn = fn ? undefined : own(TIME_BUILTINS, name);
    if (timeFn) fn = (...args) => timeFn(context.now, ...args);
  } else if (callee.kind === 'member' && callee.property.kind === 'literal' && typeof callee.property.value === 'string') {
    name = callee.property.value;
    if (callee.object.kind === 'identifier' && callee.object.name === 'sprig' && !Object.hasOwn(context.env, 'sprig')) {
      fn = own(SPRIG_FUNCTIONS, name);
      const timeFn = own(SPRIG_TIME_FUNCTIONS, name);
      if (timeFn) fn = (...args) => timeFn(context.now, ...args);
      const randomFn = own(SPRIG_RANDOM_FUNCTIONS, name);
      if (randomFn) fn = (...args) => randomFn(context.random, ...args);
      const refused = own(REFUSED_SPRIG_FUNCTIONS, name);
      name = `sprig.${name}`;
      if (refused) throw new ExpressionError(`${name} is not offered: ${refused}`, column);
      if (!fn) throw new ExpressionError(`unknown function ${name}`, column);
    } else {
      const object = evaluateNode(callee.object, context);
      const method = isPlainMap(object) && Object.hasOwn(object, name) ? object[name] : timeMethod(object, name);
      if (typeof method !== 'function') throw new ExpressionError(`method ${name} is not supported on ${typeName(object)}`, column);
      fn = method as BuiltinFunction;
    }
  } else {
    throw new ExpressionError('only named functions can be called', column);
  }
  if (!fn) throw new ExpressionError(`unknown function ${name}`, column);
  const args = node.args.map((arg) => evaluateNode(arg, context));
  try {
    return fn(...args);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ExpressionError(`${name}(): ${message}`, column);
  }
}

function unary(operator: string, value: unknown, column: number): unknown {
  if (operator === '!' || operator === 'not') {
    if (typeof value !== 'boolean') throw new ExpressionError(`invalid operation: ${operator} (mismatched type ${typeName(value)})`, column);
    return !value;
  }
  if (typeof value !== 'number') throw new ExpressionError(`invalid operation: ${operator} (mismatched type ${typeName(value)})`, column);
  return operator === '-' ? -value : value;
}

function mismatch(operator: string, left: unknown, right: unknown, column: number): never {
  throw new ExpressionError(`invalid operation: ${operator} (mismatched types ${typeName(left)} and ${typeName(right)})`, column);
}

function binary(operator: string, leftNode: ExpressionAst, rightNode: ExpressionAst, context: EvaluationContext, column: number): unknown {
  const left = evaluateNode(leftNode, context);
  if (operator === '&&' || operator === 'and' || operator === '||' || operator === 'or') {
    if (typeof left !== 'boolean') throw new ExpressionError(`invalid operation: ${operator} (mismatched type ${typeName(left)}, want bool)`, column);
    const isAnd = operator === '&&' || operator === 'and';
    if (left !== isAnd) return left;
    const right = evaluateNode(rightNode, context);
    if (typeof right !== 'boolean') throw new ExpressionError(`invalid operation: ${operator} (mismatched type ${typeName(right)}, want bool)`, column);
    return right;
  }
  if (operator === '??') return left ?? evaluateNode(rightNode, context);
  const right = evaluateNode(rightNode, context);
  const timed = timeOperation(operator, left, right);
  if (timed !== NOT_TIME) return timed;
  switch (operator) {
    case '==':
      return deepEqual(left, right);
    case '!=':
      return !deepEqual(left, right);
    case '<':
    case '>':
    case '<=':
    case '>=': {
      if (!((typeof left === 'number' && typeof right === 'number') || (typeof left === 'string' && typeof right === 'string')))
        mismatch(operator, left, right, column);
      const [a, b] = [left as number | string, right as number | string];
      return operator === '<' ? a < b : operator === '>' ? a > b : operator === '<=' ? a <= b : a >= b;
    }
    case '+':
      if (typeof left === 'number' && typeof right === 'number') return left + right;
      if (typeof left === 'string' && typeof right === 'string') return left + right;
      if (Array.isArray(left) && Array.isArray(right)) return [...left, ...right];
      return mismatch(operator, left, right, column);
    case '-':
    case '*':
    case '/':
    case '%':
    case '**':
    case '^':
      if (typeof left !== 'number' || typeof right !== 'number') return mismatch(operator, left, right, column);
      if (operator === '%') {
        if (!Number.isInteger(left) || !Number.isInteger(right)) mismatch(operator, left, right, column);
        if (right === 0) throw new ExpressionError('integer divide by zero', column);
        return left % right;
      }
      return operator === '-' ? left - right : operator === '*' ? left * right : operator === '/' ? left / right : left ** right;
    case 'in':
      if (Array.isArray(right)) return right.some((item) => deepEqual(item, left));
      if (isPlainMap(right)) return typeof left === 'string' && Object.hasOwn(right, left);
      return mismatch(operator, left, right, column);
    case 'contains':
    case 'startsWith':
    case 'endsWith':
      if (typeof left !== 'string' || typeof right !== 'string') return mismatch(operator, left, right, column);
      return operator === 'contains' ? left.includes(right) : operator === 'startsWith' ? left.startsWith(right) : left.endsWith(right);
    case 'matches':
      if (typeof left !== 'string' || typeof right !== 'string') return mismatch(operator, left, right, column);
      try {
        return compileGoRegexp(right).test(left);
      } catch (error) {
        throw new ExpressionError((error as Error).message, column);
      }
    case '..': {
      if (!Number.isInteger(left) || !Number.isInteger(right)) return mismatch(operator, left, right, column);
      const [from, to] = [left as number, right as number];
      if (to - from > 1_000_000) throw new ExpressionError(`range ${from}..${to} is too large`, column);
      return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
    }
  }
  throw new ExpressionError(`unknown operator ${operator}`, column);
}
