import type { LogBytes } from '../../ports/run-page-source.js';
import { ansiToHtml, type AnsiState } from './ansi-to-html.js';
import type { SecretRedactor } from './secret-redactor.js';

/** How much of a log one page shows. */
export const LOG_PAGE_BYTES = 256 * 1024;

/** A page of a log, as HTML: bytes `[start, end)` of the log, cut at line boundaries. */
export interface LogPage {
  html: string;
  start: number;
  end: number;
  /** Why there is no log (its pod is gone), shown instead of it; or, above it, that it is the archived copy. */
  note?: string;
}

/**
 * The page of a log read up to `before` (undefined: its end as read): whole lines only, redacted,
 * ANSI colours as spans. A line longer than a page is shown cut. A log not written yet is empty.
 */
export function logPage(read: LogBytes, redactor: SecretRedactor, before: number | undefined): LogPage {
  let bytes = read.bytes;
  let start = read.start;
  const end = start + bytes.length;
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
  return {
    html: renderLines(bytes.toString('utf8').replace(/\n$/, ''), redactor, {}),
    start,
    end: last,
    ...(read.note !== undefined ? { note: read.note } : {}),
  };
}

/** Text of whole lines as redacted HTML, colours carried in `state`. */
export function renderLines(text: string, redactor: SecretRedactor, state: AnsiState): string {
  return text
    .split('\n')
    .map((line) => ansiToHtml(redactor.redact(line), state))
    .join('\n');
}

/** Lines of a log's bytes as they come (a line cut between chunks is kept whole), redacted; the rest with `flush`. */
export async function* redactedLines(chunks: AsyncIterable<Buffer>, redactor: SecretRedactor): AsyncGenerator<string> {
  let partial: Buffer = Buffer.alloc(0);
  for await (const chunk of chunks) {
    partial = partial.length === 0 ? chunk : Buffer.concat([partial, chunk]);
    const cut = partial.lastIndexOf(10) + 1;
    if (cut === 0) continue;
    yield `${redactor.redact(partial.subarray(0, cut - 1).toString('utf8'))}\n`;
    partial = partial.subarray(cut);
  }
  if (partial.length > 0) yield `${redactor.redact(partial.toString('utf8'))}\n`;
}

/** Turns what a log appends into rendered whole lines: each `push` returns what became whole (all of it with `flush`). */
export class LogFollower {
  private partial: Buffer = Buffer.alloc(0);
  private readonly state: AnsiState = {};

  constructor(
    private readonly redactor: SecretRedactor,
    /** Where in the log the next byte pushed stands (bytes before it were shown). */
    public offset: number,
  ) {}

  push(bytes: Buffer, flush: boolean): string | undefined {
    this.offset += bytes.length;
    this.partial = bytes.length === 0 ? this.partial : Buffer.concat([this.partial, bytes]);
    const cut = flush ? this.partial.length : this.partial.lastIndexOf(10) + 1;
    if (cut <= 0) return undefined;
    const text = this.partial.subarray(0, cut).toString('utf8').replace(/\n$/, '');
    this.partial = this.partial.subarray(cut);
    return renderLines(text, this.redactor, this.state);
  }
}
