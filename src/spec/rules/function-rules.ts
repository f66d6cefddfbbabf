import {
  BARE_FUNCTION_NAMES,
  expressionCalls,
  findTemplateTags,
  REFUSED_SPRIG_FUNCTIONS,
  SPRIG_FUNCTION_NAMES,
  SPRIG_RANDOM_FUNCTION_NAMES,
} from '../../expr/index.js';
import type { ExpressionCall } from '../../expr/expression-calls.js';
import type { DocumentPath, Finding } from '../diagnostic.js';
import { suggest } from '../schema/check-shape.js';
import { isRecord, type SpecContext } from './spec-context.js';

const SPRIG_CANDIDATES = [...SPRIG_FUNCTION_NAMES.map((name) => `sprig.${name}`), ...Object.keys(REFUSED_SPRIG_FUNCTIONS).map((name) => `sprig.${name}`)];

/**
 * Every function an expr-lang expression calls must be one Skiff offers, so a misspelt or refused
 * function fails the lint and not the run: `{{= ...}}` tags anywhere, and the `expression` fields
 * (outputs' `valueFrom.expression`, lifecycle hooks, `retryStrategy.expression`), whose text is
 * an expression with `{{...}}` tags substituted first. Expressions that do not parse are left to
 * the syntax rules. Retry and hook expressions are evaluated for no node, so nothing seeds the
 * random functions there: those calls are reported too.
 */
export function checkFunctions(context: SpecContext): Finding[] {
  const findings: Finding[] = [];
  const stack: Array<[unknown, DocumentPath]> = [[context.spec, context.specPath]];
  while (stack.length > 0) {
    const [value, path] = stack.pop()!;
    if (typeof value === 'string') {
      if (path.at(-1) === 'expression') {
        const unseeded = path.at(-2) === 'retryStrategy' || path.at(-3) === 'hooks';
        checkExpression(
          value.replace(/\{\{[^}]*\}\}/g, (tag) => '_'.repeat(tag.length)),
          0,
          path,
          findings,
          unseeded,
        );
      } else if (value.includes('{{=')) {
        for (const tag of findTemplateTags(value)) {
          if (tag.kind === 'expression' && tag.expression !== undefined && !tag.error) checkExpression(tag.expression, tag.start + 3, path, findings);
        }
      }
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => stack.push([item, [...path, i]]));
    } else if (isRecord(value)) {
      for (const [key, item] of Object.entries(value)) if (item !== undefined) stack.push([item, [...path, key]]);
    }
  }
  return findings;
}

/** `offset`: where the expression starts in the string, so findings point at the call. */
function checkExpression(expression: string, offset: number, path: DocumentPath, findings: Finding[], unseeded = false): void {
  let calls: ExpressionCall[];
  try {
    calls = expressionCalls(expression);
  } catch {
    return;
  }
  for (const call of calls) {
    const random = unseeded && call.sprig && SPRIG_RANDOM_FUNCTION_NAMES.includes(call.name.slice('sprig.'.length));
    const problem = random ? `${call.name} draws random values, and retry and hook expressions have no node to seed them` : unknownFunction(call);
    if (problem === undefined) continue;
    const start = offset + call.column - 1;
    findings.push({ path, span: { start, end: start + call.name.length }, severity: 'error', rule: 'unknown-function', message: problem });
  }
}

function unknownFunction(call: ExpressionCall): string | undefined {
  if (!call.sprig) {
    if (BARE_FUNCTION_NAMES.includes(call.name)) return undefined;
    const sprigHint = SPRIG_FUNCTION_NAMES.includes(call.name) ? ` (did you mean "sprig.${call.name}"?)` : suggest(call.name, BARE_FUNCTION_NAMES);
    return `unknown function ${call.name}${sprigHint}`;
  }
  const name = call.name.slice('sprig.'.length);
  if (SPRIG_FUNCTION_NAMES.includes(name)) return undefined;
  if (Object.hasOwn(REFUSED_SPRIG_FUNCTIONS, name)) return `${call.name} is not offered: ${REFUSED_SPRIG_FUNCTIONS[name]}`;
  return `unknown function ${call.name}${suggest(call.name, SPRIG_CANDIDATES)}`;
}
