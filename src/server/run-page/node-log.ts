import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import { ansiToHtml, type AnsiState } from './ansi-to-html.js';
import type { SecretRedactor } from './secret-redactor.js';

/** How much of a log one page shows. */
export const LOG_PAGE_BYTES = 256 * 1024;

/** A page of a log, as HTML: bytes `[start, end)` of the file, cut at line boundaries. */
export interface LogPage {
  html: string;
  start: number;
  end: number;
}

/**
 * The page of a log that ends at `before` (default: its end): whole lines only, redacted, ANSI
 * colours as spans. A line longer than a page is shown cut. A log not written yet is empty.
 */
export async function readLogPage(path: string, redactor: SecretRedactor, before?: number, pageBytes = LOG_PAGE_BYTES): Promise<LogPage> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch {
    return { html: '', start: 0, end: 0 };
  }
  const end = Math.min(before ?? size, size);
  let start = Math.max(0, end - pageBytes);
  const handle = await open(path, 'r');
  let bytes: Buffer;
  try {
    bytes = Buffer.alloc(end - start);
    await handle.read(bytes, 0, bytes.length, start);
  } finally {
    await handle.close();
  }
  if (start > 0) {
    const newline = bytes.indexOf(10);
    if (newline >= 0 && newline < bytes.length - 1) {
      bytes = bytes.subarray(newline + 1);
      start += newline + 1;
    }
  }
  // A last line still being written is left to the follower (it starts at `end`), so no line is shown split.
  let last = end;
  const lastNewline = bytes.lastIndexOf(10);
  if (before === undefined && bytes.length > 0 && bytes[bytes.length - 1] !== 10) {
    bytes = bytes.subarray(0, lastNewline + 1);
    last = start + bytes.length;
  }
  // The page's last newline ends its last line; the page itself does not end in an empty line.
  return { html: renderLines(bytes.toString('utf8').replace(/\n$/, ''), redactor, {}), start, end: last };
}

/** Text of whole lines as redacted HTML, colours carried in `state`. */
export function renderLines(text: string, redactor: SecretRedactor, state: AnsiState): string {
  return text
    .split('\n')
    .map((line) => ansiToHtml(redactor.redact(line), state))
    .join('\n');
}

/** Writes the whole log as the step wrote it (colour codes kept), with secret values redacted line by line. */
export async function streamWholeLog(path: string, redactor: SecretRedactor, out: Writable): Promise<void> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    if (!out.write(`${redactor.redact(line)}\n`)) await new Promise((resolve) => out.once('drain', resolve));
  }
}

/** Follows a log from `offset`: each call returns what was appended since, whole lines only (all of it with `flush`). */
export class LogFollower {
  private partial = Buffer.alloc(0);
  private readonly state: AnsiState = {};

  constructor(
    private readonly path: string,
    private readonly redactor: SecretRedactor,
    public offset: number,
  ) {}

  async next(flush: boolean): Promise<string | undefined> {
    let size = 0;
    try {
      size = (await stat(this.path)).size;
    } catch {
      // not written yet
    }
    if (size > this.offset) {
      const handle = await open(this.path, 'r');
      try {
        const bytes = Buffer.alloc(size - this.offset);
        const { bytesRead } = await handle.read(bytes, 0, bytes.length, this.offset);
        this.offset += bytesRead;
        this.partial = Buffer.concat([this.partial, bytes.subarray(0, bytesRead)]);
      } finally {
        await handle.close();
      }
    }
    const cut = flush ? this.partial.length : this.partial.lastIndexOf(10) + 1;
    if (cut <= 0) return undefined;
    const text = this.partial.subarray(0, cut).toString('utf8').replace(/\n$/, '');
    this.partial = this.partial.subarray(cut);
    return renderLines(text, this.redactor, this.state);
  }
}
