import type { Finding } from '../diagnostic.js';
import { invocationSites, isRecord, type SpecContext } from './spec-context.js';

/** Only one loop per step; withSequence counts or ends but not both; withParam is JSON or a reference. */
export function checkLoops(context: SpecContext): Finding[] {
  const findings: Finding[] = [];
  for (const { invocation, path } of invocationSites(context)) {
    const loops = (['withItems', 'withParam', 'withSequence'] as const).filter((key) => invocation[key] !== undefined && invocation[key] !== null);
    if (loops.length > 1) {
      findings.push({
        path: [...path, loops[1]!],
        at: 'key',
        severity: 'error',
        rule: 'loop',
        message: `only one of withItems, withParam and withSequence may be set; found ${loops.join(' and ')}`,
      });
    }
    if (Array.isArray(invocation.withItems) && invocation.withItems.length === 0) {
      findings.push({ path: [...path, 'withItems'], severity: 'warning', rule: 'loop', message: 'withItems is empty: the step will be skipped' });
    }
    const sequence = invocation.withSequence;
    if (isRecord(sequence)) {
      if (sequence.count !== undefined && sequence.end !== undefined) {
        findings.push({
          path: [...path, 'withSequence'],
          at: 'key',
          severity: 'error',
          rule: 'loop',
          message: 'withSequence takes either count or end, not both',
        });
      }
      if (sequence.count === undefined && sequence.end === undefined) {
        findings.push({ path: [...path, 'withSequence'], at: 'key', severity: 'error', rule: 'loop', message: 'withSequence needs count or end' });
      }
      for (const key of ['count', 'start', 'end'] as const) {
        const value = sequence[key];
        if (typeof value === 'string' && !value.includes('{{') && !/^-?\d+$/.test(value.trim())) {
          findings.push({ path: [...path, 'withSequence', key], severity: 'error', rule: 'loop', message: `withSequence.${key} "${value}" is not an integer` });
        }
        if (key === 'count' && typeof value === 'number' && value < 0) {
          findings.push({ path: [...path, 'withSequence', key], severity: 'error', rule: 'loop', message: 'withSequence.count cannot be negative' });
        }
      }
      if (typeof sequence.format === 'string' && !/%[-+ #0]*\d*(\.\d+)?[dxXobcs]/.test(sequence.format)) {
        findings.push({
          path: [...path, 'withSequence', 'format'],
          severity: 'error',
          rule: 'loop',
          message: `withSequence.format "${sequence.format}" has no printf verb such as %d or %02x`,
        });
      }
    }
    const param = invocation.withParam;
    if (typeof param === 'string' && !param.includes('{{')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(param);
      } catch {
        parsed = undefined;
      }
      if (!Array.isArray(parsed)) {
        findings.push({
          path: [...path, 'withParam'],
          severity: 'error',
          rule: 'loop',
          message: 'withParam must be a JSON list or a {{...}} reference to one',
        });
      }
    }
  }
  return findings;
}
