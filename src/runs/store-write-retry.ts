import type { EngineEvent } from '../engine/engine-events.js';

/** A run whose changes could not be saved: the batch to write again, and the events that came since. */
export interface HeldWrite<T> {
  batch: T;
  /** Events for the run that arrived while it was held, applied in order once it is saved. */
  deferred: EngineEvent[];
  /** Why the last write failed. */
  problem: string;
  attempts: number;
  timer: { cancel(): void };
}

export interface StoreWriteRetryOptions<T> {
  setTimer: (callback: () => void, ms: number) => { cancel(): void };
  /** First wait before writing again, in ms (default 100); doubled per failure up to `maxMs` (default 30,000). */
  firstMs?: number | undefined;
  maxMs?: number | undefined;
  write(runId: string, batch: T): Promise<void>;
  /** The run is held (`problem`), or saved again (`undefined`). Called when this changes, and when the reason does. */
  held(runId: string, problem: string | undefined): void;
  /** The batch is saved: its effects may start, then the deferred events are applied. */
  saved(runId: string, batch: T, deferred: EngineEvent[]): void;
}

/**
 * The failure policy for a run's state: a write that fails is never lost nor skipped. The run is
 * held — the engine's changes stay unsaved in memory, their effects (pods, timers, locks) do not
 * start, and the run's later events wait — while the same write is tried again with a growing
 * wait (100 ms doubling to 30 s), for as long as it takes. Every failure is worth retrying here:
 * a full disk, a store that is down, or (in a cluster) a 409 conflict or a timed-out API server all
 * pass, and a run that moved on without its state saved could start a pod twice after a restart.
 */
export class StoreWriteRetry<T> {
  private readonly firstMs: number;
  private readonly maxMs: number;

  constructor(private readonly options: StoreWriteRetryOptions<T>) {
    this.firstMs = options.firstMs ?? 100;
    this.maxMs = options.maxMs ?? 30_000;
  }

  /** Holds a run whose batch failed to save with `error`, and schedules the next attempt. */
  hold(runId: string, batch: T, error: unknown): HeldWrite<T> {
    const held: HeldWrite<T> = { batch, deferred: [], problem: describe(error), attempts: 1, timer: { cancel() {} } };
    this.options.held(runId, held.problem);
    this.schedule(runId, held);
    return held;
  }

  /** Gives up a held write: the run was replaced (retried, resubmitted) and its old batch no longer matters. */
  drop(held: HeldWrite<T>): void {
    held.timer.cancel();
  }

  private schedule(runId: string, held: HeldWrite<T>): void {
    const wait = Math.min(this.maxMs, this.firstMs * 2 ** (held.attempts - 1));
    held.timer = this.options.setTimer(() => void this.attempt(runId, held), wait);
  }

  private async attempt(runId: string, held: HeldWrite<T>): Promise<void> {
    try {
      await this.options.write(runId, held.batch);
    } catch (error) {
      held.attempts++;
      const problem = describe(error);
      if (problem !== held.problem) {
        held.problem = problem;
        this.options.held(runId, problem);
      }
      this.schedule(runId, held);
      return;
    }
    this.options.held(runId, undefined);
    this.options.saved(runId, held.batch, held.deferred);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
