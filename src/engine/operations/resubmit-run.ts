import type { Workflow } from '../../spec/model/workflow.js';
import { nodeId } from '../node-naming.js';
import { isWorkflowDone, type NodeStatus, type WorkflowStatus } from '../workflow-status.js';
import { isContainer, resetNodes } from './reset-nodes.js';

export type ResubmitResult = { workflow: Workflow; status: WorkflowStatus } | { error: string };

/**
 * A new run of the same workflow under `newName` (Argo's FormulateResubmitWorkflow). Without
 * `memoized` it starts from nothing. With `memoized`, pods that succeeded are kept as Skipped
 * nodes with their outputs ("original pod: <id>"), so the new run reuses their work and runs
 * only the rest; node names and ids are rewritten for the new name.
 */
export function resubmitRun(workflow: Workflow, original: WorkflowStatus, newName: string, memoized: boolean): ResubmitResult {
  const oldName = workflow.metadata?.name ?? '';
  const { shutdown: _shutdown, ...spec } = workflow.spec;
  const metadata = { ...workflow.metadata, name: newName };
  delete metadata.uid;
  const next: Workflow = { ...workflow, metadata, spec };
  if (!memoized) return { workflow: next, status: { phase: 'Pending', nodes: {} } };
  if (!isWorkflowDone(original.phase)) return { error: `the run is ${original.phase}; only a finished run can be resubmitted with memoization` };
  const rename = (name: string): string => (name.startsWith(oldName) ? newName + name.slice(oldName.length) : name);
  const ids = new Map<string, string>();
  for (const id in original.nodes) ids.set(id, nodeId(newName, rename(original.nodes[id]!.name)));
  const nodes: Record<string, NodeStatus> = {};
  const drop: string[] = [];
  for (const id in original.nodes) {
    const old = original.nodes[id]!;
    if (old.name.startsWith(`${oldName}.onExit`)) continue;
    const node: NodeStatus = JSON.parse(JSON.stringify(old)) as NodeStatus;
    node.name = rename(old.name);
    node.id = ids.get(id)!;
    if (old.boundaryID) node.boundaryID = ids.get(old.boundaryID) ?? old.boundaryID;
    if (old.children) node.children = old.children.map((c) => ids.get(c) ?? c);
    if (old.outboundNodes) node.outboundNodes = old.outboundNodes.map((c) => ids.get(c) ?? c);
    if (old.type === 'Pod' && old.phase === 'Succeeded') {
      node.type = 'Skipped';
      node.phase = 'Skipped';
      node.message = `original pod: ${old.id}`;
      node.memoizationStatus = { hit: true, key: old.id, cacheName: oldName };
    } else if (!isContainer(old)) drop.push(node.id);
    nodes[node.id] = node;
  }
  const status: WorkflowStatus = { phase: 'Pending', nodes };
  resetNodes(status, drop, false);
  // Containers whose work was all kept still run through the engine, which re-derives them.
  for (const node of Object.values(status.nodes)) {
    if (!isContainer(node)) continue;
    node.phase = 'Running';
    delete node.finishedAt;
    delete node.message;
    delete node.outboundNodes;
    delete node.outputs;
  }
  return { workflow: next, status };
}
