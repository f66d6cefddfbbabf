import type { Invocation, Sequence } from '../spec/model/workflow.js';
import { loopNodeName } from './node-naming.js';
import { substituteValue, type VariableScope } from './variable-scope.js';
import type { SubstituteProblem } from '../expr/index.js';

/** One iteration of a looped step or task: its name and its substituted invocation. */
export interface LoopIteration<T extends Invocation> {
  name: string;
  invocation: T;
}

export function isLooped(invocation: Invocation): boolean {
  return (invocation.withItems !== undefined && invocation.withItems !== null) || Boolean(invocation.withParam) || invocation.withSequence !== undefined;
}

/**
 * The items of a loop, as Argo expands them (workflow/controller/operator.go expandSequence,
 * steps.go expandStep): `withItems` as given, `withParam` parsed as a JSON list, `withSequence`
 * formatted with Go's %d-style format. Throws with a message for the node on bad input.
 */
export function loopItems(invocation: Invocation): unknown[] {
  if (invocation.withItems) return invocation.withItems;
  if (invocation.withParam !== undefined && invocation.withParam !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(invocation.withParam);
    } catch (error) {
      throw new Error(`withParam value could not be parsed as a JSON list: ${invocation.withParam.trim()}: ${(error as Error).message}`);
    }
    if (!Array.isArray(parsed)) throw new Error(`withParam value could not be parsed as a JSON list: ${invocation.withParam.trim()}`);
    return parsed;
  }
  if (invocation.withSequence) return sequenceItems(invocation.withSequence);
  return [];
}

function toInt(value: unknown, field: string): number {
  const text = String(value).trim();
  if (!/^[-+]?\d+$/.test(text)) throw new Error(`withSequence ${field} "${text}" is not an integer`);
  return Number(text);
}

export function sequenceItems(sequence: Sequence): string[] {
  const start = sequence.start !== undefined ? toInt(sequence.start, 'start') : 0;
  let end: number;
  if (sequence.end !== undefined) end = toInt(sequence.end, 'end');
  else if (sequence.count !== undefined) {
    const count = toInt(sequence.count, 'count');
    if (count === 0) return [];
    end = start + count - 1;
  } else throw new Error('neither end nor count was specified in withSequence');
  const format = sequence.format ?? '%d';
  const items: string[] = [];
  const step = start <= end ? 1 : -1;
  for (let i = start; step > 0 ? i <= end : i >= end; i += step) items.push(formatInt(format, i));
  return items;
}

// Go's fmt for the verbs a sequence format uses: %d, %02d, %x, %o, %%, with text around.
function formatInt(format: string, n: number): string {
  return format.replace(/%(-)?(0)?(\d+)?([dxXob%])/g, (_m, minus: string | undefined, zero: string | undefined, width: string | undefined, verb: string) => {
    if (verb === '%') return '%';
    const radix = verb === 'd' ? 10 : verb === 'o' ? 8 : verb === 'b' ? 2 : 16;
    let digits = Math.abs(n).toString(radix);
    if (verb === 'X') digits = digits.toUpperCase();
    const sign = n < 0 ? '-' : '';
    const w = width ? Number(width) : 0;
    if (minus) return (sign + digits).padEnd(w, ' ');
    if (zero) return sign + digits.padStart(Math.max(0, w - sign.length), '0');
    return (sign + digits).padStart(w, ' ');
  });
}

/** The variables of one item: `item`, and `item.<key>` for maps (Argo's processItem). */
export function itemVariables(item: unknown, scope: VariableScope): VariableScope {
  const vars = scope.child();
  if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
    for (const [k, v] of Object.entries(item)) vars.set(`item.${k}`, typeof v === 'string' ? v : JSON.stringify(v));
    vars.set('item', JSON.stringify(item));
  } else if (Array.isArray(item)) vars.set('item', JSON.stringify(item));
  else vars.set('item', String(item));
  return vars;
}

/**
 * Expands a looped invocation into its iterations, substituting `{{item}}` in each copy.
 * The loop fields themselves are dropped from the copies (Argo does the same, because they can
 * be huge and are not needed any more).
 */
export function expandLoop<T extends Invocation>(invocation: T, scope: VariableScope): { iterations: LoopIteration<T>[]; problems: SubstituteProblem[] } {
  const items = loopItems(invocation);
  const { withItems: _a, withParam: _b, withSequence: _c, ...rest } = invocation;
  const problems: SubstituteProblem[] = [];
  const iterations = items.map((item, index) => {
    const name = loopNodeName(invocation.name, index, item);
    // Seeded per iteration, so a random value that depends on the item differs between iterations.
    const vars = itemVariables(item, scope).seedForNode(name);
    const result = substituteValue(rest, vars, false);
    problems.push(...result.problems);
    const copy = { ...(result.value as T), template: invocation.template } as T;
    return { name, invocation: copy };
  });
  return { iterations, problems };
}
