import type { NodeChange } from '../runs/run-driver.js';
import type { StoredRun } from '../ports/run-store.js';
import type { NodeStatus } from '../engine/workflow-status.js';
import { formatTree } from './format-run.js';

/**
 * Progress on a terminal: the run's tree (step, phase symbol, duration, message) redrawn in place
 * as nodes change, and once a second so running durations tick. Redraws are coalesced (at most
 * one per 100 ms), and lines are cut to the terminal's width so the cursor arithmetic holds.
 * `noteOf` adds what a running step is doing right now (an artifact transfer) to its message.
 */
export class LiveTreeView {
  private drawnLines = 0;
  private pending: NodeJS.Timeout | undefined;
  private readonly ticker: NodeJS.Timeout;

  constructor(
    private readonly out: { write(text: string): unknown; columns?: number },
    private readonly run: StoredRun,
    private readonly now: () => number = Date.now,
    private readonly noteOf?: (node: NodeStatus) => string | undefined,
  ) {
    this.ticker = setInterval(() => this.draw(), 1000);
    this.draw();
  }

  onChange(change: NodeChange): void {
    this.run.status.nodes[change.node.id] = change.node;
    this.pending ??= setTimeout(() => {
      this.pending = undefined;
      this.draw();
    }, 100);
  }

  /** Stops redrawing and clears the tree, so the final report can take its place. */
  close(): void {
    clearInterval(this.ticker);
    if (this.pending) clearTimeout(this.pending);
    this.pending = undefined;
    this.erase();
  }

  private erase(): void {
    if (this.drawnLines > 0) this.out.write(`\u001b[${this.drawnLines}F\u001b[J`);
    this.drawnLines = 0;
  }

  private draw(): void {
    const width = Math.max(20, (this.out.columns ?? 100) - 1);
    const lines = formatTree(this.run, this.now(), 'live', this.noteOf)
      .split('\n')
      .map((l) => ([...l].length > width ? `${[...l].slice(0, width - 1).join('')}…` : l));
    this.erase();
    this.out.write(`${lines.join('\n')}\n`);
    this.drawnLines = lines.length;
  }
}
