import { appendFileSync, closeSync, fstatSync, openSync, statSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';

/**
 * When each line of a local container log was written, as a kubelet records it for
 * `kubectl logs --timestamps`. Beside `CONTAINER.log` lies `CONTAINER.times`: one entry per
 * chunk the container wrote, saying at which byte of the log the chunk starts and when it came
 * (microseconds since the epoch). A line's time is that of the chunk holding its newline, the
 * moment it became whole. The log itself stays exactly what the container printed.
 *
 * Entries are text lines, small because most are differences from the entry before:
 * `=OFFSET TIME` starts afresh (each writer's first entry), `+BYTES +MICROS` follows on. A
 * chatty step (one line per write) adds a few bytes per line; a step that writes in blocks, far
 * less. The entry is written before its chunk, so whoever reads a byte of the log finds its time.
 */
export function timesPath(logPath: string): string {
  return `${logPath.replace(/\.log$/, '')}.times`;
}

/** Now, in microseconds since the epoch (a kubelet prints nanoseconds; a process here sees microseconds). */
export function nowMicros(): number {
  return Math.floor((performance.timeOrigin + performance.now()) * 1000);
}

/** Appends to a log and its times; one writer per log at a time (a container, or a note before it runs). */
export class TimedLogWriter {
  private readonly times: number;
  private offset: number;
  private previousOffset = 0;
  private last: number | undefined;

  constructor(
    private readonly logPath: string,
    private readonly clock: () => number = nowMicros,
  ) {
    let size = 0;
    try {
      size = statSync(logPath).size;
    } catch {
      // a new log
    }
    this.offset = size;
    this.times = openSync(timesPath(logPath), 'a', 0o600);
    // A times file cut short by a crash must not glue this writer's first entry to a torn one.
    if (fstatSync(this.times).size > 0) writeSync(this.times, '\n');
  }

  /** Records the time of a chunk about to be appended to the log; call it before writing the chunk. */
  note(chunk: Buffer | string): void {
    const bytes = typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    if (bytes === 0) return;
    const time = Math.max(this.clock(), this.last ?? 0);
    writeSync(this.times, this.last === undefined ? `=${this.offset} ${time}\n` : `+${this.offset - this.previousOffset} +${time - this.last}\n`);
    this.previousOffset = this.offset;
    this.last = time;
    this.offset += bytes;
  }

  /** Appends a whole chunk to the log at once, with its time (for notes written outside a container). */
  append(chunk: string): void {
    this.note(chunk);
    appendFileSync(this.logPath, chunk, { mode: 0o600 });
  }

  close(): void {
    closeSync(this.times);
  }
}

/** Appends a note to a log with its time (warnings before a step runs, an HTTP step's result). */
export function appendTimedLog(logPath: string, text: string): void {
  const writer = new TimedLogWriter(logPath);
  try {
    writer.append(text);
  } finally {
    writer.close();
  }
}

/**
 * The times of a log as read so far: read again with `refresh` while the log grows. `timeOf`
 * gives the time of the line whose newline is at a byte offset, or undefined for a log written
 * before times were kept (or bytes no entry covers).
 */
export class LogTimes {
  private readonly offsets: number[] = [];
  private readonly micros: number[] = [];
  private read = 0;
  private partial = '';

  private constructor(private readonly path: string) {}

  /** The times of `logPath`, or undefined when it has none (a log of an older Skiff). */
  static async load(logPath: string): Promise<LogTimes | undefined> {
    const times = new LogTimes(timesPath(logPath));
    return (await times.refresh()) ? times : undefined;
  }

  /** Reads what was added since the last look; false if there is no times file. */
  async refresh(): Promise<boolean> {
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(this.path, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
    try {
      const { size } = await handle.stat();
      if (size <= this.read) return true;
      const buffer = Buffer.alloc(size - this.read);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, this.read);
      this.read += bytesRead;
      const lines = (this.partial + buffer.subarray(0, bytesRead).toString('latin1')).split('\n');
      this.partial = lines.pop() ?? '';
      for (const line of lines) this.add(line);
      return true;
    } finally {
      await handle.close();
    }
  }

  /** Microseconds since the epoch when the line ending at `offset` (its newline's byte) was written. */
  timeOf(offset: number): number | undefined {
    // The last entry starting at or before the offset: a binary search, entries being in order.
    let low = 0;
    let high = this.offsets.length - 1;
    let found = -1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (this.offsets[middle]! <= offset) {
        found = middle;
        low = middle + 1;
      } else high = middle - 1;
    }
    return found < 0 ? undefined : this.micros[found];
  }

  private add(line: string): void {
    const match = /^([=+])(\d+) \+?(\d+)$/.exec(line);
    if (!match) return; // a torn entry a crash left (its writer's next entry starts afresh)
    const last = this.offsets.length - 1;
    const relative = match[1] === '+' && last >= 0;
    if (match[1] === '+' && last < 0) return;
    const offset = relative ? this.offsets[last]! + Number(match[2]) : Number(match[2]);
    const micros = relative ? this.micros[last]! + Number(match[3]) : Number(match[3]);
    this.offsets.push(offset);
    this.micros.push(micros);
  }
}

/** A time as kubectl and argo print it with --timestamps: RFC 3339 with the fraction's trailing zeros cut. */
export function formatRfc3339Nano(micros: number): string {
  const seconds = Math.floor(micros / 1_000_000);
  const fraction = String(micros - seconds * 1_000_000)
    .padStart(6, '0')
    .replace(/0+$/, '');
  return `${new Date(seconds * 1000).toISOString().slice(0, 19)}${fraction ? `.${fraction}` : ''}Z`;
}
