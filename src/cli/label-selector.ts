import { UsageError } from './cli-io.js';
import { splitTopLevel } from '../shared/split-top-level.js';

type Requirement = (labels: Record<string, string>) => boolean;

/**
 * A Kubernetes label selector (`-l`), as kubectl and argo read it: requirements separated by
 * commas, each `key=value`, `key==value`, `key!=value`, `key in (a,b)`, `key notin (a,b)`, `key`
 * (has it) or `!key` (has it not). Returns a test of an object's labels; a malformed selector is
 * a usage error.
 *
 * @example parseLabelSelector('team=data,tier in (a,b),!draft')({ team: 'data', tier: 'a' }) // true
 */
export function parseLabelSelector(text: string): (labels: Record<string, string> | undefined) => boolean {
  const requirements: Requirement[] = [];
  for (const part of splitTopLevel(text)) {
    const item = part.trim();
    if (item === '') continue;
    let match: RegExpExecArray | null;
    if ((match = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(item))) {
      const [, key, op, list] = match as unknown as [string, string, string, string];
      const values = new Set(list.split(',').map((v) => v.trim()));
      requirements.push(op === 'in' ? (l) => key in l && values.has(l[key]!) : (l) => !(key in l) || !values.has(l[key]!));
    } else if ((match = /^([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)$/.exec(item))) {
      const [, key, op, value] = match as unknown as [string, string, string, string];
      requirements.push(op === '!=' ? (l) => l[key] !== value : (l) => l[key] === value);
    } else if ((match = /^!\s*([\w./-]+)$/.exec(item))) {
      const key = match[1]!;
      requirements.push((l) => !(key in l));
    } else if ((match = /^([\w./-]+)$/.exec(item))) {
      const key = match[1]!;
      requirements.push((l) => key in l);
    } else {
      throw new UsageError(`-l ${text}: cannot read "${item}" as a label selector (key=value, key!=value, key in (a,b), key, !key)`);
    }
  }
  return (labels) => requirements.every((r) => r(labels ?? {}));
}
