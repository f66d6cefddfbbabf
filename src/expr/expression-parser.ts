import { type ExpressionAst, ExpressionSyntaxError, MAX_NESTING_DEPTH } from './expression-ast.js';
import { type ExpressionToken, tokenizeExpression } from './expression-lexer.js';

// expr-lang's binding powers (parser/operator): higher binds tighter.
const BINARY: Record<string, { precedence: number; right?: true }> = {
  '|': { precedence: 0 },
  or: { precedence: 10 },
  '||': { precedence: 10 },
  and: { precedence: 15 },
  '&&': { precedence: 15 },
  '==': { precedence: 20 },
  '!=': { precedence: 20 },
  '<': { precedence: 20 },
  '>': { precedence: 20 },
  '<=': { precedence: 20 },
  '>=': { precedence: 20 },
  in: { precedence: 20 },
  matches: { precedence: 20 },
  contains: { precedence: 20 },
  startsWith: { precedence: 20 },
  endsWith: { precedence: 20 },
  '..': { precedence: 25 },
  '+': { precedence: 30 },
  '-': { precedence: 30 },
  '*': { precedence: 60 },
  '/': { precedence: 60 },
  '%': { precedence: 60 },
  '**': { precedence: 100, right: true },
  '^': { precedence: 100, right: true },
  '??': { precedence: 500 },
};
const UNARY: Record<string, number> = { not: 50, '!': 50, '-': 90, '+': 90 };
const COMPARISONS = new Set(['<', '>', '<=', '>=']);
const NEGATABLE = new Set(['in', 'matches', 'contains', 'startsWith', 'endsWith']);
/** Builtins whose second argument is a predicate (closure over `#`), per expr-lang's parser. */
export const PREDICATE_BUILTINS: ReadonlySet<string> = new Set([
  'all',
  'none',
  'any',
  'one',
  'filter',
  'map',
  'count',
  'sum',
  'find',
  'findIndex',
  'findLast',
  'findLastIndex',
  'groupBy',
  'sortBy',
  'reduce',
]);
// AST depth also bounds left-deep chains (`a+a+a+...`) that the parser builds without recursing.
const MAX_AST_DEPTH = 1000;

/**
 * Parses an expr-lang expression (the text after `=` in `{{= ...}}`) into a syntax tree.
 * Throws `ExpressionSyntaxError` with the 1-based column of the offending token.
 *
 * @example
 * parseExpression("inputs.parameters['my-param'] == 'x'").kind // 'binary'
 */
export function parseExpression(text: string): ExpressionAst {
  return new Parser(tokenizeExpression(text)).parseAll();
}

class Parser {
  private position = 0;
  private nesting = 0;
  private predicateDepth = 0;
  private readonly depths = new WeakMap<ExpressionAst, number>();

  constructor(private readonly tokens: ExpressionToken[]) {}

  parseAll(): ExpressionAst {
    if (this.peek().kind === 'eof') throw new ExpressionSyntaxError('empty expression', this.peek().column);
    const node = this.expression(0);
    if (this.peek().kind !== 'eof') this.fail(`unexpected token "${this.peek().value}"`);
    return node;
  }

  private peek(offset = 0): ExpressionToken {
    return this.tokens[Math.min(this.position + offset, this.tokens.length - 1)]!;
  }

  private next(): ExpressionToken {
    const token = this.peek();
    if (token.kind !== 'eof') this.position++;
    return token;
  }

  private is(value: string, offset = 0): boolean {
    const token = this.peek(offset);
    return (token.kind === 'operator' || token.kind === 'bracket') && token.value === value;
  }

  private expect(value: string): ExpressionToken {
    if (!this.is(value)) {
      const token = this.peek();
      this.fail(token.kind === 'eof' ? `expected "${value}" but the expression ended` : `expected "${value}" but found "${token.value}"`);
    }
    return this.next();
  }

  private fail(message: string, column = this.peek().column): never {
    throw new ExpressionSyntaxError(message, column);
  }

  /** Records a node's depth and refuses trees too deep to walk recursively. */
  private node<T extends ExpressionAst>(node: T, ...children: Array<ExpressionAst | undefined>): T {
    let depth = 0;
    for (const child of children) if (child) depth = Math.max(depth, this.depths.get(child) ?? 0);
    if (depth + 1 > MAX_AST_DEPTH) this.fail(`expression is too deeply nested (more than ${MAX_AST_DEPTH} levels)`, node.column);
    this.depths.set(node, depth + 1);
    return node;
  }

  private expression(minPrecedence: number): ExpressionAst {
    if (++this.nesting > MAX_NESTING_DEPTH) this.fail(`expression is too deeply nested (more than ${MAX_NESTING_DEPTH} levels)`);
    let left = this.unary();
    let previous = '';
    for (;;) {
      const token = this.peek();
      if (token.kind !== 'operator') break;
      let operator = token.value;
      let negate = false;
      if (operator === 'not') {
        const after = this.peek(1);
        if (!(after.kind === 'operator' && NEGATABLE.has(after.value))) break;
        if (BINARY[after.value]!.precedence < minPrecedence) break;
        negate = true;
        operator = after.value;
        this.next();
      }
      const info = BINARY[operator];
      if (!info || info.precedence < minPrecedence) break;
      this.next();
      if (previous === '??' && operator !== '??') {
        this.fail(`operator "${operator}" and coalesce expressions (??) cannot be mixed; wrap either in parentheses`, token.column);
      }
      previous = operator;
      if (operator === '|') {
        const name = this.next();
        if (name.kind !== 'identifier') this.fail('expected a function name after "|"', name.column);
        left = this.call(name, [left]);
        continue;
      }
      if (COMPARISONS.has(operator)) {
        left = this.comparisonChain(left, token);
        continue;
      }
      const right = this.expression(info.right ? info.precedence : info.precedence + 1);
      left = this.node({ kind: 'binary', operator, left, right, column: token.column }, left, right);
      if (negate) left = this.node({ kind: 'unary', operator: 'not', operand: left, column: token.column }, left);
    }
    if (minPrecedence === 0 && this.is('?')) left = this.conditional(left);
    this.nesting--;
    return left;
  }

  // `a < b < c` means `a < b && b < c`, as in expr-lang.
  private comparisonChain(first: ExpressionAst, token: ExpressionToken): ExpressionAst {
    let root: ExpressionAst | undefined;
    let left = first;
    let operator = token;
    for (;;) {
      const right = this.expression(BINARY[operator.value]!.precedence + 1);
      const comparison = this.node({ kind: 'binary', operator: operator.value, left, right, column: operator.column }, left, right);
      root = root ? this.node({ kind: 'binary', operator: '&&', left: root, right: comparison, column: operator.column }, root, comparison) : comparison;
      left = right;
      if (!(this.peek().kind === 'operator' && COMPARISONS.has(this.peek().value))) return root;
      operator = this.next();
    }
  }

  private conditional(test: ExpressionAst): ExpressionAst {
    const question = this.expect('?');
    let then = test;
    if (!this.is(':')) then = this.expression(0);
    this.expect(':');
    const otherwise = this.expression(0);
    return this.node({ kind: 'conditional', test, then, otherwise, column: question.column }, test, then, otherwise);
  }

  private unary(): ExpressionAst {
    const token = this.peek();
    const precedence = token.kind === 'operator' ? UNARY[token.value] : undefined;
    if (precedence !== undefined) {
      this.next();
      const operand = this.expression(precedence);
      const node = this.node({ kind: 'unary', operator: token.value as '!' | 'not' | '-' | '+', operand, column: token.column }, operand);
      return this.postfix(node);
    }
    return this.postfix(this.primary());
  }

  private primary(): ExpressionAst {
    const token = this.next();
    const { column } = token;
    if (token.kind === 'bracket' && token.value === '(') {
      const inner = this.expression(0);
      this.expect(')');
      return inner;
    }
    if (this.predicateDepth > 0 && token.kind === 'operator' && (token.value === '#' || token.value === '.')) {
      let name = '';
      if (token.value === '#' && this.peek().kind === 'identifier') name = this.next().value;
      if (token.value === '.') this.position--; // `.name` in a predicate is `#.name`
      return this.node({ kind: 'pointer', name, column });
    }
    switch (token.kind) {
      case 'number':
        return this.node({ kind: 'literal', value: parseNumber(token), column });
      case 'string':
        return this.node({ kind: 'literal', value: token.value, column });
      case 'identifier':
        if (token.value === 'true' || token.value === 'false') return this.node({ kind: 'literal', value: token.value === 'true', column });
        if (token.value === 'nil') return this.node({ kind: 'literal', value: null, column });
        if (this.is('(')) return this.call(token, []);
        return this.node({ kind: 'identifier', name: token.value, column });
      case 'bracket':
        if (token.value === '[') return this.array(column);
        if (token.value === '{') return this.map(column);
        break;
      case 'eof':
        this.fail('unexpected end of expression', column);
    }
    return this.fail(`unexpected token "${token.value}"`, column);
  }

  private call(name: ExpressionToken, piped: ExpressionAst[]): ExpressionAst {
    const callee = this.node({ kind: 'identifier', name: name.value, column: name.column });
    const args = [...piped];
    this.expect('(');
    const isPredicate = PREDICATE_BUILTINS.has(name.value);
    while (!this.is(')')) {
      if (args.length > piped.length) this.expect(',');
      if (this.is(')')) break;
      args.push(isPredicate && args.length === 1 ? this.predicate() : this.expression(0));
    }
    this.expect(')');
    if (isPredicate && args.length < 2) this.fail(`${name.value}() expects a collection and a predicate`, name.column);
    return this.node({ kind: 'call', callee, args, column: name.column }, ...args);
  }

  private predicate(): ExpressionAst {
    const column = this.peek().column;
    const braced = this.is('{');
    if (braced) this.next();
    this.predicateDepth++;
    const body = this.expression(0);
    this.predicateDepth--;
    if (braced) this.expect('}');
    return this.node({ kind: 'predicate', body, column }, body);
  }

  private array(column: number): ExpressionAst {
    const items: ExpressionAst[] = [];
    while (!this.is(']')) {
      if (items.length > 0) {
        this.expect(',');
        if (this.is(']')) break;
      }
      items.push(this.expression(0));
    }
    this.expect(']');
    return this.node({ kind: 'array', items, column }, ...items);
  }

  private map(column: number): ExpressionAst {
    const entries: Array<{ key: ExpressionAst; value: ExpressionAst }> = [];
    while (!this.is('}')) {
      if (entries.length > 0) {
        this.expect(',');
        if (this.is('}')) break;
      }
      const token = this.peek();
      let key: ExpressionAst;
      if (token.kind === 'number' || token.kind === 'string' || token.kind === 'identifier') {
        this.next();
        key = this.node({ kind: 'literal', value: token.value, column: token.column });
      } else if (this.is('(')) {
        key = this.expression(0);
      } else {
        return this.fail('a map key must be a quoted string, a number, a name, or an expression in parentheses', token.column);
      }
      this.expect(':');
      entries.push({ key, value: this.expression(0) });
    }
    this.expect('}');
    return this.node({ kind: 'map', entries, column }, ...entries.flatMap((e) => [e.key, e.value]));
  }

  private postfix(start: ExpressionAst): ExpressionAst {
    let node = start;
    for (;;) {
      const token = this.peek();
      if (this.is('.') || this.is('?.')) {
        this.next();
        const optional = token.value === '?.';
        if (optional && this.is('[')) {
          node = this.index(node, true);
          continue;
        }
        const name = this.next();
        if (name.kind !== 'identifier' && !(name.kind === 'operator' && /^[A-Za-z]+$/.test(name.value))) this.fail('expected a name after "."', name.column);
        const property = this.node({ kind: 'literal', value: name.value, column: name.column });
        node = this.node({ kind: 'member', object: node, property, optional, column: name.column }, node);
        if (this.is('(')) node = this.methodCall(node);
      } else if (this.is('[')) {
        node = this.index(node, false);
      } else {
        return node;
      }
    }
  }

  private methodCall(callee: ExpressionAst): ExpressionAst {
    this.expect('(');
    const args: ExpressionAst[] = [];
    while (!this.is(')')) {
      if (args.length > 0) this.expect(',');
      args.push(this.expression(0));
    }
    this.expect(')');
    return this.node({ kind: 'call', callee, args, column: callee.column }, callee, ...args);
  }

  private index(object: ExpressionAst, optional: boolean): ExpressionAst {
    const open = this.expect('[');
    let from: ExpressionAst | undefined;
    if (!this.is(':')) from = this.expression(0);
    if (this.is(':')) {
      this.next();
      const to = this.is(']') ? undefined : this.expression(0);
      this.expect(']');
      return this.node({ kind: 'slice', object, from, to, column: open.column }, object, from, to);
    }
    this.expect(']');
    return this.node({ kind: 'member', object, property: from!, optional, column: open.column }, object, from);
  }
}

function parseNumber(token: ExpressionToken): number {
  const text = token.value.replace(/_/g, '');
  const lower = text.toLowerCase();
  let value: number;
  if (lower.startsWith('0x') || lower.startsWith('0b') || lower.startsWith('0o')) value = Number(lower);
  else value = Number(text);
  if (!Number.isFinite(value)) throw new ExpressionSyntaxError(`invalid number literal "${token.value}"`, token.column);
  return value;
}
