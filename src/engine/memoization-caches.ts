import { CACHE_CONFIG_MAP_TYPE, CONFIG_MAP_TYPE_LABEL } from '../spec/model/config-map-type.js';
import type { Outputs } from '../spec/model/workflow.js';
import type { WorkflowStatus } from './workflow-status.js';

/**
 * A memoization cache ConfigMap as the run found it when it was submitted or retried. `type` is
 * its `workflows.argoproj.io/configmap-type` label; `data` (cache key → entry JSON) is kept only
 * for `Cache` ConfigMaps, the only ones a cache is read from.
 */
export interface CacheConfigMap {
  name: string;
  type?: string;
  data?: Record<string, string>;
}

/** One cache entry, in Argo's format (one ConfigMap key per cache key, the value this as JSON). */
export interface CacheEntry {
  nodeID: string;
  outputs?: Outputs | null;
  creationTimestamp: string;
  lastHitTimestamp: string;
}

export type CacheLookup = { hit: true; outputs: Outputs | undefined } | { hit: false } | { error: string };

// Argo's rule for cache keys (workflow/controller/cache): they become ConfigMap keys.
const CACHE_KEY = /^[a-zA-Z0-9][-a-zA-Z0-9]*$/;

/**
 * The memoization caches a run reads, as data: the snapshot its driver loaded (see
 * `loadMemoizationCaches`) overlaid with the entries this run saved since, which are not in the
 * snapshot but are in the run's status (succeeded nodes that missed). So a lookup gives the same
 * answer after a restart as before it, without any I/O.
 *
 * @example
 * const caches = new MemoizationCaches('default', [{ name: 'c', type: 'Cache', data: {} }], status);
 * caches.lookup('c', 'k', undefined, Date.now()); // { hit: false }
 */
export class MemoizationCaches {
  private readonly byName = new Map<string, CacheConfigMap>();
  /** Entries saved by this run: cache name → key → outputs and when they were saved. */
  private readonly saved = new Map<string, Map<string, { outputs: Outputs | undefined; at: number }>>();

  constructor(
    readonly namespace: string,
    snapshot: readonly CacheConfigMap[] = [],
    status?: WorkflowStatus,
  ) {
    for (const configMap of snapshot) this.byName.set(configMap.name, configMap);
    for (const id in status?.nodes ?? {}) {
      const node = status!.nodes[id]!;
      const memo = node.memoizationStatus;
      if (!memo || memo.hit || node.phase !== 'Succeeded') continue;
      this.record(memo.cacheName, memo.key, node.outputs, Date.parse(node.finishedAt ?? ''));
    }
  }

  /** Remembers an entry this run saved, for later lookups of the same key. The newest wins. */
  record(cacheName: string, key: string, outputs: Outputs | undefined, at: number): void {
    let entries = this.saved.get(cacheName);
    if (!entries) this.saved.set(cacheName, (entries = new Map()));
    const previous = entries.get(key);
    if (!previous || !(previous.at > at)) entries.set(key, { outputs, at });
  }

  /**
   * The outputs cached under `key`, if there is an entry younger than `maxAgeMs` (any age when
   * undefined). As Argo, an absent ConfigMap or key is a miss, while a ConfigMap not labelled as a
   * cache, an invalid key or an entry that is not JSON is an error.
   */
  lookup(cacheName: string, key: string, maxAgeMs: number | undefined, now: number): CacheLookup {
    if (!CACHE_KEY.test(key)) {
      return { error: `memoize.key "${key}" is not a valid cache key: it must start with a letter or digit and hold only letters, digits and '-'` };
    }
    const configMap = this.byName.get(cacheName);
    const where = `memoization cache ConfigMap "${cacheName}" in namespace "${this.namespace}"`;
    if (configMap && configMap.type === undefined) {
      return { error: `${where} has no label ${CONFIG_MAP_TYPE_LABEL}: ${CACHE_CONFIG_MAP_TYPE}; refusing to use it (label it, or name another cache)` };
    }
    if (configMap && configMap.type !== CACHE_CONFIG_MAP_TYPE) {
      return { error: `${where} is labelled ${CONFIG_MAP_TYPE_LABEL}: ${configMap.type}, not ${CACHE_CONFIG_MAP_TYPE}; refusing to use it` };
    }
    const fresh = (at: number): boolean => maxAgeMs === undefined || (Number.isFinite(at) && now - at <= maxAgeMs);
    const saved = this.saved.get(cacheName)?.get(key);
    if (saved) return fresh(saved.at) ? { hit: true, outputs: saved.outputs } : { hit: false };
    const raw = configMap?.data?.[key];
    if (raw === undefined || raw === '') return { hit: false };
    let entry: Partial<CacheEntry>;
    try {
      entry = JSON.parse(raw) as Partial<CacheEntry>;
    } catch (error) {
      return { error: `${where}: key "${key}" holds a malformed cache entry (not JSON: ${(error as Error).message})` };
    }
    if (entry === null || typeof entry !== 'object' || !entry.nodeID) return { hit: false };
    // An entry without a creation time is as old as can be (Go's zero time): expired under any maxAge.
    if (!fresh(Date.parse(String(entry.creationTimestamp ?? '')))) return { hit: false };
    return { hit: true, outputs: entry.outputs ?? undefined };
  }
}

/**
 * Milliseconds of a `memoize.maxAge`, which Argo reads with Go's time.ParseDuration: a number
 * with a unit (`180s`, `24h`, `1h30m`); a bare number other than 0 is refused. Undefined for an
 * empty maxAge (no limit).
 *
 * @example parseMaxAge('10s') // { ms: 10000 }
 */
export function parseMaxAge(value: unknown): { ms: number | undefined } | { error: string } {
  if (value === undefined || value === null || value === '') return { ms: undefined };
  const text = String(value).trim();
  const bad = { error: `memoize.maxAge "${String(value)}" is not a duration: give a number with a unit, such as "180s" or "24h"` };
  if (text === '0') return { ms: 0 };
  const sign = /^[+-]/.test(text) ? text.charAt(0) : '';
  const body = text.slice(sign.length);
  const pattern = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  if (body === '') return bad;
  let total = 0;
  let at = 0;
  while (at < body.length) {
    pattern.lastIndex = at;
    const match = pattern.exec(body);
    if (!match) return bad;
    total += Number(match[1]) * units[match[2]!]!;
    at = pattern.lastIndex;
  }
  return { ms: sign === '-' ? -total : total };
}
