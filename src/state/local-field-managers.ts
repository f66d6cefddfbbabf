import type { KubernetesObject } from '../spec/model/kubernetes.js';

/**
 * Field ownership for objects kept in the local state directory, as the API server keeps it in
 * `metadata.managedFields`, so that a plan against the state directory reads like one against a
 * cluster: drift names the field and who set it, and applying over another manager's field is a
 * conflict. Two ways to write, as on a server:
 * - `applyAs` (server-side apply): the manager declares the fields it wants; fields it declared
 *   before and no longer does are removed unless another manager owns them; a field another
 *   manager owns with a different value is a conflict unless forced (then it changes hands).
 * - `updateAs` (a plain write, as `skiff apply` or `kubectl edit` make): the object is replaced;
 *   the writer takes the fields whose values it changed, and removed fields leave every owner.
 *
 * One simplification, said here so nobody is surprised: lists are owned whole (the API server
 * tracks list items by key, `k:{"name":"main"}`); a change to one container is a change to the
 * list. Entries are FieldsV1 (`f:name` keys), so `fieldOwners` reads them as it reads a server's.
 */

/** A FieldsV1 set: `f:<field>` keys down to `{}` at each owned leaf. */
export type FieldSet = { [key: string]: FieldSet };

export interface ManagedEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion?: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: FieldSet;
}

/** A field another manager owns with another value than the one applied. */
export interface FieldConflict {
  path: string;
  manager: string;
}

export type ApplyOutcome = { object: KubernetesObject; conflicts: [] } | { object?: undefined; conflicts: FieldConflict[] };

type Path = string[];

// Identity and what the store keeps about an object: nobody owns these.
const UNOWNED_METADATA = new Set(['name', 'namespace', 'uid', 'resourceVersion', 'managedFields', 'creationTimestamp', 'generation']);

/**
 * `desired` applied by `manager` over `live` (absent: created). Returns the new object with its
 * managedFields, or the conflicts when another manager owns a field with a different value and
 * `force` is off. Neither argument is changed.
 */
export function applyAs(live: KubernetesObject | undefined, desired: KubernetesObject, manager: string, options: { force?: boolean; now: Date }): ApplyOutcome {
  const entries = entriesOf(live);
  const declared = ownedLeaves(desired);
  const conflicts: FieldConflict[] = [];
  for (const path of declared) {
    for (const entry of entries) {
      if (entry.manager === manager) continue;
      if (!ownsOverlapping(entry, path)) continue;
      if (!sameValue(valueAt(live, path), valueAt(desired, path))) conflicts.push({ path: path.join('.'), manager: entry.manager });
    }
  }
  if (conflicts.length > 0 && options.force !== true) return { conflicts };
  const { name, namespace } = desired.metadata;
  const identity = { name, ...(namespace !== undefined ? { namespace } : {}) };
  const result = clone(live ?? { apiVersion: desired.apiVersion, kind: desired.kind, metadata: identity }) as KubernetesObject;
  result.apiVersion = desired.apiVersion;
  Object.assign(result.metadata, identity);
  const own = entries.find((e) => e.manager === manager && e.operation === 'Apply');
  const keep = new Set(declared.map(key));
  for (const path of own ? leavesOf(own.fieldsV1) : []) {
    if (keep.has(key(path))) continue;
    // A field this manager stops declaring goes, unless someone else still owns it.
    if (entries.some((e) => e !== own && ownsOverlapping(e, path))) continue;
    removeAt(result, path);
  }
  for (const path of declared) setAt(result, path, clone(valueAt(desired, path)));
  const taken = new Set(conflicts.map((c) => c.path));
  const others = entries
    .filter((e) => e !== own)
    .map((e) => (taken.size === 0 ? e : withoutPaths(e, (p) => taken.has(p.join('.')))))
    .filter((e) => leavesOf(e.fieldsV1).length > 0);
  const mine: ManagedEntry = {
    manager,
    operation: 'Apply',
    apiVersion: desired.apiVersion,
    time: options.now.toISOString(),
    fieldsType: 'FieldsV1',
    fieldsV1: fieldSetOf(declared),
  };
  setManaged(result, [...others, mine]);
  return { object: result, conflicts: [] };
}

/** `next` written whole by `manager` over `live`: the writer owns what it changed. */
export function updateAs(live: KubernetesObject | undefined, next: KubernetesObject, manager: string, now: Date): KubernetesObject {
  const before = new Map((live ? ownedLeaves(live) : []).map((p) => [key(p), p]));
  const after = ownedLeaves(next);
  const afterKeys = new Set(after.map(key));
  const changed = new Set(after.filter((p) => !before.has(key(p)) || !sameValue(valueAt(live, p), valueAt(next, p))).map(key));
  const removed = new Set([...before.keys()].filter((k) => !afterKeys.has(k)));
  const entries = entriesOf(live);
  const own = entries.find((e) => e.manager === manager && e.operation === 'Update');
  const others = entries
    .filter((e) => e !== own)
    .map((e) => withoutPaths(e, (p) => changed.has(key(p)) || removed.has(key(p))))
    .filter((e) => leavesOf(e.fieldsV1).length > 0);
  const ownPaths = [
    ...(own ? leavesOf(own.fieldsV1) : []).filter((p) => afterKeys.has(key(p)) && !changed.has(key(p))),
    ...after.filter((p) => changed.has(key(p))),
  ];
  const result = clone(next) as KubernetesObject;
  const entriesAfter =
    ownPaths.length > 0
      ? [
          ...others,
          {
            manager,
            operation: 'Update' as const,
            apiVersion: next.apiVersion,
            time: now.toISOString(),
            fieldsType: 'FieldsV1' as const,
            fieldsV1: fieldSetOf(ownPaths),
          },
        ]
      : others;
  setManaged(result, entriesAfter);
  return result;
}

/** The object without what the store keeps about it: what people declared, to compare. */
export function declaredPart(object: KubernetesObject): KubernetesObject {
  const { status: _status, ...rest } = object as KubernetesObject & { status?: unknown };
  const metadata = Object.fromEntries(Object.entries(object.metadata ?? {}).filter(([k]) => !UNOWNED_METADATA.has(k) || k === 'name' || k === 'namespace'));
  return { ...rest, metadata } as KubernetesObject;
}

function entriesOf(object: KubernetesObject | undefined): ManagedEntry[] {
  const entries = (object?.metadata as { managedFields?: ManagedEntry[] } | undefined)?.managedFields;
  return Array.isArray(entries) ? entries : [];
}

function setManaged(object: KubernetesObject, entries: ManagedEntry[]): void {
  const metadata = object.metadata as { managedFields?: ManagedEntry[] };
  if (entries.length > 0) metadata.managedFields = entries;
  else delete metadata.managedFields;
}

/** The leaf paths someone can own: every scalar, list or empty map, outside identity and status. */
function ownedLeaves(object: KubernetesObject): Path[] {
  const out: Path[] = [];
  for (const [field, value] of Object.entries(object)) {
    if (field === 'apiVersion' || field === 'kind' || field === 'status') continue;
    if (field === 'metadata' && isMap(value)) {
      for (const [m, v] of Object.entries(value)) if (!UNOWNED_METADATA.has(m)) collect(v, [field, m], out);
      continue;
    }
    collect(value, [field], out);
  }
  return out;
}

function collect(value: unknown, path: Path, out: Path[]): void {
  if (isMap(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) collect(v, [...path, k], out);
  } else if (value !== undefined) {
    out.push(path);
  }
}

function fieldSetOf(paths: Path[]): FieldSet {
  const root: FieldSet = {};
  for (const path of paths) {
    let node = root;
    for (const part of path) node = node[`f:${part}`] ??= {};
  }
  return root;
}

function leavesOf(set: FieldSet, prefix: Path = []): Path[] {
  const keys = Object.keys(set).filter((k) => k.startsWith('f:'));
  if (keys.length === 0) return prefix.length > 0 ? [prefix] : [];
  return keys.flatMap((k) => leavesOf(set[k]!, [...prefix, k.slice(2)]));
}

/** The entry owns the path, a field inside it, or a field it is inside of (a map replaced by a list, say). */
function ownsOverlapping(entry: ManagedEntry, path: Path): boolean {
  return leavesOf(entry.fieldsV1).some((owned) => isPrefix(owned, path) || isPrefix(path, owned));
}

function withoutPaths(entry: ManagedEntry, drop: (path: Path) => boolean): ManagedEntry {
  return { ...entry, fieldsV1: fieldSetOf(leavesOf(entry.fieldsV1).filter((p) => !drop(p))) };
}

function isPrefix(prefix: Path, path: Path): boolean {
  return prefix.length <= path.length && prefix.every((part, i) => part === path[i]);
}

function valueAt(object: unknown, path: Path): unknown {
  let node = object;
  for (const part of path) {
    if (!isMap(node)) return undefined;
    node = node[part];
  }
  return node;
}

function setAt(object: KubernetesObject, path: Path, value: unknown): void {
  let node = object as unknown as Record<string, unknown>;
  for (const part of path.slice(0, -1)) {
    if (!isMap(node[part])) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

/** Removes a field, and the maps it leaves empty on the way up. */
function removeAt(object: KubernetesObject, path: Path): void {
  const parents: Array<Record<string, unknown>> = [];
  let node = object as unknown as Record<string, unknown>;
  for (const part of path.slice(0, -1)) {
    if (!isMap(node[part])) return;
    parents.push(node);
    node = node[part] as Record<string, unknown>;
  }
  delete node[path[path.length - 1]!];
  for (let i = path.length - 2; i >= 0; i--) {
    const parent = parents[i]!;
    const child = parent[path[i]!];
    if (isMap(child) && Object.keys(child).length === 0 && !(i === 0 && path[0] === 'metadata')) delete parent[path[i]!];
    else break;
  }
}

function key(path: Path): string {
  return JSON.stringify(path);
}

function sameValue(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

/** JSON with map keys sorted: two parses of one YAML document may order keys differently. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isMap(value))
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'undefined';
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}
