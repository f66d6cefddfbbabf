import type { ExpressionAst } from './expression-ast.js';
import { parseExpression } from './expression-parser.js';

/** One variable an expression reads, as the flat dotted name Argo would look up. */
export interface ExpressionReference {
  /** `inputs.parameters.my-param` for both `inputs.parameters.my-param` and `inputs.parameters['my-param']`. */
  path: string;
  /** 1-based column of the reference's first name. */
  column: number;
  /**
   * True when a missing value is handled by the expression itself — the left side of `??`, or a
   * chain containing `?.` — so, as in Argo, it need not exist before evaluation.
   */
  guarded: boolean;
}

/**
 * Every variable reference in an expression, longest static path first-come, including guarded
 * ones. Function names, `sprig.*` and predicate pointers (`#`) are not variables.
 *
 * @example
 * expressionReferences(parseExpression("x.y ?? z"))
 * // [{ path: 'x.y', column: 1, guarded: true }, { path: 'z', column: 8, guarded: false }]
 */
export function expressionReferences(input: ExpressionAst | string): ExpressionReference[] {
  const found: ExpressionReference[] = [];
  visit(typeof input === 'string' ? parseExpression(input) : input, false, found);
  return found;
}

/**
 * The distinct dotted variable paths an expression reads, in order of appearance, so a linter can
 * check that each exists.
 *
 * @example
 * expressionIdentifiers(parseExpression("tasks['a'].outputs.result == inputs.parameters['my-param']"))
 * // ['tasks.a.outputs.result', 'inputs.parameters.my-param']
 */
export function expressionIdentifiers(input: ExpressionAst | string): string[] {
  return [...new Set(expressionReferences(input).map((ref) => ref.path))];
}

/**
 * The static part of a member chain: `a.b['c'][x].d` has static path `a.b.c` and leaves `x` and
 * the dynamic tail to be visited separately.
 */
function staticPath(node: ExpressionAst): { parts: string[]; column: number; optional: boolean; root: ExpressionAst } | undefined {
  const chain: ExpressionAst[] = [];
  let current = node;
  while (current.kind === 'member') {
    chain.push(current);
    current = current.object;
  }
  if (current.kind !== 'identifier') return undefined;
  const parts = [current.name];
  let optional = false;
  let root: ExpressionAst = current;
  for (const member of chain.reverse()) {
    if (member.kind !== 'member' || member.property.kind !== 'literal' || typeof member.property.value !== 'string') break;
    parts.push(member.property.value);
    optional ||= member.optional;
    root = member;
  }
  return { parts, column: current.column, optional, root };
}

function visit(node: ExpressionAst, guarded: boolean, found: ExpressionReference[]): void {
  switch (node.kind) {
    case 'literal':
    case 'pointer':
      return;
    case 'identifier':
      found.push({ path: node.name, column: node.column, guarded });
      return;
    case 'member': {
      const path = staticPath(node);
      if (path) {
        found.push({ path: path.parts.join('.'), column: path.column, guarded: guarded || path.optional });
        visitDynamicTail(node, path.root, found);
      } else {
        visit(node.object, guarded, found);
        visit(node.property, false, found);
      }
      return;
    }
    case 'slice':
      visit(node.object, guarded, found);
      if (node.from) visit(node.from, false, found);
      if (node.to) visit(node.to, false, found);
      return;
    case 'call': {
      const { callee } = node;
      if (callee.kind === 'member' && !(callee.object.kind === 'identifier' && callee.object.name === 'sprig')) visit(callee.object, guarded, found);
      for (const arg of node.args) visit(arg, false, found);
      return;
    }
    case 'predicate':
      visit(node.body, false, found);
      return;
    case 'unary':
      visit(node.operand, false, found);
      return;
    case 'binary':
      visit(node.left, node.operator === '??', found);
      visit(node.right, false, found);
      return;
    case 'conditional':
      visit(node.test, false, found);
      visit(node.then, false, found);
      visit(node.otherwise, false, found);
      return;
    case 'array':
      for (const item of node.items) visit(item, false, found);
      return;
    case 'map':
      for (const entry of node.entries) {
        visit(entry.key, false, found);
        visit(entry.value, false, found);
      }
  }
}

// Visits the index expressions of the members above the static part, e.g. `x` in `a.b[x].c`.
function visitDynamicTail(node: ExpressionAst, stop: ExpressionAst, found: ExpressionReference[]): void {
  let current = node;
  const pending: ExpressionAst[] = [];
  while (current !== stop && current.kind === 'member') {
    pending.push(current.property);
    current = current.object;
  }
  for (const property of pending.reverse()) visit(property, false, found);
}
