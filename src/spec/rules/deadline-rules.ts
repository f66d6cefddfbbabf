import type { Finding } from '../diagnostic.js';
import type { Template } from '../model/workflow.js';
import { isLeafTemplate, templateTypeOf } from '../template-type.js';
import { isGoDuration, isVariable } from './go-duration.js';
import { isRecord, list, type SpecContext } from './spec-context.js';

/**
 * Deadlines, timeouts and suspend durations: the values parse, and they sit on templates that can
 * honour them (Argo ignores or rejects a deadline on a steps template, so say so before it runs).
 * Also `parallelism`, which only steps and DAG templates have.
 */
export function checkDeadlines(context: SpecContext): Finding[] {
  const findings: Finding[] = [];
  list<Template>(context.spec.templates).forEach((template, index) => {
    if (!isRecord(template)) return;
    const path = [...context.specPath, 'templates', index];
    const type = templateTypeOf(template);
    const leaf = isLeafTemplate(template);
    const deadline = template.activeDeadlineSeconds;
    if (deadline !== undefined && type !== undefined && !leaf && type !== 'suspend') {
      findings.push({
        path: [...path, 'activeDeadlineSeconds'],
        at: 'key',
        severity: 'error',
        rule: 'deadline',
        message: `activeDeadlineSeconds only applies to templates that run something; "${String(template.name)}" is a ${type} template`,
      });
    } else if (typeof deadline === 'number' ? deadline <= 0 : typeof deadline === 'string' && !isVariable(deadline) && !/^\d+$/.test(deadline)) {
      findings.push({
        path: [...path, 'activeDeadlineSeconds'],
        severity: 'error',
        rule: 'deadline',
        message: 'activeDeadlineSeconds must be a positive number of seconds or a {{...}} variable',
      });
    }
    for (const key of ['timeout', 'pendingTimeout'] as const) {
      const value = template[key];
      if (typeof value !== 'string' || value === '') continue;
      if (type !== undefined && !leaf) {
        findings.push({
          path: [...path, key],
          at: 'key',
          severity: 'error',
          rule: 'deadline',
          message: `${key} only applies to templates that run something; "${String(template.name)}" is a ${type} template`,
        });
      } else if (!isVariable(value) && !isGoDuration(value)) {
        findings.push({
          path: [...path, key],
          severity: 'error',
          rule: 'deadline',
          message: `${key} "${value}" is not a duration such as "30s" or "1h" (a bare number has no unit)`,
        });
      }
    }
    if (template.parallelism !== undefined && type !== undefined && type !== 'steps' && type !== 'dag') {
      findings.push({
        path: [...path, 'parallelism'],
        at: 'key',
        severity: 'error',
        rule: 'parallelism',
        message: 'parallelism only applies to steps and DAG templates',
      });
    }
    const suspend = template.suspend;
    if (
      isRecord(suspend) &&
      typeof suspend.duration === 'string' &&
      !isVariable(suspend.duration) &&
      !/^\d+$/.test(suspend.duration) &&
      !isGoDuration(suspend.duration)
    ) {
      findings.push({
        path: [...path, 'suspend', 'duration'],
        severity: 'error',
        rule: 'deadline',
        message: `suspend duration "${suspend.duration}" is neither seconds nor a duration such as "20s"`,
      });
    }
  });
  return findings;
}
