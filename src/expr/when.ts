import { compileGoRegexp } from './go-regexp.js';
import { deepEqual, goString } from './go-values.js';
import { checkWhenSyntax, tokenizeWhen, WhenError, type WhenToken } from './when-lexer.js';

export { WhenError } from './when-lexer.js';

type Node =
  | { kind: 'value'; value: unknown }
  | { kind: 'accessor'; name: string; column: number }
  | { kind: 'prefix'; operator: string; operand: Node; column: number }
  | { kind: 'binary'; operator: string; left: Node; right: Node; column: number };

// govaluate's precedence levels, loosest first, and the token kind each level consumes.
const LEVELS: Array<{ kind: WhenToken['kind']; operators: ReadonlySet<string> }> = [
  { kind: 'SEPARATOR', operators: new Set([',']) },
  { kind: 'TERNARY', operators: new Set(['?', ':', '??']) },
  { kind: 'LOGICALOP', operators: new Set(['||']) },
  { kind: 'LOGICALOP', operators: new Set(['&&']) },
  { kind: 'COMPARATOR', operators: new Set(['==', '!=', '>', '>=', '<', '<=', '=~', '!~', 'in']) },
  { kind: 'MODIFIER', operators: new Set(['&', '|', '^']) },
  { kind: 'MODIFIER', operators: new Set(['<<', '>>']) },
  { kind: 'MODIFIER', operators: new Set(['+', '-']) },
  { kind: 'MODIFIER', operators: new Set(['*', '/', '%']) },
  { kind: 'MODIFIER', operators: new Set(['**']) },
];
const MAX_TREE_DEPTH = 1000;

/**
 * Evaluates a `when:` condition the way Argo does (workflow/controller/steps.go `shouldExecute`):
 * run after `{{...}}` substitution, with govaluate, every bare word turned into a string. So
 * `tails == heads` compares strings, `5 > 3` numbers, `tails =~ "t.*"` matches a regular
 * expression, `x in (a, b)` tests membership. An empty condition is true.
 * Throws `WhenError` for bad syntax, type errors and non-boolean results.
 *
 * @example
 * evaluateWhen('heads == heads && 5 > 3') // true
 */
export function evaluateWhen(text: string): boolean {
  if (text === '') return true;
  let root: Node;
  try {
    const tokens = tokenizeWhen(text);
    checkWhenSyntax(tokens);
    // Argo's trick: variables (which it never provides) become string literals.
    const retyped = tokens.map((t): WhenToken => (t.kind === 'VARIABLE' ? { ...t, kind: 'STRING' } : t));
    checkWhenSyntax(retyped);
    root = new WhenParser(retyped).parse();
  } catch (error) {
    if (error instanceof WhenError) throw new WhenError(`invalid 'when' condition ${JSON.stringify(text)}: ${error.message}`);
    throw error;
  }
  let result: unknown;
  try {
    result = evaluate(root);
  } catch (error) {
    if (error instanceof WhenError) throw new WhenError(`failed to evaluate 'when' condition ${JSON.stringify(text)}: ${error.message}`);
    throw error;
  }
  if (typeof result !== 'boolean') throw new WhenError(`expected a boolean from 'when' condition ${JSON.stringify(text)}, got ${goString(result)}`);
  return result;
}

class WhenParser {
  private position = 0;
  private readonly depths = new WeakMap<Node, number>();

  constructor(private readonly tokens: readonly WhenToken[]) {}

  parse(): Node {
    if (this.tokens.length === 0) return { kind: 'value', value: null };
    return this.level(0);
  }

  private track<T extends Node>(node: T, ...children: Node[]): T {
    const depth = 1 + Math.max(0, ...children.map((c) => this.depths.get(c) ?? 0));
    if (depth > MAX_TREE_DEPTH) throw new WhenError(`condition is too long (more than ${MAX_TREE_DEPTH} chained operators)`);
    this.depths.set(node, depth);
    return node;
  }

  private level(index: number): Node {
    if (index >= LEVELS.length) return this.value();
    const { kind, operators } = LEVELS[index]!;
    let left = this.level(index + 1);
    for (;;) {
      const token = this.tokens[this.position];
      if (!token || token.kind !== kind || !operators.has(String(token.value))) return left;
      this.position++;
      const right = this.level(index + 1);
      left = this.track({ kind: 'binary', operator: String(token.value), left, right, column: token.column }, left, right);
    }
  }

  private value(): Node {
    const token = this.tokens[this.position++];
    if (!token) throw new WhenError('Unexpected end of expression');
    switch (token.kind) {
      case 'CLAUSE': {
        // `()` is legal in govaluate's grammar and yields nil.
        if (this.tokens[this.position]?.kind === 'CLAUSE_CLOSE') {
          this.position++;
          return { kind: 'value', value: null };
        }
        const inner = this.level(0);
        if (this.tokens[this.position]?.kind !== 'CLAUSE_CLOSE') throw new WhenError('Unbalanced parenthesis', token.column);
        this.position++;
        return inner;
      }
      case 'PREFIX': {
        const operand = this.value();
        return this.track({ kind: 'prefix', operator: String(token.value), operand, column: token.column }, operand);
      }
      case 'ACCESSOR':
        return { kind: 'accessor', name: String(token.value), column: token.column };
      case 'NUMERIC':
      case 'BOOLEAN':
      case 'STRING':
      case 'TIME':
        return { kind: 'value', value: token.value };
      default:
        throw new WhenError(`Unable to plan token kind: '${token.kind}', value: '${String(token.value)}'`, token.column);
    }
  }
}

const LOGICAL = "Value '%v' cannot be used with the logical operator '%o', it is not a bool";
const MODIFIER = "Value '%v' cannot be used with the modifier '%o', it is not a number";
const COMPARATOR = "Value '%v' cannot be used with the comparator '%o', it is not a number";
const TERNARY = "Value '%v' cannot be used with the ternary operator '%o', it is not a bool";

function typeError(format: string, value: unknown, operator: string, column: number): never {
  throw new WhenError(format.replace('%v', goString(value)).replace('%o', operator), column);
}

const isNumber = (v: unknown): v is number => typeof v === 'number';
const isString = (v: unknown): v is string => typeof v === 'string';

function int64(value: number): bigint {
  return BigInt.asIntN(64, BigInt(Math.trunc(value)));
}

function evaluate(node: Node): unknown {
  switch (node.kind) {
    case 'value':
      return node.value;
    case 'accessor':
      throw new WhenError(`No parameter '${node.name.split('.')[0]!}' found.`, node.column);
    case 'prefix': {
      const operand = evaluate(node.operand);
      if (node.operator === '!') {
        if (typeof operand !== 'boolean') typeError("Value '%v' cannot be used with the prefix '%o'", operand, '!', node.column);
        return !operand;
      }
      if (!isNumber(operand)) typeError("Value '%v' cannot be used with the prefix '%o'", operand, node.operator, node.column);
      return node.operator === '-' ? -operand : Number(~int64(operand));
    }
    case 'binary':
      return binary(node);
  }
}

function binary(node: Extract<Node, { kind: 'binary' }>): unknown {
  const { operator, column } = node;
  const left = evaluate(node.left);
  // govaluate short-circuits before type-checking the left side.
  if (operator === '&&' && left === false) return false;
  if (operator === '||' && left === true) return true;
  if ((operator === '??' || operator === ':') && left !== null) return left;
  if (operator === '?' && left === false) return null;
  const right = evaluate(node.right);
  switch (operator) {
    case ',':
      return Array.isArray(left) ? [...left, right] : [left, right];
    case '&&':
    case '||':
      if (typeof left !== 'boolean') typeError(LOGICAL, left, operator, column);
      if (typeof right !== 'boolean') typeError(LOGICAL, right, operator, column);
      return right;
    case '?':
      if (typeof left !== 'boolean') typeError(TERNARY, left, operator, column);
      return right;
    case '??':
    case ':':
      return right;
    case '==':
      return deepEqual(left, right);
    case '!=':
      return !deepEqual(left, right);
    case '>':
    case '>=':
    case '<':
    case '<=': {
      if (!(isNumber(left) && isNumber(right)) && !(isString(left) && isString(right))) typeError(COMPARATOR, left, operator, column);
      const [a, b] = [left as number | string, right as number | string];
      return operator === '>' ? a > b : operator === '>=' ? a >= b : operator === '<' ? a < b : a <= b;
    }
    case '=~':
    case '!~': {
      if (!isString(left)) typeError(COMPARATOR, left, operator, column);
      if (!isString(right)) typeError(COMPARATOR, right, operator, column);
      let pattern: RegExp;
      try {
        pattern = compileGoRegexp(right);
      } catch (error) {
        throw new WhenError(`Unable to compile regexp pattern '${right}': ${(error as Error).message}`, column);
      }
      return pattern.test(left) === (operator === '=~');
    }
    case 'in':
      if (!Array.isArray(right)) typeError(COMPARATOR, right, operator, column);
      return right.some((item) => item === left);
    case '+':
      if (isNumber(left) && isNumber(right)) return left + right;
      if (!isString(left) && !isString(right)) typeError(MODIFIER, left, operator, column);
      return goString(left) + goString(right);
  }
  if (!isNumber(left)) typeError(MODIFIER, left, operator, column);
  if (!isNumber(right)) typeError(MODIFIER, right, operator, column);
  switch (operator) {
    case '-':
      return left - right;
    case '*':
      return left * right;
    case '/':
      return left / right;
    case '%':
      return left % right;
    case '**':
      return left ** right;
    case '&':
      return Number(int64(left) & int64(right));
    case '|':
      return Number(int64(left) | int64(right));
    case '^':
      return Number(int64(left) ^ int64(right));
    case '<<':
    case '>>': {
      // Go shifts uint64 values; shifting by 64 or more gives 0 (and must not build a huge BigInt).
      const [value, shift] = [BigInt.asUintN(64, int64(left)), BigInt.asUintN(64, int64(right))];
      if (shift >= 64n) return 0;
      return Number(operator === '<<' ? BigInt.asUintN(64, value << shift) : value >> shift);
    }
  }
  throw new WhenError(`unknown operator ${operator}`, column);
}
