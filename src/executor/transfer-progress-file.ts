import { rm } from 'node:fs/promises';
import type { TransferProgress } from '../runtime/pod-spec/executor-plan.js';
import { replaceFile } from './replace-file.js';

/**
 * Keeps the pod's progress file (PROGRESS_PATH) up to date while artifacts move: `begin` names the
 * artifact, `add` counts bytes (pass it to the artifact driver as `onBytes`), and a timer rewrites
 * the file every `intervalMs`, so counting costs a few additions however small the chunks. A
 * transfer shorter than one interval never writes at all. Best effort: progress that cannot be
 * written is not a reason to fail the step.
 */
export class TransferProgressFile {
  private current: TransferProgress | undefined;
  private timer: NodeJS.Timeout | undefined;
  private written = false;
  // Writes and removals run one after another, so a slow write cannot land after the removal.
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly path: string,
    private readonly intervalMs = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  begin(direction: TransferProgress['direction'], artifact: string): void {
    const at = this.now();
    this.current = { direction, artifact, bytes: 0, startedAt: at, updatedAt: at };
    this.timer ??= setInterval(() => this.write(), this.intervalMs).unref();
  }

  /** Counts bytes moved for the current artifact. */
  readonly add = (count: number): void => {
    if (this.current) this.current.bytes += count;
  };

  /** The current artifact is done: its progress disappears. */
  async end(): Promise<void> {
    this.current = undefined;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.written) {
      this.written = false;
      this.queue = this.queue.then(() => rm(this.path, { force: true }).catch(() => undefined));
    }
    await this.queue;
  }

  private write(): void {
    const current = this.current;
    if (!current) return;
    const snapshot = { ...current, updatedAt: this.now() };
    this.written = true;
    this.queue = this.queue.then(() => replaceFile(this.path, JSON.stringify(snapshot)).catch(() => undefined));
  }
}
