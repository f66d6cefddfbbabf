import { distance } from 'fastest-levenshtein';
import type { DocumentPath, Finding } from '../diagnostic.js';
import type { Shape } from './shape.js';

/**
 * Checks a parsed value against a shape: wrong JSON types and missing required fields are errors;
 * unknown keys are warnings with a "did you mean" (Kubernetes drops unknown fields silently, so a
 * typo such as `dependancies` would otherwise just make a workflow behave differently).
 *
 * @example checkShape({ kind: 'Workflow', spec: { entrypoint: 1 } }, workflow)
 *   // → [{ path: ['spec', 'entrypoint'], rule: 'schema', message: 'expected a string, found a number', ... }]
 */
export function checkShape(value: unknown, shape: Shape, path: DocumentPath = []): Finding[] {
  const findings: Finding[] = [];
  visit(value, shape, [...path], findings);
  return findings;
}

function visit(value: unknown, shape: Shape, path: Array<string | number>, findings: Finding[]): void {
  // A null value is how YAML writes an empty field (`inputs:`); Go unmarshals it as the zero value.
  if (value === null || value === undefined) return;
  const mismatch = (expected: string): void => {
    findings.push({ path, severity: 'error', rule: 'schema', message: `${describePath(path)}: expected ${expected}, found ${describeValue(value)}` });
  };
  switch (shape.kind) {
    case 'any':
      return;
    case 'string':
      if (typeof value !== 'string') return mismatch('a string');
      if (shape.enum && !shape.enum.includes(value)) {
        const allowed = shape.enum
          .filter((v) => v !== '')
          .map((v) => `"${v}"`)
          .join(', ');
        findings.push({
          path,
          severity: 'error',
          rule: 'schema',
          message: `${describePath(path)}: "${value}" is not one of ${allowed}${suggest(value, shape.enum)}`,
        });
      }
      return;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) return mismatch('an integer');
      return;
    case 'number':
      if (typeof value !== 'number') return mismatch('a number');
      return;
    case 'boolean':
      if (typeof value !== 'boolean') return mismatch('true or false');
      return;
    case 'intOrString':
      if (typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value))) return;
      return mismatch('an integer or a string');
    case 'scalar':
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return;
      return mismatch('a string, number or boolean');
    case 'array':
      if (!Array.isArray(value)) return mismatch('a list');
      value.forEach((item, index) => visit(item, shape.items, [...path, index], findings));
      return;
    case 'map':
      if (!isPlainObject(value)) return mismatch('a map');
      for (const [key, item] of Object.entries(value)) visit(item, shape.values, [...path, key], findings);
      return;
    case 'object': {
      if (!isPlainObject(value)) return mismatch(`a map (${shape.name})`);
      const fields = shape.fields();
      for (const required of shape.required ?? []) {
        if (!(required in value)) {
          findings.push({ path, at: 'key', severity: 'error', rule: 'schema', message: `${describePath(path)}: missing required field "${required}"` });
        }
      }
      for (const [key, item] of Object.entries(value)) {
        const field = fields[key];
        if (field) {
          visit(item, field, [...path, key], findings);
        } else {
          findings.push({
            path: [...path, key],
            at: 'key',
            severity: 'warning',
            rule: 'unknown-key',
            message: `unknown field "${key}" in ${shape.name}${suggest(key, Object.keys(fields))}; it will be ignored`,
          });
        }
      }
      return;
    }
  }
}

/** ` (did you mean "dependencies"?)` when a known name is close enough to be the intended one. */
export function suggest(word: string, candidates: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (!candidate) continue;
    const d = distance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  const tolerance = Math.max(2, Math.floor(word.length / 3));
  return best !== undefined && bestDistance <= tolerance ? ` (did you mean "${best}"?)` : '';
}

export function describePath(path: DocumentPath): string {
  let out = '';
  for (const segment of path) out += typeof segment === 'number' ? `[${segment}]` : out ? `.${segment}` : segment;
  return out || '(document)';
}

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') return `the string "${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  return `${typeof value === 'number' ? 'the number' : 'the value'} ${String(value)}`;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
