import { evaluateExpression, jsonPath } from '../../../expr/index.js';

/**
 * The value of a resource template's output parameter, read off the object as Argo reads it:
 * `valueFrom.jsonPath` is kubectl's JSONPath template (`{.metadata.name}`, text around and between
 * `{...}` kept, several matches joined by spaces), and `valueFrom.jqFilter` a jq filter, of which
 * paths are understood (`.`, `.metadata.name`, `.items[0]`, `.metadata.labels["app"]`). Strings come
 * out as they are, everything else as compact JSON. Pure.
 */

export class ResourceOutputError extends Error {}

/**
 * kubectl's `-o jsonpath=...` over one object. A key that is not there gives nothing, as kubectl's
 * default `--allow-missing-template-keys` does.
 *
 * @example kubectlJsonPath({ metadata: { name: 'job-x' } }, '{.metadata.name}') // 'job-x'
 */
export function kubectlJsonPath(object: unknown, template: string): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    if (open < 0) {
      out += template.slice(i);
      break;
    }
    out += template.slice(i, open);
    const close = template.indexOf('}', open);
    if (close < 0) throw new ResourceOutputError(`jsonPath ${JSON.stringify(template)}: a "{" is never closed`);
    out += expand(object, template.slice(open + 1, close).trim(), template);
    i = close + 1;
  }
  return out;
}

function expand(object: unknown, inner: string, template: string): string {
  if (inner === '' || inner === '.' || inner === '$' || inner === '@') return text(object);
  if (/^\s*range\b|^\s*end\s*$/.test(inner)) throw new ResourceOutputError(`jsonPath ${JSON.stringify(template)}: range/end is not supported`);
  const path = inner.startsWith('$') ? inner : inner.startsWith('.') || inner.startsWith('[') ? `$${inner}` : `$.${inner}`;
  let found: unknown;
  try {
    found = jsonPath(JSON.stringify(object), path, (filter, variables) => evaluateExpression(filter, variables));
  } catch (error) {
    if (/not found|non-array|out of range/.test((error as Error).message)) return '';
    throw new ResourceOutputError(`jsonPath ${JSON.stringify(template)}: ${(error as Error).message}`);
  }
  if (found === undefined) return '';
  return Array.isArray(found) && isMultiPath(path) ? found.map(text).join(' ') : text(found);
}

// A path with a wildcard, a union, a range, a filter or `..` yields a list of matches.
function isMultiPath(path: string): boolean {
  return /\*|\.\.|\[[^\]]*[,:?][^\]]*\]/.test(path);
}

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  return JSON.stringify(value);
}

/**
 * A jq filter that is a path. Anything else (pipes, functions, object construction) is refused
 * with a message saying to use a path or jsonPath.
 *
 * @example jqPath({ metadata: { labels: { app: 'x' } } }, '.metadata.labels["app"]') // 'x'
 */
export function jqPath(object: unknown, filter: string): string {
  const steps = parseJqPath(filter.trim());
  let current: unknown = object;
  for (const step of steps) {
    if (current === null || current === undefined) return 'null';
    if (typeof step === 'number') current = Array.isArray(current) ? current.at(step) : undefined;
    else current = typeof current === 'object' && !Array.isArray(current) ? (current as Record<string, unknown>)[step] : undefined;
  }
  if (current === undefined) return 'null';
  return typeof current === 'string' ? current : JSON.stringify(current);
}

function parseJqPath(filter: string): Array<string | number> {
  const refuse = (): never => {
    throw new ResourceOutputError(
      `jqFilter ${JSON.stringify(filter)}: only jq paths are understood (., .a.b, .a[0], .a["b"]); use such a path or valueFrom.jsonPath`,
    );
  };
  if (!filter.startsWith('.')) refuse();
  if (filter === '.') return [];
  const steps: Array<string | number> = [];
  const pattern = /\.([A-Za-z_][A-Za-z0-9_]*)|\[(-?\d+)\]|\.?\["((?:[^"\\]|\\.)*)"\]/y;
  let at = 0;
  while (at < filter.length) {
    pattern.lastIndex = at;
    const match = pattern.exec(filter);
    if (!match) return refuse();
    if (match[1] !== undefined) steps.push(match[1]);
    else if (match[2] !== undefined) steps.push(Number(match[2]));
    else steps.push(JSON.parse(`"${match[3]}"`) as string);
    at = pattern.lastIndex;
  }
  return steps;
}
