import { joinPath } from './field-diff.js';

/** One `metadata.managedFields` entry, as the API server writes it. */
export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: Record<string, unknown>;
  subresource?: string;
}

/** A field of an object and who last set it. */
export interface FieldOwner {
  path: string;
  manager: string;
  operation: string;
  time?: string;
}

/**
 * The leaf fields each manager owns, from `managedFields` (FieldsV1: `f:name` a field, `k:{...}`
 * a list item by its keys, `v:value` a set member, `i:n` an index, `.` the node itself). Paths
 * read as diffFields writes them; a list item by key reads `containers[name=main]`.
 *
 * @example
 *   fieldOwners([{ manager: 'kubectl-edit', operation: 'Update', fieldsV1: { 'f:data': { 'f:b': {} } } }])
 *   // [{ path: 'data.b', manager: 'kubectl-edit', operation: 'Update' }]
 */
export function fieldOwners(entries: readonly ManagedFieldsEntry[] | undefined): FieldOwner[] {
  const owners: FieldOwner[] = [];
  for (const entry of entries ?? []) {
    // Status is written by controllers through its own subresource: not a change of what git declares.
    if (entry.subresource === 'status' || entry.fieldsType !== 'FieldsV1' || !entry.fieldsV1) continue;
    for (const path of leafPaths(entry.fieldsV1, '')) {
      const owner: FieldOwner = { path, manager: entry.manager ?? '(unknown)', operation: entry.operation ?? '' };
      if (entry.time !== undefined) owner.time = entry.time;
      owners.push(owner);
    }
  }
  return owners;
}

function leafPaths(node: Record<string, unknown>, path: string): string[] {
  const children = Object.entries(node).filter(([key]) => key !== '.');
  if (children.length === 0) return path === '' ? [] : [path];
  const out: string[] = [];
  for (const [key, child] of children) {
    const next = step(path, key);
    if (next === undefined) continue;
    out.push(...leafPaths(typeof child === 'object' && child !== null ? (child as Record<string, unknown>) : {}, next));
  }
  return out;
}

function step(path: string, key: string): string | undefined {
  const kind = key.slice(0, 2);
  const rest = key.slice(2);
  if (kind === 'f:') return joinPath(path, rest);
  if (kind === 'i:') return `${path}[${rest}]`;
  if (kind === 'v:') return `${path}[=${rest}]`;
  if (kind === 'k:') {
    try {
      const keys = JSON.parse(rest) as Record<string, unknown>;
      return `${path}[${Object.entries(keys)
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(',')}]`;
    } catch {
      return `${path}[${rest}]`;
    }
  }
  return undefined;
}
