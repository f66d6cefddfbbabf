/**
 * The expression layer: `{{...}}` tags, `{{= ...}}` expressions (an expr-lang subset with Argo's
 * functions and sprig), govaluate-style `when:` conditions and DAG `depends:` logic. Pure: no I/O,
 * never `eval`, and no clock or randomness of its own: `now()` and sprig's date functions read the
 * time the caller passes as the `now` option, sprig's random functions draw from its `seed`.
 */
export { findTemplateTags, type TemplateTag } from './template-tags.js';
export { type ExpressionAst, ExpressionError, ExpressionSyntaxError, MAX_NESTING_DEPTH } from './expression-ast.js';
export { parseExpression } from './expression-parser.js';
export { evaluateExpression, type EvaluateOptions } from './expression-evaluator.js';
export { evaluateCondition } from './evaluate-condition.js';
export { type GoInstant, GoLocation, loadLocation } from './go-calendar.js';
export { formatGoTime } from './go-time-format.js';
export { parseGoTime } from './go-time-parse.js';
export { formatGoDuration, GoDuration, GoTime, parseGoDuration } from './go-time.js';
export { expressionIdentifiers, expressionReferences, type ExpressionReference } from './expression-identifiers.js';
export { nestFlatVariables } from './nest-flat-variables.js';
export { jsonPath } from './json-path.js';
export { goJson, goString } from './go-values.js';
export {
  substituteTemplate,
  type SubstituteOptions,
  type SubstituteProblem,
  type SubstituteResult,
  type VariableLookup,
} from './substitute.js';
export { evaluateWhen, WhenError } from './when.js';
export {
  type ContinueOn,
  dependenciesToDepends,
  type DependencyState,
  type DependsAst,
  DependsSyntaxError,
  dependsTaskNames,
  evaluateDepends,
  type EvaluateDependsOptions,
  parseDepends,
  TASK_RESULTS,
  type TaskResult,
} from './depends.js';
export { BARE_FUNCTION_NAMES, SPRIG_FUNCTION_NAMES, SPRIG_RANDOM_FUNCTION_NAMES } from './function-names.js';
export { REFUSED_SPRIG_FUNCTIONS } from './refused-sprig-functions.js';
export { type ExpressionCall, expressionCalls } from './expression-calls.js';
