import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { GroupCommit } from '../shared/group-commit.js';

/** Delivery ids are GitHub's UUIDs; anything else is refused before it reaches the ledger file. */
const DELIVERY_ID = /^[A-Za-z0-9-]{1,64}$/;

/**
 * The webhook deliveries already accepted, so a delivery GitHub (or an attacker replaying a
 * captured request) sends again is ignored. Bounded: the newest `capacity` ids are kept, in
 * memory and in a file, so a restart still knows them. GitHub redelivers within days, and a
 * busy installation sends thousands a day: the default keeps the last 20,000.
 *
 * @example
 *   const ledger = await DeliveryLedger.open('/var/lib/skiff/github/deliveries');
 *   if (await ledger.accept(id)) handle(event); // false: seen before
 */
export class DeliveryLedger {
  private readonly seen = new Set<string>();
  private order: string[] = [];
  private fileLines = 0;
  /** One append for the ids of a burst. */
  private readonly appends = new GroupCommit<string>((ids) => this.append(ids));

  private constructor(
    private readonly file: string,
    private readonly capacity: number,
  ) {}

  static async open(file: string, capacity = 20_000): Promise<DeliveryLedger> {
    const ledger = new DeliveryLedger(file, capacity);
    await mkdir(dirname(file), { recursive: true });
    const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
    // A line cut short by a crash is no id; the ones before it still count.
    const ids = text.split('\n').filter((line) => DELIVERY_ID.test(line));
    ledger.fileLines = ids.length;
    for (const id of ids.slice(-capacity)) ledger.remember(id);
    return ledger;
  }

  /** Whether an id is well formed enough to be recorded. */
  static isDeliveryId(id: string): boolean {
    return DELIVERY_ID.test(id);
  }

  has(id: string): boolean {
    return this.seen.has(id);
  }

  /**
   * Records `id` (on disk before it resolves) and returns true, or returns false when it was
   * recorded before. Concurrent calls with one id: exactly one gets true. `beforeWrite` runs once
   * the id is claimed and before its line is written (the delivery is kept in the inbox first, so
   * a kill between the two leaves it in the inbox, never known here and kept nowhere); when it
   * fails, the id is let go, so the delivery sent again is taken.
   */
  async accept(id: string, beforeWrite?: () => Promise<void>): Promise<boolean> {
    if (!DELIVERY_ID.test(id)) throw new Error(`"${id.slice(0, 80)}" is not a delivery id`);
    if (this.seen.has(id)) return false;
    this.remember(id);
    if (beforeWrite) {
      try {
        await beforeWrite();
      } catch (error) {
        this.seen.delete(id);
        this.order = this.order.filter((kept) => kept !== id);
        throw error;
      }
    }
    await this.appends.add(id);
    return true;
  }

  private remember(id: string): void {
    this.seen.add(id);
    this.order.push(id);
    if (this.order.length > this.capacity * 1.5) {
      for (const old of this.order.slice(0, this.order.length - this.capacity)) this.seen.delete(old);
      this.order = this.order.slice(-this.capacity);
    }
  }

  private async append(ids: string[]): Promise<void> {
    if (this.fileLines + ids.length > this.capacity * 2) {
      // Rewritten whole (the ids being written included: they are remembered already), then
      // renamed over: a crash leaves the old file or the new one, never half of one.
      const kept = this.order.slice(-this.capacity);
      await writeFile(`${this.file}.tmp`, `${kept.join('\n')}\n`);
      await rename(`${this.file}.tmp`, this.file);
      this.fileLines = kept.length;
      const written = new Set(kept);
      ids = ids.filter((id) => !written.has(id));
      if (ids.length === 0) return;
    }
    await appendFile(this.file, `${ids.join('\n')}\n`);
    this.fileLines += ids.length;
  }
}
