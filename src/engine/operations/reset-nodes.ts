import type { NodeStatus, NodeType, WorkflowStatus } from '../workflow-status.js';

const CONTAINERS: ReadonlySet<NodeType> = new Set(['Steps', 'DAG', 'StepGroup', 'TaskGroup', 'Retry']);

export function isContainer(node: NodeStatus): boolean {
  return CONTAINERS.has(node.type);
}

/**
 * Removes nodes so the engine runs them again, and reopens what contains them: deletes
 * `roots` (and, with `downstream`, every node reachable from them through `children`, which is
 * what ran after them), then sets every container above a deleted node (its boundary, step
 * group, task group or Retry node, up to the root) back to Running. The engine, started on the
 * result, adopts what is left and re-creates the rest. O(nodes).
 */
export function resetNodes(status: WorkflowStatus, roots: Iterable<string>, downstream: boolean): Set<string> {
  const deleted = new Set<string>();
  const queue = [...roots].filter((id) => status.nodes[id] !== undefined);
  while (queue.length > 0) {
    const id = queue.pop()!;
    if (deleted.has(id)) continue;
    deleted.add(id);
    const node = status.nodes[id];
    if (!node) continue;
    // A deleted container takes everything inside it along; a containerSet's pod, its Container nodes.
    for (const child of node.children ?? []) if (downstream || isContainer(node) || status.nodes[child]?.type === 'Container') queue.push(child);
  }
  // Parents through `children` edges, kept only where the parent is a container that holds
  // the child (a step group, task group, Retry node, or a DAG's root tasks).
  const holders = new Map<string, string[]>();
  for (const id in status.nodes) {
    const node = status.nodes[id]!;
    if (!isContainer(node)) continue;
    for (const child of node.children ?? []) {
      let list = holders.get(child);
      if (!list) holders.set(child, (list = []));
      list.push(id);
    }
  }
  const reopen = new Set<string>();
  const up = [...deleted];
  while (up.length > 0) {
    const id = up.pop()!;
    const node = status.nodes[id];
    if (!node) continue;
    const parents = [...(holders.get(id) ?? []), ...(node.boundaryID ? [node.boundaryID] : [])];
    for (const parent of parents) {
      if (deleted.has(parent) || reopen.has(parent)) continue;
      reopen.add(parent);
      up.push(parent);
    }
  }
  for (const id of deleted) delete status.nodes[id];
  for (const id in status.nodes) {
    const node = status.nodes[id]!;
    if (node.children?.some((c) => deleted.has(c))) node.children = node.children.filter((c) => !deleted.has(c));
    if (node.children?.length === 0) delete node.children;
  }
  for (const id of reopen) {
    const node = status.nodes[id];
    if (!node) continue;
    node.phase = 'Running';
    delete node.finishedAt;
    delete node.message;
    delete node.outboundNodes;
    if (node.type !== 'Retry') delete node.outputs;
  }
  return deleted;
}

/** Finds nodes by id, name or display name (names as people type them in a comment). */
export function findNodes(status: WorkflowStatus, keys: readonly string[]): { found: NodeStatus[]; missing: string[] } {
  const found: NodeStatus[] = [];
  const missing: string[] = [];
  const nodes = Object.values(status.nodes);
  for (const key of keys) {
    const byId = status.nodes[key];
    const matches = byId ? [byId] : nodes.filter((n) => n.name === key || n.displayName === key);
    if (matches.length === 0) missing.push(key);
    found.push(...matches);
  }
  return { found, missing };
}
