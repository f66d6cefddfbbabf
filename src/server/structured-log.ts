import { AsyncLocalStorage } from 'node:async_hooks';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFormat = 'json' | 'pretty';
type Fields = Record<string, unknown>;

const fieldsOfWork = new AsyncLocalStorage<Fields>();

/**
 * Runs `work` with `fields` on every line logged while it runs, however deep and however
 * asynchronous (a delivery's id on each line of the work done for it).
 */
export function withLogFields<T>(fields: Fields, work: () => T): T {
  return fieldsOfWork.run({ ...fieldsOfWork.getStore(), ...fields }, work);
}

export interface StructuredLogOptions {
  format: LogFormat;
  level: LogLevel;
  write: (text: string) => void;
  now?: () => Date;
}

/**
 * `skiff serve`'s log: one line per thing logged, either JSON (`time`, `level`, `msg`, the fields
 * of the work it belongs to, such as `delivery` and `event`, and its own fields) for a log
 * collector, or a readable line for a terminal. Lines below the level are dropped.
 *
 * @example
 *   const log = new StructuredLog({ format: 'json', level: 'info', write: (t) => process.stderr.write(t) });
 *   withLogFields({ delivery: id }, () => log.info('handled', { ms: 12 }));
 *   // {"time":"…","level":"info","msg":"handled","delivery":"…","ms":12}
 */
export class StructuredLog {
  private readonly threshold: number;

  constructor(
    private readonly options: StructuredLogOptions,
    private readonly bindings: Fields = {},
  ) {
    this.threshold = LOG_LEVELS.indexOf(options.level);
  }

  get level(): LogLevel {
    return this.options.level;
  }

  /** The same log with more fields on every line (a component's name). */
  child(bindings: Fields): StructuredLog {
    return new StructuredLog(this.options, { ...this.bindings, ...bindings });
  }

  enabled(level: LogLevel): boolean {
    return LOG_LEVELS.indexOf(level) >= this.threshold;
  }

  write(level: LogLevel, msg: string, fields: Fields = {}): void {
    if (!this.enabled(level)) return;
    const time = (this.options.now?.() ?? new Date()).toISOString();
    const all: Fields = { ...this.bindings, ...fieldsOfWork.getStore(), ...fields };
    if (this.options.format === 'json') {
      this.options.write(`${JSON.stringify({ time, level, msg, ...all }, jsonSafe)}\n`);
      return;
    }
    const extra = Object.entries(all)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value, jsonSafe)}`);
    this.options.write(`${time} ${level.toUpperCase().padEnd(5)} ${msg}${extra.length > 0 ? ` (${extra.join(' ')})` : ''}\n`);
  }

  trace(msg: string, fields?: Fields): void {
    this.write('trace', msg, fields);
  }
  debug(msg: string, fields?: Fields): void {
    this.write('debug', msg, fields);
  }
  info(msg: string, fields?: Fields): void {
    this.write('info', msg, fields);
  }
  warn(msg: string, fields?: Fields): void {
    this.write('warn', msg, fields);
  }
  error(msg: string, fields?: Fields): void {
    this.write('error', msg, fields);
  }
}

/** Errors as their message and name (JSON.stringify would make them `{}`); bigints as text. */
function jsonSafe(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, ...('status' in value ? { status: value.status } : {}) };
  if (typeof value === 'bigint') return value.toString();
  return value;
}
