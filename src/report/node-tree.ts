import { nodeId, podName } from '../engine/node-naming.js';
import { PHASE_SYMBOLS } from './phase-symbols.js';
import type { NodeStatus, WorkflowStatus } from '../engine/workflow-status.js';

export function phaseSymbol(node: Pick<NodeStatus, 'phase' | 'type'>): string {
  if (node.type === 'Suspend' && node.phase === 'Running') return 'ǁ';
  return PHASE_SYMBOLS[node.phase] ?? '?';
}

export interface TreeRow {
  /** Tree drawing before the symbol, as argo get draws it: `├───`, `├─┬─`, `│ └─`, ... */
  prefix: string;
  node: NodeStatus;
}

/**
 * A run's nodes as a tree, in the order they were created: the workflow's own node with what it
 * ran nested under the steps or DAG that ran it (its boundary), attempts under their Retry node,
 * then the exit handler. Step groups and task groups are left out, as in Argo's tree, so it reads
 * as the steps the author wrote rather than as the engine's graph.
 */
export function treeRows(status: WorkflowStatus, workflowName: string): TreeRow[] {
  const nodes = status.nodes;
  const all = Object.values(nodes);
  const parentOf = new Map<string, string>();
  const linked = new Set<string>();
  for (const node of all) for (const child of node.children ?? []) linked.add(child);
  for (const node of all) if (node.type === 'Retry') for (const child of node.children ?? []) parentOf.set(child, node.id);
  const kids = new Map<string, NodeStatus[]>();
  const roots: NodeStatus[] = [];
  for (const node of all) {
    if (node.type === 'StepGroup' || node.type === 'TaskGroup') continue;
    const parent = parentOf.get(node.id) ?? (linked.has(node.id) && node.boundaryID && nodes[node.boundaryID] ? node.boundaryID : undefined);
    if (parent === undefined || parent === node.id) roots.push(node);
    else kids.set(parent, [...(kids.get(parent) ?? []), node]);
  }
  roots.sort((a, b) => (a.id === workflowName ? -1 : b.id === workflowName ? 1 : 0));
  const groupOf = new Map<string, string>();
  for (const node of all) if (node.type === 'StepGroup') for (const child of node.children ?? []) groupOf.set(child, node.id);
  const rows: TreeRow[] = [];
  const seen = new Set<string>();
  const walk = (node: NodeStatus, prefix: string, childIndent: string): void => {
    if (seen.has(node.id)) return;
    seen.add(node.id);
    rows.push({ prefix, node });
    // Steps that ran side by side (one step group) hang off one branch, as argo get draws them:
    // `├─┬─` for the first, `│ ├─` and `│ └─` for the others; a step alone in its group `├───`.
    const groups: NodeStatus[][] = [];
    const byGroup = new Map<string, NodeStatus[]>();
    for (const child of kids.get(node.id) ?? []) {
      const key = groupOf.get(child.id) ?? child.id;
      let members = byGroup.get(key);
      if (!members) {
        byGroup.set(key, (members = []));
        groups.push(members);
      }
      members.push(child);
    }
    groups.forEach((members, g) => {
      const lastGroup = g === groups.length - 1;
      const branch = childIndent + (lastGroup ? '└─' : '├─');
      const below = childIndent + (lastGroup ? '  ' : '│ ');
      members.forEach((child, m) => {
        const alone = members.length === 1;
        const last = m === members.length - 1;
        const part = alone ? '──' : m === 0 ? '┬─' : last ? '└─' : '├─';
        walk(child, m === 0 ? branch + part : below + part, below + (alone || last ? '  ' : '│ '));
      });
    });
  };
  for (const root of roots) walk(root, '', '');
  return rows;
}

/** The pod a Pod node ran in, named as the engine named it (Argo's v2 pod names). */
export function podNameOfNode(workflowName: string, node: NodeStatus): string | undefined {
  // A node taken from a memoization cache has no pod.
  if (node.type !== 'Pod' || node.memoizationStatus?.hit) return undefined;
  const name = podName(workflowName, node.name, node.templateName ?? '');
  const base = nodeId(workflowName, node.name);
  return node.id === base ? name : `${name}${node.id.slice(base.length)}`;
}
