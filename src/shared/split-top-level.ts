/**
 * Splits a selector at the commas outside parentheses, as Kubernetes' label selectors are written
 * (`tier=web,env in (prod, staging)` is two requirements). Parts are not trimmed.
 *
 * @example splitTopLevel('a=1,b in (x, y)') // ['a=1', 'b in (x, y)']
 */
export function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const c of text) {
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts;
}
