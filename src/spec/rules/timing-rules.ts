import { parseExpression } from '../../expr/expression-parser.js';
import type { DocumentPath, Finding } from '../diagnostic.js';
import type { RetryStrategy, Template } from '../model/workflow.js';
import { isLeafTemplate, templateTypeOf } from '../template-type.js';
import { isRecord, list, type SpecContext } from './spec-context.js';

const GO_DURATION = /^[-+]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+$/;

/** A Go duration (`90s`, `1h30m`), the form Argo parses with time.ParseDuration. */
export function isGoDuration(value: string): boolean {
  return value === '0' || GO_DURATION.test(value);
}

const isVariable = (value: string): boolean => value.includes('{{');

/**
 * Retries, deadlines and timeouts: the values parse, and they sit on templates that can honour
 * them (Argo ignores or rejects a deadline on a steps template, so say so before it runs).
 */
export function checkTiming(context: SpecContext): Finding[] {
  const findings: Finding[] = [];
  if (isRecord(context.spec.retryStrategy)) findings.push(...checkRetryStrategy(context.spec.retryStrategy, [...context.specPath, 'retryStrategy']));
  list<Template>(context.spec.templates).forEach((template, index) => {
    if (!isRecord(template)) return;
    const path = [...context.specPath, 'templates', index];
    const type = templateTypeOf(template);
    const leaf = isLeafTemplate(template);
    if (isRecord(template.retryStrategy)) findings.push(...checkRetryStrategy(template.retryStrategy, [...path, 'retryStrategy']));
    const deadline = template.activeDeadlineSeconds;
    if (deadline !== undefined && type !== undefined && !leaf && type !== 'suspend') {
      findings.push({ path: [...path, 'activeDeadlineSeconds'], at: 'key', severity: 'error', rule: 'deadline', message: `activeDeadlineSeconds only applies to templates that run something; "${String(template.name)}" is a ${type} template` });
    } else if (typeof deadline === 'number' ? deadline <= 0 : typeof deadline === 'string' && !isVariable(deadline) && !/^\d+$/.test(deadline)) {
      findings.push({ path: [...path, 'activeDeadlineSeconds'], severity: 'error', rule: 'deadline', message: 'activeDeadlineSeconds must be a positive number of seconds or a {{...}} variable' });
    }
    for (const key of ['timeout', 'pendingTimeout'] as const) {
      const value = template[key];
      if (typeof value !== 'string' || value === '') continue;
      if (type !== undefined && !leaf) {
        findings.push({ path: [...path, key], at: 'key', severity: 'error', rule: 'deadline', message: `${key} only applies to templates that run something; "${String(template.name)}" is a ${type} template` });
      } else if (!isVariable(value) && !isGoDuration(value)) {
        findings.push({ path: [...path, key], severity: 'error', rule: 'deadline', message: `${key} "${value}" is not a duration such as "30s" or "1h" (a bare number has no unit)` });
      }
    }
    if (template.parallelism !== undefined && type !== undefined && type !== 'steps' && type !== 'dag') {
      findings.push({ path: [...path, 'parallelism'], at: 'key', severity: 'error', rule: 'parallelism', message: 'parallelism only applies to steps and DAG templates' });
    }
    const suspend = template.suspend;
    if (isRecord(suspend) && typeof suspend.duration === 'string' && !isVariable(suspend.duration) && !/^\d+$/.test(suspend.duration) && !isGoDuration(suspend.duration)) {
      findings.push({ path: [...path, 'suspend', 'duration'], severity: 'error', rule: 'deadline', message: `suspend duration "${suspend.duration}" is neither seconds nor a duration such as "20s"` });
    }
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
        findings.push({ path: [...path, 'backoff', key], severity: 'error', rule: 'retry-strategy', message: `backoff.${key} "${value}" is not a duration such as "10s" or "2m"` });
      }
    }
    const factor = backoff.factor;
    if ((typeof factor === 'number' && factor < 1) || (typeof factor === 'string' && !isVariable(factor) && !(Number(factor) >= 1))) {
      findings.push({ path: [...path, 'backoff', 'factor'], severity: 'error', rule: 'retry-strategy', message: 'backoff.factor must be a number of at least 1' });
    }
  }
  if (typeof strategy.expression === 'string' && strategy.expression.trim() !== '') {
    try {
      // {{...}} tags are substituted before Argo evaluates the expression; any value will do here.
      parseExpression(strategy.expression.replace(/\{\{[^}]*\}\}/g, 'argoVariable'));
    } catch (error) {
      findings.push({ path: [...path, 'expression'], severity: 'error', rule: 'retry-strategy', message: `retryStrategy.expression does not parse: ${(error as Error).message}` });
    }
  }
  return findings;
}
