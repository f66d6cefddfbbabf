import { parse } from 'yaml';

/** Lists of these fields are merged item by item on `name`, as Kubernetes' strategic merge does for a pod spec. */
const MERGE_BY_NAME = new Set(['containers', 'initContainers', 'ephemeralContainers', 'volumes', 'env', 'imagePullSecrets']);
/** Lists merged by another key (`containerPort` for ports, `mountPath` for volumeMounts). */
const MERGE_KEYS: Record<string, string> = { ports: 'containerPort', volumeMounts: 'mountPath', hostAliases: 'ip', tolerations: 'key' };

/**
 * Applies a template's `podSpecPatch` to a pod spec as Argo does (a strategic merge patch of the
 * pod's spec): maps merge key by key, `null` removes a key, the pod's lists of named things
 * (containers, init containers, volumes, env, ...) merge item by item on their name so a patch can
 * change one container's resources without restating it, and other lists are replaced. The patch
 * is JSON or YAML (Argo takes both); a patch that is neither, or not a map, is refused with why. Pure.
 *
 * @example applyPodSpecPatch(spec, '{"containers":[{"name":"main","resources":{"limits":{"memory":"1Gi"}}}]}')
 */
export function applyPodSpecPatch<T extends object>(spec: T, patch: string): { spec: T } | { error: string } {
  let parsed: unknown;
  try {
    parsed = parse(patch);
  } catch (error) {
    return { error: `podSpecPatch is neither JSON nor YAML: ${(error as Error).message.split('\n')[0]}` };
  }
  if (parsed === null || parsed === undefined) return { spec };
  if (typeof parsed !== 'object' || Array.isArray(parsed)) return { error: 'podSpecPatch must be a map of pod spec fields, such as {"containers": [...]}' };
  return { spec: mergeMap(spec as Record<string, unknown>, parsed as Record<string, unknown>) as T };
}

function mergeMap(base: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (key === '__proto__') continue;
    if (value === null) {
      delete out[key];
      continue;
    }
    const current = out[key];
    const mergeKey = MERGE_BY_NAME.has(key) ? 'name' : MERGE_KEYS[key];
    if (Array.isArray(value) && Array.isArray(current) && mergeKey) out[key] = mergeList(current, value, mergeKey);
    else if (isMap(value) && isMap(current)) out[key] = mergeMap(current, value);
    else out[key] = value;
  }
  return out;
}

function mergeList(base: unknown[], patch: unknown[], key: string): unknown[] {
  const out = [...base];
  for (const item of patch) {
    const id = isMap(item) ? item[key] : undefined;
    const at = id === undefined ? -1 : out.findIndex((existing) => isMap(existing) && existing[key] === id);
    if (at >= 0) out[at] = mergeMap(out[at] as Record<string, unknown>, item as Record<string, unknown>);
    else out.push(item);
  }
  return out;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
