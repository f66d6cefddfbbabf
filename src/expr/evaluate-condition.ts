import { ExpressionError } from './expression-ast.js';
import { evaluateExpression } from './expression-evaluator.js';
import { expressionReferences } from './expression-identifiers.js';
import { parseExpression } from './expression-parser.js';
import { isPlainMap, typeName } from './go-values.js';
import { expressionEnv, type VariableLookup } from './substitute.js';

/**
 * Evaluates an expr-lang condition that must give a bool, against flat variables looked up by
 * name (Argo's argoexpr.EvalBool over the expanded scope): lifecycle hook `expression`s. Only the
 * names the expression reads are looked up, so a large scope costs nothing. Throws
 * `ExpressionSyntaxError`/`ExpressionError` (bad text, unknown names, a result that is not a bool).
 *
 * @example
 * evaluateCondition('steps["step-1"].status == "Running"', (n) => (n === 'steps.step-1.status' ? 'Running' : undefined)) // true
 */
export function evaluateCondition(expression: string, lookup: VariableLookup, options: { now?: Date | number } = {}): boolean {
  const ast = parseExpression(expression);
  const references = expressionReferences(ast);
  const env = expressionEnv(references, lookup);
  let value: unknown;
  try {
    value = evaluateExpression(ast, env, options);
  } catch (error) {
    // The lookup cannot list what exists, so a name it does not know is named as the likely cause.
    const missing = references.find((ref) => !ref.guarded && lookup(ref.path) === undefined && !hasPath(env, ref.path));
    if (missing) throw new ExpressionError(`${missing.path} is not a variable here`, missing.column);
    throw error;
  }
  if (typeof value !== 'boolean') throw new ExpressionError(`the expression gives ${typeName(value)}, not a bool`);
  return value;
}

function hasPath(env: Record<string, unknown>, path: string): boolean {
  let node: unknown = env;
  for (const part of path.split('.')) {
    if (!isPlainMap(node) || !Object.hasOwn(node, part)) return false;
    node = node[part];
  }
  return true;
}
