import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AcceptedDelivery } from './webhook-receiver.js';

/**
 * Deliveries accepted and not yet handled, one file each in the state directory: written before
 * GitHub gets its 202, removed once handled, so a crash or kill in between loses none: the next
 * start handles what is left.
 *
 * @example
 *   await inbox.record(delivery); // then acknowledge
 *   await handle(delivery); await inbox.done(delivery.id);
 *   for (const left of await inbox.pending()) await handle(left); // at start
 */
export class DeliveryInbox {
  constructor(private readonly dir: string) {}

  async record(delivery: AcceptedDelivery): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const file = this.fileOf(delivery.id);
    // Written aside and renamed: a file in the inbox is always whole.
    await writeFile(`${file}.tmp`, JSON.stringify({ at: Date.now(), ...delivery }));
    await rename(`${file}.tmp`, file);
  }

  async done(id: string): Promise<void> {
    await rm(this.fileOf(id), { force: true });
  }

  /** What a previous process accepted and did not finish, oldest first. */
  async pending(): Promise<AcceptedDelivery[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const found: Array<AcceptedDelivery & { at: number }> = [];
    for (const name of names) {
      if (name.endsWith('.tmp')) {
        await rm(join(this.dir, name), { force: true }); // never acknowledged: GitHub sends it again
        continue;
      }
      if (!name.endsWith('.json')) continue;
      found.push(JSON.parse(await readFile(join(this.dir, name), 'utf8')) as AcceptedDelivery & { at: number });
    }
    return found.sort((a, b) => a.at - b.at).map(({ id, name, payload }) => ({ id, name, payload }));
  }

  private fileOf(id: string): string {
    // Ids are checked by the receiver (letters, digits, dashes) before they get here.
    return join(this.dir, `${id}.json`);
  }
}
