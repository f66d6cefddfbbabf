import type { ExpressionAst } from './expression-ast.js';
import { parseExpression } from './expression-parser.js';

/** One function an expression calls by name: `asInt(...)` or `sprig.upper(...)`. */
export interface ExpressionCall {
  /** The name as written: `asInt`, `sprig.upper`. */
  name: string;
  /** Whether it is a sprig function (`sprig.` prefix). */
  sprig: boolean;
  /** 1-based column where the name starts. */
  column: number;
}

/**
 * The named function calls in an expression, in order, so a linter can check each exists before
 * the run. Method calls on values (`now().Format(...)`) are not included: what they may call
 * depends on the value.
 *
 * @example
 * expressionCalls('sprig.upper(asInt(x))')
 * // [{ name: 'sprig.upper', sprig: true, column: 1 }, { name: 'asInt', sprig: false, column: 13 }]
 */
export function expressionCalls(input: ExpressionAst | string): ExpressionCall[] {
  const found: ExpressionCall[] = [];
  const stack: ExpressionAst[] = [typeof input === 'string' ? parseExpression(input) : input];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.kind === 'call') {
      const { callee } = node;
      if (callee.kind === 'identifier') found.push({ name: callee.name, sprig: false, column: callee.column });
      else if (callee.kind === 'member' && callee.object.kind === 'identifier' && callee.object.name === 'sprig' && callee.property.kind === 'literal') {
        found.push({ name: `sprig.${String(callee.property.value)}`, sprig: true, column: callee.object.column });
      }
    }
    // Children in reverse, so calls come out in the order they are written.
    const children: ExpressionAst[] = [];
    for (const value of Object.values(node)) {
      if (Array.isArray(value)) {
        for (const item of value) {
          if (isNode(item)) children.push(item);
          else if (item && typeof item === 'object') children.push(...Object.values(item).filter(isNode));
        }
      } else if (isNode(value)) children.push(value);
    }
    stack.push(...children.reverse());
  }
  return found.sort((a, b) => a.column - b.column);
}

function isNode(value: unknown): value is ExpressionAst {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { kind?: unknown }).kind === 'string' &&
    typeof (value as { column?: unknown }).column === 'number'
  );
}
