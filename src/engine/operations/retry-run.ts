import type { Workflow } from '../../spec/model/workflow.js';
import { cloneStatus, isFailedOrError, isWorkflowDone, type NodeStatus, type WorkflowStatus } from '../workflow-status.js';
import { findNodes, isContainer, resetNodes } from './reset-nodes.js';

export interface RetryOptions {
  /** Retry only these nodes (ids, names or display names) and what ran after them. */
  nodes?: string[];
  /** Allow named nodes that succeeded to run again (Argo's --restart-successful). */
  restartSuccessful?: boolean;
}

export type RetryResult = { workflow: Workflow; status: WorkflowStatus } | { error: string };

/**
 * Prepares a finished run to be retried (Argo's FormulateRetryWorkflow, workflow/util/util.go):
 * failed and errored pods are removed with everything that ran after them, the nodes holding
 * them are reopened, succeeded work keeps its outputs, the exit handler will run again, and a
 * stop/terminate is lifted. With `nodes`, only those nodes (and what ran after them) are
 * retried, whether or not the run failed as a whole; a named node that succeeded needs
 * `restartSuccessful`. Start the engine on the result to run it.
 */
export function retryRun(workflow: Workflow, original: WorkflowStatus, options: RetryOptions = {}): RetryResult {
  if (!isWorkflowDone(original.phase)) return { error: `the run is ${original.phase}; only a finished run can be retried` };
  const status = cloneStatus(original);
  const name = workflow.metadata?.name ?? '';
  let roots: NodeStatus[];
  if (options.nodes && options.nodes.length > 0) {
    const { found, missing } = findNodes(status, options.nodes);
    if (missing.length > 0) return { error: `no node named ${missing.map((m) => `"${m}"`).join(', ')}` };
    const succeeded = found.filter((n) => n.phase === 'Succeeded');
    if (succeeded.length > 0 && !options.restartSuccessful) {
      return { error: `node ${succeeded.map((n) => `"${n.displayName}"`).join(', ')} succeeded; use restartSuccessful to run it again` };
    }
    roots = found;
  } else {
    roots = Object.values(status.nodes).filter((n) => isFailedOrError(n.phase) && !isContainer(n) && !underSucceededRetry(status, n));
    if (roots.length === 0 && original.phase === 'Succeeded') return { error: 'the run succeeded; name the nodes to run again' };
  }
  const exitPrefix = `${name}.onExit`;
  const onExit = Object.values(status.nodes).filter((n) => n.name === exitPrefix);
  resetNodes(status, [...roots.map((n) => n.id), ...onExit.map((n) => n.id)], true);
  // A run that failed in a template (not a pod) reopens that template too.
  for (const node of Object.values(status.nodes)) {
    if (isContainer(node) && isFailedOrError(node.phase)) {
      node.phase = 'Running';
      delete node.finishedAt;
      delete node.message;
    }
  }
  status.phase = 'Running';
  delete status.finishedAt;
  delete status.message;
  delete status.progress;
  const { shutdown: _shutdown, ...spec } = workflow.spec;
  return { workflow: { ...workflow, spec }, status };
}

// An attempt that failed before a later attempt succeeded is history, not something to retry.
function underSucceededRetry(status: WorkflowStatus, node: NodeStatus): boolean {
  if (!node.nodeFlag?.retried) return false;
  const parentName = node.name.replace(/\(\d+\)$/, '');
  return Object.values(status.nodes).some((n) => n.type === 'Retry' && n.name === parentName && n.phase === 'Succeeded');
}
