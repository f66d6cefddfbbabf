import { retryRun, type RetryOptions } from '../engine/operations/retry-run.js';
import type { StoredRun } from '../ports/run-store.js';
import { podNameOfNode } from '../report/node-tree.js';

/**
 * The pods of the steps a retry runs again: pod nodes of the run that the retried status no longer
 * has. In a cluster a retried step keeps its pod's name, so these must go before it runs again.
 */
export function podsResetBy(run: StoredRun, options: RetryOptions): string[] {
  const result = retryRun(run.workflow, structuredClone(run.status), options);
  if ('error' in result) return [];
  const name = run.workflow.metadata.name ?? '';
  return Object.values(run.status.nodes)
    .filter((node) => result.status.nodes[node.id] === undefined)
    .map((node) => podNameOfNode(name, node))
    .filter((pod): pod is string => pod !== undefined);
}
