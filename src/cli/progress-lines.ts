import type { NodeChange } from '../engine/driver/run-driver.js';
import type { NodeStatus } from '../engine/workflow-status.js';
import { spanOf } from './format-duration.js';

const WIDTHS = [36, 10, 9];

/**
 * Progress when stdout is not a terminal (CI logs, pipes): one line each time a step (a pod, a
 * suspend, a node that could not run) or the workflow itself changes phase or message, so a log
 * reads as a timeline. `NODE  PHASE  DURATION  MESSAGE`.
 */
export class ProgressLines {
  private readonly last = new Map<string, string>();
  private headerShown = false;

  constructor(
    private readonly out: { write(text: string): unknown },
    private readonly runId: string,
    private readonly now: () => number = Date.now,
  ) {}

  onChange(change: NodeChange): void {
    const node = change.node;
    if (node.id !== this.runId && node.type !== 'Pod' && node.type !== 'HTTP' && node.type !== 'Suspend' && node.type !== 'Skipped') return;
    const key = `${node.phase}\u0000${node.message ?? ''}`;
    if (this.last.get(node.id) === key) return;
    this.last.set(node.id, key);
    if (!this.headerShown) {
      this.headerShown = true;
      this.out.write(`${line(['NODE', 'PHASE', 'DURATION', 'MESSAGE'])}\n`);
    }
    this.out.write(`${line([labelOf(node, this.runId), node.phase, node.finishedAt ? spanOf(node, this.now()) : '', node.message ?? ''])}\n`);
  }
}

function labelOf(node: NodeStatus, runId: string): string {
  // The path tells nested steps apart (`build.test`); the run's name and Argo's step-group
  // indexes (`[0]`) add nothing a reader needs.
  if (node.id === runId || !node.name.startsWith(runId)) return node.name;
  return node.name.slice(runId.length).replace(/\[\d+\]/g, '').replace(/^\./, '') || node.name;
}

function line(cells: string[]): string {
  return cells.map((cell, i) => (i < WIDTHS.length ? cell.padEnd(WIDTHS[i]!) : cell)).join('  ').trimEnd();
}
