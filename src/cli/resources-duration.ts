import type { StoredRun } from '../ports/run-store.js';
import type { NodeStatus } from '../engine/workflow-status.js';
import { splitRunKey } from '../ports/run-key.js';

export interface ResourcesDuration {
  /** CPU core-seconds. */
  cpu: number;
  /** Seconds of 100Mi of memory. */
  memory: number;
}

const MEMORY_UNIT = 100 * 1024 * 1024;

/**
 * What a pod step used, as Argo estimates it: its duration times its main container's requests
 * (1 CPU and 100Mi of memory when it asks for none), in CPU-seconds and 100Mi-seconds. A steps,
 * DAG or retry node (and the run) sums what ran under it. Estimated here, as Argo does, from the
 * requests rather than from what the process really used.
 *
 * @example resourcesDuration(run, podNode, now) // { cpu: 12, memory: 12 }
 */
export function resourcesDuration(run: StoredRun, node: NodeStatus, now: number): ResourcesDuration {
  if (node.type === 'Pod') {
    if (!node.startedAt || node.memoizationStatus?.hit) return { cpu: 0, memory: 0 };
    const seconds = Math.max(0, Math.round(((node.finishedAt ? Date.parse(node.finishedAt) : now) - Date.parse(node.startedAt)) / 1000));
    const requests = requestsOf(run, node.templateName);
    return { cpu: Math.round(seconds * requests.cpu), memory: Math.round(seconds * requests.memory) };
  }
  const total = { cpu: 0, memory: 0 };
  for (const pod of Object.values(run.status.nodes)) {
    if (pod.type !== 'Pod' || !isUnder(run, pod, node.id)) continue;
    const used = resourcesDuration(run, pod, now);
    total.cpu += used.cpu;
    total.memory += used.memory;
  }
  return total;
}

/** Argo's way of writing it: `12s*(1 cpu),12s*(100Mi memory)`. */
export function formatResourcesDuration(used: ResourcesDuration): string {
  return `${used.cpu}s*(1 cpu),${used.memory}s*(100Mi memory)`;
}

/** Whether `pod` ran under `ancestor` (through boundaries and children), or is the run's own. */
function isUnder(run: StoredRun, pod: NodeStatus, ancestor: string): boolean {
  const name = run.workflow.metadata.name ?? splitRunKey(run.key).name;
  if (ancestor === name) return true;
  const pending = [ancestor];
  const seen = new Set<string>();
  while (pending.length > 0) {
    const id = pending.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    if (id === pod.id) return true;
    pending.push(...(run.status.nodes[id]?.children ?? []));
  }
  return false;
}

function requestsOf(run: StoredRun, templateName: string | undefined): { cpu: number; memory: number } {
  const template = (run.workflow.spec.templates ?? []).find((t) => t?.name === templateName);
  const requests = (template?.container ?? template?.script)?.resources?.requests as Record<string, unknown> | undefined;
  return { cpu: cores(requests?.cpu) ?? 1, memory: (bytes(requests?.memory) ?? MEMORY_UNIT) / MEMORY_UNIT };
}

function cores(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  const text = String(value);
  const parsed = text.endsWith('m') ? Number(text.slice(0, -1)) / 1000 : Number(text);
  return Number.isFinite(parsed) ? parsed : undefined;
}

const SUFFIXES: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

function bytes(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(String(value));
  return match ? Number(match[1]) * (match[2] ? SUFFIXES[match[2]]! : 1) : undefined;
}
