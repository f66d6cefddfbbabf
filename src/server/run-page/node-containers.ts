import type { NodeStatus } from '../../engine/workflow-status.js';
import type { StoredRun } from '../../ports/run-store.js';
import { podNameOfNode } from '../../report/node-tree.js';

/** Where a step's logs are: its pod and the containers of it whose logs are the step's. */
export interface NodeLogs {
  pod: string;
  /** `main`, or each container of a containerSet in order; the first is shown first. */
  containers: string[];
}

/**
 * The logs a node has: a pod's main container; a containerSet's pod, each of its containers (the
 * engine's Container nodes inside it); one of those Container nodes, its own container of the
 * pod. Undefined for nodes that ran no pod (groups, suspends, a memoized step).
 */
export function nodeLogs(run: StoredRun, node: NodeStatus): NodeLogs | undefined {
  const workflowName = run.workflow.metadata.name ?? '';
  const nodes = run.status.nodes;
  if (node.type === 'Container') {
    const owner = node.boundaryID !== undefined && Object.hasOwn(nodes, node.boundaryID) ? nodes[node.boundaryID] : undefined;
    const pod = owner && podNameOfNode(workflowName, owner);
    return pod === undefined ? undefined : { pod, containers: [node.displayName] };
  }
  // An HTTP step runs from Skiff itself, which keeps its log as a pod's main log.
  const pod = podNameOfNode(workflowName, node.type === 'HTTP' ? { ...node, type: 'Pod' } : node);
  if (pod === undefined) return undefined;
  const members = Object.values(nodes)
    .filter((n) => n.type === 'Container' && n.boundaryID === node.id)
    .map((n) => n.displayName);
  return { pod, containers: members.length > 0 ? members : ['main'] };
}
