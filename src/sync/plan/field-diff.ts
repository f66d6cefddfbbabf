/** One field whose value a change sets, replaces or removes; `before`/`after` absent when the field is absent. */
export interface FieldChange {
  /** The field's path, as people write it: `data.key`, `spec.templates[0].name`, `metadata.labels["app.kubernetes.io/name"]`. */
  path: string;
  before?: unknown;
  after?: unknown;
}

// What the server keeps about an object rather than what anyone declared: never a change of intent.
const SERVER_METADATA = new Set(['resourceVersion', 'managedFields', 'uid', 'creationTimestamp', 'generation', 'selfLink']);

/**
 * The fields that differ between two versions of an object, leaf by leaf, in a stable order;
 * server-kept metadata, `status`, and the fields named in `ignore` (by path) are left out. Arrays
 * are compared index by index; a scalar array (a command's arguments) is one field.
 *
 * @example
 *   diffFields({ data: { a: '1', b: '2' } }, { data: { a: '1', b: '3', c: '4' } })
 *   // [{ path: 'data.b', before: '2', after: '3' }, { path: 'data.c', after: '4' }]
 */
export function diffFields(before: unknown, after: unknown, ignore: ReadonlySet<string> = new Set()): FieldChange[] {
  const changes: FieldChange[] = [];
  walk(strip(before), strip(after), '', changes, ignore);
  return changes;
}

function strip(object: unknown): unknown {
  if (!isRecord(object)) return object;
  const { status: _status, metadata, ...rest } = object;
  if (!isRecord(metadata)) return rest;
  const kept = Object.fromEntries(Object.entries(metadata).filter(([key]) => !SERVER_METADATA.has(key)));
  return { ...rest, metadata: kept };
}

function walk(before: unknown, after: unknown, path: string, out: FieldChange[], ignore: ReadonlySet<string>): void {
  if (ignore.has(path)) return;
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const key of keys) walk(before[key], after[key], joinPath(path, key), out, ignore);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after) && !(before.every(isScalar) && after.every(isScalar))) {
    for (let i = 0; i < Math.max(before.length, after.length); i++) walk(before[i], after[i], `${path}[${i}]`, out, ignore);
    return;
  }
  if (sameValue(before, after)) return;
  const change: FieldChange = { path };
  if (before !== undefined) change.before = before;
  if (after !== undefined) change.after = after;
  out.push(change);
}

/** `a.b` for a plain key, `a["b.c/d"]` for one a dot would make ambiguous. */
export function joinPath(path: string, key: string): string {
  if (/^[A-Za-z_$][\w$-]*$/.test(key)) return path === '' ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

function isScalar(value: unknown): boolean {
  return value === null || (typeof value !== 'object' && typeof value !== 'function');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
