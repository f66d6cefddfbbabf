import { createHash } from 'node:crypto';
import type { NodePhase, NodeStatus, NodeType, WorkflowStatus } from '../../engine/workflow-status.js';

/** One box of the graph: a node of the run, or a loop's iterations folded into one. */
export interface GraphItem {
  id: string;
  kind: 'node' | 'loop';
  label: string;
  phase: NodePhase;
  /** The node's type (a loop: the type of its iterations). */
  type: NodeType;
  /** Layer from the top, 0 first; exit handlers and hooks after everything they follow. */
  rank: number;
  /** An exit handler or a lifecycle hook. */
  hooked?: boolean;
  /** An attempt of a retried step: which, counted from 1. */
  attempt?: number;
  /** A loop: its iterations' node ids, in order, and how many are in each phase. */
  members?: string[];
  counts?: Partial<Record<NodePhase, number>>;
}

export interface RunGraph {
  /** In drawing order: by rank, then in the order the run created them. */
  items: GraphItem[];
  /** `[from, to]` item ids, each pair once. */
  edges: Array<[string, string]>;
  /** Which item shows each node (a loop iteration and what ran inside it: the loop's item). */
  itemOf: Map<string, string>;
}

/** Loops with at least this many iterations are folded into one box. */
export const LOOP_FOLD_MIN = 6;

const LOOP_NAME = /^(.*)\((\d+):.*\)$/s;

/**
 * The graph the run page draws, from a run's status: each node a box, linked parent to child as
 * Argo links them, except that the iterations of a loop (`withItems`, `withParam`,
 * `withSequence`) with LOOP_FOLD_MIN or more iterations become one box that counts their phases,
 * and whatever ran inside an iteration (its steps, its retries) folds into that box too. A
 * 10,000-item loop is one box; its iterations are listed when a person opens it. Ranks are
 * longest-path layers, so a step sits below everything it waited for.
 */
export function buildRunGraph(status: WorkflowStatus, workflowName: string): RunGraph {
  const nodes = status.nodes;
  const all = Object.values(nodes);
  const retryOf = new Map<string, string>();
  // A Retry node's attempts are its children named after it (`step(0)`, `step(1)`); what follows the step hangs off its last attempt.
  for (const node of all) {
    if (node.type !== 'Retry') continue;
    for (const child of node.children ?? []) if (nodes[child]?.name.startsWith(`${node.name}(`)) retryOf.set(child, node.id);
  }

  // Loops: iterations that share a parent and a base name.
  const loopOfMember = new Map<string, string>();
  const loops = new Map<string, { parent: NodeStatus; base: string; members: string[] }>();
  for (const parent of all) {
    const byBase = new Map<string, string[]>();
    for (const childId of parent.children ?? []) {
      const child = nodes[childId];
      const match = child && LOOP_NAME.exec(child.displayName);
      if (!match || retryOf.get(childId) === parent.id) continue;
      const same = byBase.get(match[1]!);
      if (same) same.push(childId);
      else byBase.set(match[1]!, [childId]);
    }
    for (const [base, members] of byBase) {
      if (members.length < LOOP_FOLD_MIN) continue;
      const id = `loop:${parent.id}:${base}`;
      loops.set(id, { parent, base, members });
      for (const member of members) loopOfMember.set(member, id);
    }
  }

  // What each node is shown as: itself, or the loop whose iteration it ran inside.
  const itemOf = new Map<string, string>();
  const resolve = (id: string, seen: Set<string>): string => {
    const known = itemOf.get(id);
    if (known !== undefined) return known;
    const loop = loopOfMember.get(id);
    const node = nodes[id];
    let item = id;
    if (loop !== undefined) item = loop;
    else if (node && !seen.has(id)) {
      seen.add(id);
      const owner = retryOf.get(id) ?? (node.boundaryID !== id ? node.boundaryID : undefined);
      if (owner !== undefined && nodes[owner]) {
        const ownerItem = resolve(owner, seen);
        if (ownerItem.startsWith('loop:')) item = ownerItem;
      }
    }
    itemOf.set(id, item);
    return item;
  };
  for (const node of all) resolve(node.id, new Set());

  // Items in the order the run created their first node.
  const items = new Map<string, GraphItem>();
  for (const node of all) {
    const id = itemOf.get(node.id)!;
    if (items.has(id)) continue;
    const loop = loops.get(id);
    if (loop) {
      const first = nodes[loop.members[0]!]!;
      items.set(id, { id, kind: 'loop', label: loop.base, phase: 'Pending', type: first.type, rank: 0, members: loop.members });
    } else {
      const item: GraphItem = { id, kind: 'node', label: node.displayName, phase: node.phase, type: node.type, rank: 0 };
      if (node.nodeFlag?.hooked || node.name.endsWith('.onExit')) item.hooked = true;
      const retry = retryOf.get(node.id);
      if (retry !== undefined) item.attempt = (nodes[retry]?.children ?? []).filter((c) => retryOf.get(c) === retry).indexOf(node.id) + 1;
      items.set(id, item);
    }
  }
  for (const item of items.values()) if (item.members) Object.assign(item, loopPhase(item.members.map((m) => nodes[m]!)));

  const edges: Array<[string, string]> = [];
  const edgeKeys = new Set<string>();
  const outgoing = new Map<string, string[]>();
  const incoming = new Map<string, number>();
  for (const node of all) {
    const from = itemOf.get(node.id)!;
    for (const childId of node.children ?? []) {
      const to = itemOf.get(childId);
      if (to === undefined || to === from) continue;
      const key = `${from}\0${to}`;
      if (edgeKeys.has(key)) continue;
      edgeKeys.add(key);
      edges.push([from, to]);
      const out = outgoing.get(from);
      if (out) out.push(to);
      else outgoing.set(from, [to]);
      incoming.set(to, (incoming.get(to) ?? 0) + 1);
    }
  }
  assignRanks(items, outgoing, incoming, workflowName);
  const order = [...items.keys()];
  const position = new Map(order.map((id, index) => [id, index]));
  const sorted = [...items.values()].sort((a, b) => a.rank - b.rank || position.get(a.id)! - position.get(b.id)!);
  return { items: sorted, edges, itemOf };
}

/**
 * Longest-path layers (Kahn's order), the run's own node first; other roots (the exit handler,
 * hooks) start below everything the main graph holds. Items left in a cycle, which a well-formed
 * status never has, keep the rank they reached.
 */
function assignRanks(items: Map<string, GraphItem>, outgoing: Map<string, string[]>, incoming: Map<string, number>, workflowName: string): void {
  const remaining = new Map(incoming);
  const layer = (roots: GraphItem[], base: number): number => {
    let deepest = base;
    const queue = roots.map((r) => r.id);
    for (const root of roots) root.rank = base;
    for (let head = 0; head < queue.length; head++) {
      const id = queue[head]!;
      const rank = items.get(id)!.rank;
      deepest = Math.max(deepest, rank);
      for (const next of outgoing.get(id) ?? []) {
        const item = items.get(next)!;
        item.rank = Math.max(item.rank, rank + 1);
        const left = (remaining.get(next) ?? 1) - 1;
        remaining.set(next, left);
        if (left === 0) queue.push(next);
      }
    }
    return deepest;
  };
  const roots = [...items.values()].filter((item) => !incoming.has(item.id));
  const main = roots.filter((r) => r.id === workflowName || (!r.hooked && !roots.some((o) => o.id === workflowName)));
  let deepest = layer(main, 0);
  for (const other of roots) if (!main.includes(other)) deepest = layer([other], deepest + 1);
}

/** A loop's phase from its iterations: running while any runs, failed once any failed and none runs, succeeded when all did. */
function loopPhase(members: NodeStatus[]): Pick<GraphItem, 'phase' | 'counts'> {
  const counts: Partial<Record<NodePhase, number>> = {};
  for (const member of members) counts[member.phase] = (counts[member.phase] ?? 0) + 1;
  let phase: NodePhase;
  if (counts.Running) phase = 'Running';
  else if (counts.Pending) phase = counts.Succeeded || counts.Failed || counts.Error ? 'Running' : 'Pending';
  else if (counts.Error) phase = 'Error';
  else if (counts.Failed) phase = 'Failed';
  else if (counts.Succeeded) phase = 'Succeeded';
  else phase = members[0]?.phase ?? 'Pending';
  return { phase, counts };
}

/** A short digest of which boxes a graph has and how they link: equal digests, the same drawing but for phases. */
export function graphShape(graph: RunGraph): string {
  const hash = createHash('sha256');
  for (const item of graph.items) hash.update(`${item.id}\0${item.rank}\n`);
  hash.update(String(graph.edges.length));
  return hash.digest('base64url').slice(0, 22);
}
