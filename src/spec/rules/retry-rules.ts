import { parseExpression } from '../../expr/expression-parser.js';
import type { DocumentPath, Finding } from '../diagnostic.js';
import type { RetryStrategy, Template } from '../model/workflow.js';
import { isGoDuration, isVariable } from './go-duration.js';
import { isRecord, list, type SpecContext } from './spec-context.js';

/** Every retryStrategy, the workflow's and each template's: limit, backoff and expression parse. */
export function checkRetryStrategies(context: SpecContext): Finding[] {
  const findings: Finding[] = [];
  if (isRecord(context.spec.retryStrategy)) findings.push(...checkRetryStrategy(context.spec.retryStrategy, [...context.specPath, 'retryStrategy']));
  list<Template>(context.spec.templates).forEach((template, index) => {
    if (isRecord(template) && isRecord(template.retryStrategy))
      findings.push(...checkRetryStrategy(template.retryStrategy, [...context.specPath, 'templates', index, 'retryStrategy']));
  });
  return findings;
}

function checkRetryStrategy(strategy: RetryStrategy, path: DocumentPath): Finding[] {
  const findings: Finding[] = [];
  const limit = strategy.limit;
  if (typeof limit === 'number' && limit < 0) {
    findings.push({ path: [...path, 'limit'], severity: 'error', rule: 'retry-strategy', message: 'retryStrategy.limit cannot be negative' });
  } else if (typeof limit === 'string' && !isVariable(limit) && !/^\d+$/.test(limit.trim())) {
    findings.push({ path: [...path, 'limit'], severity: 'error', rule: 'retry-strategy', message: `retryStrategy.limit "${limit}" is not a whole number` });
  }
  const backoff = strategy.backoff;
  if (isRecord(backoff)) {
    for (const key of ['duration', 'maxDuration', 'cap'] as const) {
      const value = backoff[key];
      // Argo reads a bare number here as seconds.
      if (typeof value === 'string' && value !== '' && !isVariable(value) && !/^\d+$/.test(value) && !isGoDuration(value)) {
        findings.push({
          path: [...path, 'backoff', key],
          severity: 'error',
          rule: 'retry-strategy',
          message: `backoff.${key} "${value}" is not a duration such as "10s" or "2m"`,
        });
      }
    }
    const factor = backoff.factor;
    if ((typeof factor === 'number' && factor < 1) || (typeof factor === 'string' && !isVariable(factor) && !(Number(factor) >= 1))) {
      findings.push({
        path: [...path, 'backoff', 'factor'],
        severity: 'error',
        rule: 'retry-strategy',
        message: 'backoff.factor must be a number of at least 1',
      });
    }
  }
  if (typeof strategy.expression === 'string' && strategy.expression.trim() !== '') {
    try {
      // {{...}} tags are substituted before Argo evaluates the expression; any value will do here.
      parseExpression(strategy.expression.replace(/\{\{[^}]*\}\}/g, 'argoVariable'));
    } catch (error) {
      findings.push({
        path: [...path, 'expression'],
        severity: 'error',
        rule: 'retry-strategy',
        message: `retryStrategy.expression does not parse: ${(error as Error).message}`,
      });
    }
  }
  return findings;
}
