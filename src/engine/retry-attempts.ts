import type { NodeStatus } from './workflow-status.js';

/**
 * The attempts of a Retry node, oldest first: its children without the hook nodes (lifecycle
 * hooks and the exit handler of a retried step hang under the Retry node too, as in Argo, but
 * are not attempts).
 */
export function retryAttempts(node: NodeStatus, nodeOf: (id: string) => NodeStatus | undefined): string[] {
  const children = node.children ?? [];
  return children.some((id) => nodeOf(id)?.nodeFlag?.hooked) ? children.filter((id) => !nodeOf(id)?.nodeFlag?.hooked) : children;
}

/** The last attempt of a Retry node, if it made one. */
export function lastAttempt(node: NodeStatus, nodeOf: (id: string) => NodeStatus | undefined): NodeStatus | undefined {
  const attempts = retryAttempts(node, nodeOf);
  const last = attempts[attempts.length - 1];
  return last === undefined ? undefined : nodeOf(last);
}
