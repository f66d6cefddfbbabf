import type { JournalRecord, RunStore, SaveOptions, StoredRun } from '../../src/ports/run-store.js';
import { MemoryRunStore } from '../../src/state/memory-run-store.js';

/**
 * A run store that fails its writes while `failing` is set, as a full disk or an API server
 * answering 409/503 would: appends and saves reject and write nothing. Reads always work.
 * Records what was noted as held, in order.
 */
export class FailingRunStore implements RunStore {
  failing: string | undefined;
  readonly inner = new MemoryRunStore();
  readonly notes: Array<string | undefined> = [];
  failedWrites = 0;

  list(): Promise<string[]> {
    return this.inner.list();
  }

  load(id: string): Promise<StoredRun | undefined> {
    return this.inner.load(id);
  }

  async create(run: StoredRun): Promise<void> {
    this.check();
    return this.inner.create(run);
  }

  async save(run: StoredRun, options?: SaveOptions): Promise<void> {
    this.check();
    return this.inner.save(run, options);
  }

  async append(id: string, record: JournalRecord): Promise<boolean> {
    this.check();
    return this.inner.append(id, record);
  }

  async noteHeld(_id: string, problem: string | undefined): Promise<void> {
    this.notes.push(problem);
  }

  private check(): void {
    if (this.failing === undefined) return;
    this.failedWrites++;
    throw new Error(this.failing);
  }
}
