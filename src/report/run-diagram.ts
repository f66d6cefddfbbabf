import type { NodePhase, NodeStatus, WorkflowStatus } from '../engine/workflow-status.js';
import { PHASE_SYMBOLS } from './phase-symbols.js';

/** Most nodes drawn in one diagram; a bigger run gets no diagram (the table still lists it). */
export const MAX_DIAGRAM_NODES = 150;
/** Siblings of one parent above this many (a loop's items) are drawn as one summary node. */
export const FAN_OUT_LIMIT = 6;

/** The colour of each phase, as a Mermaid class (fill, border, text). */
const PHASE_STYLES: Record<NodePhase, string> = {
  Pending: 'fill:#f6f8fa,stroke:#8c959f,color:#24292f',
  Running: 'fill:#ddf4ff,stroke:#0969da,color:#0a3069',
  Succeeded: 'fill:#dafbe1,stroke:#1a7f37,color:#116329',
  Failed: 'fill:#ffebe9,stroke:#cf222e,color:#82071e',
  Error: 'fill:#fff8c5,stroke:#9a6700,color:#4d2d00',
  Skipped: 'fill:#ffffff,stroke:#d0d7de,color:#57606a',
  Omitted: 'fill:#ffffff,stroke:#d0d7de,color:#57606a',
};
/** Which phase a group of nodes shows: the one that needs attention first. */
const PHASE_RANK: NodePhase[] = ['Error', 'Failed', 'Running', 'Pending', 'Succeeded', 'Omitted', 'Skipped'];

/** A node as the diagram draws it: one of the run's, or a summary of a loop's items. */
interface DrawnNode {
  label: string;
  phase: NodePhase;
  shape: 'box' | 'round' | 'group';
  next: Set<string>;
}

/**
 * A Mermaid flowchart of a run's steps or DAG: one node per step (template groups and step groups
 * as rounded boxes), edges as the run's nodes link to their children, each node coloured by its
 * phase (a `classDef` per phase, the phase's symbol in the label so it reads without colour).
 * More than FAN_OUT_LIMIT children of one node (a loop's items) are drawn as one node counting
 * them by phase. Node names are data: every character that Mermaid or Markdown could read as
 * syntax is written as an entity code, so a name can neither break the diagram nor inject a link.
 * Undefined when the run has no nodes or more than `maxNodes` to draw.
 *
 * @example runDiagram({ phase: 'Running', nodes: { a: { id: 'a', name: 'a', displayName: 'a', type: 'Pod', phase: 'Running' } } })
 *   // → 'flowchart TD\n  n0["● a"]\n  classDef Running …\n  class n0 Running'
 */
export function runDiagram(status: WorkflowStatus, options: { maxNodes?: number; redact?: (text: string) => string } = {}): string | undefined {
  const maxNodes = options.maxNodes ?? MAX_DIAGRAM_NODES;
  const redact = options.redact ?? ((text: string) => text);
  const nodes = status.nodes;
  const hasParent = new Set(Object.values(nodes).flatMap((n) => n.children ?? []));
  const roots = Object.values(nodes).filter((n) => !hasParent.has(n.id));
  if (roots.length === 0) return undefined;
  const drawn = new Map<string, DrawnNode>();
  const ids = new Map<string, string>();
  const idOf = (key: string): string => {
    let id = ids.get(key);
    if (id === undefined) ids.set(key, (id = `n${ids.size}`));
    return id;
  };
  // Breadth first, so ids follow the run's order from its entry point down.
  const queue = roots.map((n) => n.id);
  const seen = new Set<string>(queue);
  while (queue.length > 0) {
    const id = queue.shift()!;
    const node = nodes[id];
    if (!node) continue;
    const entry: DrawnNode = { label: labelOf(node, redact), phase: node.phase, shape: shapeOf(node), next: new Set() };
    drawn.set(idOf(id), entry);
    if (drawn.size > maxNodes) return undefined;
    const children = (node.children ?? []).filter((c) => nodes[c]);
    if (children.length > FAN_OUT_LIMIT) {
      // A loop: one node for its items, linked on to whatever follows them.
      const items = children.map((c) => nodes[c]!);
      const group = `${id}\0items`;
      entry.next.add(idOf(group));
      const after = new Set(items.flatMap((item) => item.children ?? []).filter((c) => nodes[c] && !children.includes(c)));
      drawn.set(idOf(group), { label: itemsLabel(items, redact), phase: worstPhase(items.map((i) => i.phase)), shape: 'group', next: new Set() });
      for (const next of after) {
        drawn.get(idOf(group))!.next.add(idOf(next));
        if (!seen.has(next)) {
          seen.add(next);
          queue.push(next);
        }
      }
      continue;
    }
    for (const child of children) {
      entry.next.add(idOf(child));
      if (!seen.has(child)) {
        seen.add(child);
        queue.push(child);
      }
    }
  }
  const lines = ['flowchart TD'];
  for (const [id, node] of drawn) {
    const [open, close] = node.shape === 'box' ? ['["', '"]'] : node.shape === 'round' ? ['("', '")'] : ['[["', '"]]'];
    lines.push(`  ${id}${open}${node.label}${close}`);
  }
  for (const [id, node] of drawn) for (const next of node.next) if (drawn.has(next)) lines.push(`  ${id} --> ${next}`);
  const byPhase = new Map<NodePhase, string[]>();
  for (const [id, node] of drawn) byPhase.set(node.phase, [...(byPhase.get(node.phase) ?? []), id]);
  for (const phase of PHASE_RANK) if (byPhase.has(phase)) lines.push(`  classDef ${phase} ${PHASE_STYLES[phase]}`);
  for (const phase of PHASE_RANK) if (byPhase.has(phase)) lines.push(`  class ${byPhase.get(phase)!.join(',')} ${phase}`);
  return lines.join('\n');
}

function shapeOf(node: NodeStatus): DrawnNode['shape'] {
  return node.type === 'Pod' || node.type === 'Container' || node.type === 'HTTP' || node.type === 'Suspend' || node.type === 'Skipped' ? 'box' : 'round';
}

function labelOf(node: NodeStatus, redact: (text: string) => string): string {
  const name = redact(node.type === 'StepGroup' ? 'steps' : node.displayName || node.name);
  return `${PHASE_SYMBOLS[node.phase]} ${mermaidText(name.length > 80 ? `${name.slice(0, 79)}…` : name)}`;
}

function itemsLabel(items: NodeStatus[], redact: (text: string) => string): string {
  const counts = new Map<NodePhase, number>();
  for (const item of items) counts.set(item.phase, (counts.get(item.phase) ?? 0) + 1);
  const parts = PHASE_RANK.filter((p) => counts.has(p)).map((p) => `${counts.get(p)} ${PHASE_SYMBOLS[p]}`);
  const name = redact(items[0]!.displayName || items[0]!.name).replace(/\(\d+:.*$/, '');
  return `${mermaidText(name.length > 60 ? `${name.slice(0, 59)}…` : name)} ×${items.length}: ${parts.join(' ')}`;
}

/** The phase a group shows: the first of PHASE_RANK among them. */
export function worstPhase(phases: readonly NodePhase[]): NodePhase {
  return PHASE_RANK.find((p) => phases.includes(p)) ?? 'Pending';
}

/**
 * Text made inert inside a quoted Mermaid label: letters, digits, spaces and a few plain
 * punctuation marks stay; every other character becomes an entity code (`#35;`), which Mermaid
 * shows as the character and never reads as syntax. Markdown never sees them either: they sit
 * in a fenced block whose fence they cannot close.
 *
 * @example mermaidText('a"] --> x[<b>') // → 'a#34;#93; --#62; x#91;#60;b#62;'
 */
export function mermaidText(text: string): string {
  let out = '';
  for (const char of text) {
    out += /^[\p{L}\p{N} .,:_/+=-]$/u.test(char) ? char : `#${char.codePointAt(0)};`;
  }
  return out;
}
