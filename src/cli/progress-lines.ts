import type { NodeChange } from '../runs/run-driver.js';
import type { NodeStatus } from '../engine/workflow-status.js';
import { spanOf } from '../report/format-duration.js';

const WIDTHS = [36, 10, 9];

/**
 * Progress when stdout is not a terminal (CI logs, pipes): one line each time a step (a pod, a
 * suspend, a node that could not run) or the workflow itself changes phase or message, so a log
 * reads as a timeline. `NODE  PHASE  DURATION  MESSAGE`. With `noteOf`, a running pod that is
 * busy with something long (an artifact transfer) also gets a line every `noteEveryMs` saying how
 * far it got, so a log shows a big upload moving rather than a silent step.
 */
export class ProgressLines {
  private readonly last = new Map<string, string>();
  private readonly runningPods = new Map<string, NodeStatus>();
  private readonly ticker: NodeJS.Timeout | undefined;
  private headerShown = false;

  constructor(
    private readonly out: { write(text: string): unknown },
    private readonly runId: string,
    private readonly now: () => number = Date.now,
    private readonly noteOf?: (node: NodeStatus) => string | undefined,
    noteEveryMs = 10_000,
  ) {
    if (noteOf) this.ticker = setInterval(() => this.writeNotes(), noteEveryMs);
  }

  onChange(change: NodeChange): void {
    const node = change.node;
    if (node.id !== this.runId && node.type !== 'Pod' && node.type !== 'HTTP' && node.type !== 'Suspend' && node.type !== 'Skipped') return;
    if (node.type === 'Pod' && node.phase === 'Running') this.runningPods.set(node.id, node);
    else this.runningPods.delete(node.id);
    const key = `${node.phase}\u0000${node.message ?? ''}`;
    if (this.last.get(node.id) === key) return;
    this.last.set(node.id, key);
    this.write(node, node.message ?? '');
  }

  close(): void {
    if (this.ticker) clearInterval(this.ticker);
  }

  private writeNotes(): void {
    for (const node of this.runningPods.values()) {
      const note = this.noteOf?.(node);
      if (note) this.write(node, note);
    }
  }

  private write(node: NodeStatus, message: string): void {
    if (!this.headerShown) {
      this.headerShown = true;
      this.out.write(`${line(['NODE', 'PHASE', 'DURATION', 'MESSAGE'])}\n`);
    }
    this.out.write(`${line([labelOf(node, this.runId), node.phase, node.finishedAt ? spanOf(node, this.now()) : '', message])}\n`);
  }
}

function labelOf(node: NodeStatus, runId: string): string {
  // The path tells nested steps apart (`build.test`); the run's name and Argo's step-group
  // indexes (`[0]`) add nothing a reader needs.
  if (node.id === runId || !node.name.startsWith(runId)) return node.name;
  return (
    node.name
      .slice(runId.length)
      .replace(/\[\d+\]/g, '')
      .replace(/^\./, '') || node.name
  );
}

function line(cells: string[]): string {
  return cells
    .map((cell, i) => (i < WIDTHS.length ? cell.padEnd(WIDTHS[i]!) : cell))
    .join('  ')
    .trimEnd();
}
