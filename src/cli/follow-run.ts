import type { StoredRun } from '../ports/run-store.js';
import { isWorkflowDone } from '../engine/workflow-status.js';
import type { CliIO } from './cli-io.js';
import { LiveTreeView } from './live-tree-view.js';
import type { RunTarget } from './run-target.js';
import { ProgressLines } from './progress-lines.js';
import { requireTargetRun } from './read-run.js';
import { describeRun, nameOf, runArgs } from './describe-run.js';
import type { RunKey } from '../ports/run-key.js';

/** Where Ctrl-C comes from: the process's SIGINT, or a test's own. */
export interface InterruptSource {
  on(listener: () => void): void;
  off(listener: () => void): void;
}

export const PROCESS_INTERRUPTS: InterruptSource = {
  on: (listener) => void process.on('SIGINT', listener),
  off: (listener) => void process.off('SIGINT', listener),
};

/** A second Ctrl-C within this long of the first stops the run. */
export const SECOND_INTERRUPT_MS = 3000;

export interface FollowOptions {
  /** Draw progress (a live tree on a terminal, a line per change otherwise); false for documents. */
  progress: boolean;
  interrupts?: InterruptSource;
  /** Stops the run (a second Ctrl-C, or a run given up on). */
  stop: () => Promise<void>;
  pollMs?: number;
  now?: () => number;
}

/**
 * How following a run ended: `finished` with the run at its end, `detached` after one Ctrl-C
 * (the run goes on), `stopped` after two (the run was asked to stop), or `orphaned` when no
 * process drives the run any more (it was killed) and it never finished.
 */
export type FollowResult = { how: 'finished' | 'orphaned'; run: StoredRun } | { how: 'detached' | 'stopped'; run?: undefined };

/**
 * Follows a run another process drives, as `argo submit --watch` and `argo watch` do: reads the
 * run from the state directory every `pollMs` and shows each change, until it finishes. Watching
 * never owns the run, so Ctrl-C only stops the watching; a second Ctrl-C within a few seconds
 * asks the run's driver to stop it (exit handlers still run), for the person who meant it.
 */
export async function followRun(target: RunTarget, io: CliIO, runId: RunKey, options: FollowOptions): Promise<FollowResult> {
  const now = options.now ?? Date.now;
  const interrupts = options.interrupts ?? PROCESS_INTERRUPTS;
  let run = await requireTargetRun(target, runId);
  const live = options.progress && io.stdout.isTTY === true ? new LiveTreeView(io.stdout, structuredClone(run), now) : undefined;
  const lines = options.progress && !live ? new ProgressLines(io.stdout, nameOf(runId), now) : undefined;
  const seen = new Map<string, string>();
  const show = (current: StoredRun): void => {
    for (const node of Object.values(current.status.nodes)) {
      const key = JSON.stringify(node);
      if (seen.get(node.id) === key) continue;
      seen.set(node.id, key);
      (live ?? lines)?.onChange({ runId, node });
    }
  };

  let interruptedAt: number | undefined;
  let wake: (() => void) | undefined;
  const onInterrupt = (): void => {
    if (interruptedAt === undefined) interruptedAt = now();
    else interruptedAt = -1; // the second: stop the run
    wake?.();
  };
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  interrupts.on(onInterrupt);
  try {
    return await watchUntil();
  } finally {
    interrupts.off(onInterrupt);
  }

  async function watchUntil(): Promise<FollowResult> {
    try {
      for (;;) {
        show(run);
        if (isWorkflowDone(run.status.phase)) return { how: 'finished', run };
        if (interruptedAt !== undefined) break;
        await sleep(options.pollMs ?? 200);
        if (interruptedAt !== undefined) break;
        // Looked at before the run: a driver that ends with the run must not look like one that died.
        const undriven = (await target.undrivenNote(runId)) !== undefined;
        run = await requireTargetRun(target, runId);
        if (undriven && !isWorkflowDone(run.status.phase)) return { how: 'orphaned', run };
      }
    } finally {
      live?.close();
      lines?.close();
    }
    // Ctrl-C: the run goes on; say so, and give a moment for a second Ctrl-C that stops it.
    io.stderr.write(
      `\nskiff: stopped watching; ${describeRun(runId)} goes on (skiff watch ${runArgs(runId)} follows it again, skiff stop ${runArgs(runId)} stops it). Ctrl-C again within ${SECOND_INTERRUPT_MS / 1000}s stops it now.\n`,
    );
    const first = interruptedAt;
    if (first !== -1) {
      const deadline = first + SECOND_INTERRUPT_MS;
      while (interruptedAt !== -1 && now() < deadline) await sleep(Math.min(100, Math.max(1, deadline - now())));
    }
    if (interruptedAt !== -1) return { how: 'detached' };
    await options.stop();
    io.stderr.write(`skiff: ${describeRun(runId)} stopped\n`);
    return { how: 'stopped' };
  }
}
