import { createReadStream } from 'node:fs';
import { appendFile, mkdir, open, readdir, readFile, rename, rm, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { GroupCommit } from '../shared/group-commit.js';
import type { AcceptedDelivery } from './webhook-receiver.js';

/** The journal's file in the inbox directory. */
export const INBOX_JOURNAL = 'inbox.jsonl';
/** Rewritten to hold only what is pending once it has this many done lines, or once nothing is pending. */
const COMPACT_AFTER_DONE = 5000;

type Line = { at: number; id: string; name: string; payload: Record<string, unknown> } | { done: string };

/**
 * Deliveries accepted and not yet handled, in a journal in the state directory: a delivery's line
 * is written before GitHub gets its 202, and a `done` line once it is handled, so a crash or kill
 * in between loses none: the next start handles what is left. Lines of one moment are appended
 * together (a burst of deliveries costs a few writes, not a few per delivery); the journal is
 * rewritten to what is still pending when it drains, or after many handled deliveries.
 *
 * A kill can cut only the last line short, and a line cut short was never acknowledged (the
 * acknowledgement waits for the append): it is dropped, and GitHub sends that delivery again.
 *
 * @example
 *   await inbox.record(delivery); // then acknowledge
 *   await handle(delivery); await inbox.done(delivery.id);
 *   for (const left of await inbox.pending()) await handle(left); // at start
 */
export class DeliveryInbox {
  private readonly appends = new GroupCommit<Line>((lines) => this.append(lines));
  private readonly file: string;
  private ready: Promise<void> | undefined;
  /** Recorded and not done, by this process or found at start. */
  private readonly open = new Set<string>();
  private doneLines = 0;

  constructor(private readonly dir: string) {
    this.file = join(dir, INBOX_JOURNAL);
  }

  async record(delivery: AcceptedDelivery): Promise<void> {
    await this.prepare();
    this.open.add(delivery.id);
    try {
      await this.appends.add({ at: Date.now(), id: delivery.id, name: delivery.name, payload: delivery.payload });
    } catch (error) {
      this.open.delete(delivery.id);
      throw error;
    }
  }

  async done(id: string): Promise<void> {
    if (!this.open.delete(id)) return;
    await this.appends.add({ done: id });
    this.doneLines++;
    if (this.open.size === 0 || this.doneLines >= COMPACT_AFTER_DONE) await this.appends.exclusive(() => this.compact());
  }

  /** What a previous process accepted and did not finish, oldest first. Call before recording. */
  async pending(): Promise<AcceptedDelivery[]> {
    await this.prepare();
    const found = await this.readPending();
    for (const delivery of found) this.open.add(delivery.id);
    return found.sort((a, b) => a.at - b.at).map(({ id, name, payload }) => ({ id, name, payload }));
  }

  /** Once: the directory made, a torn last line cut off, and deliveries an older version kept one file each moved in. */
  private prepare(): Promise<void> {
    this.ready ??= (async () => {
      await mkdir(this.dir, { recursive: true });
      await this.cutTornLine();
      for (const name of await readdir(this.dir)) {
        if (name === INBOX_JOURNAL) continue;
        const path = join(this.dir, name);
        if (name.endsWith('.json')) {
          const delivery = JSON.parse(await readFile(path, 'utf8')) as Line;
          await appendFile(this.file, `${JSON.stringify(delivery)}\n`);
        }
        // `.tmp` files (never acknowledged: GitHub sends them again) and an interrupted compaction's copy go.
        if (name.endsWith('.json') || name.endsWith('.tmp')) await rm(path, { force: true });
      }
    })();
    return this.ready;
  }

  private async append(lines: Line[]): Promise<void> {
    await appendFile(this.file, lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
  }

  private async readPending(): Promise<Array<AcceptedDelivery & { at: number }>> {
    const recorded = new Map<string, AcceptedDelivery & { at: number }>();
    try {
      for await (const text of createInterface({ input: createReadStream(this.file), crlfDelay: Number.POSITIVE_INFINITY })) {
        if (text === '') continue;
        const line = JSON.parse(text) as Line;
        if ('done' in line) recorded.delete(line.done);
        else recorded.set(line.id, line);
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return [...recorded.values()];
  }

  /** Rewrites the journal to the lines still pending, then renames it over: a kill leaves one whole journal or the other. */
  private async compact(): Promise<void> {
    this.doneLines = 0;
    if (this.open.size === 0) {
      await truncate(this.file, 0).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
      return;
    }
    const kept = await this.readPending();
    const copy = `${this.file}.tmp`;
    await rm(copy, { force: true });
    for (const delivery of kept) await appendFile(copy, `${JSON.stringify(delivery)}\n`);
    await rename(copy, this.file);
  }

  /** A journal that does not end in a newline was cut short by a kill mid-append: the part line goes. */
  private async cutTornLine(): Promise<void> {
    let size: number;
    try {
      size = (await stat(this.file)).size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    if (size === 0) return;
    const handle = await open(this.file, 'r+');
    try {
      // Read back from the end until a newline: a torn line is at most one delivery long.
      const chunk = Buffer.alloc(64 * 1024);
      let end = size;
      let position = size;
      while (position > 0) {
        const length = Math.min(chunk.length, position);
        position -= length;
        await handle.read(chunk, 0, length, position);
        const newline = chunk.subarray(0, length).lastIndexOf(0x0a);
        if (newline >= 0) {
          end = position + newline + 1;
          break;
        }
        end = 0;
      }
      if (end < size) await handle.truncate(end);
    } finally {
      await handle.close();
    }
  }
}
