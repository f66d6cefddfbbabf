import { format } from 'node:util';
import type { Logger } from 'probot';
import { LOG_LEVELS, type StructuredLog } from '../server/structured-log.js';

/**
 * Probot's and Octokit's log calls (pino's shape: `log.info(msg)`, `log.debug(fields, msg)`,
 * `log.child(bindings)`) written to Skiff's log, so they come out in the same format and carry the
 * same fields (a delivery's id) as Skiff's own lines. Only plain fields and errors are kept: Probot
 * logs whole webhook payloads and request bodies at debug, which have no place in a log line.
 */
export function probotLog(log: StructuredLog): Logger {
  const adapter: Record<string, unknown> = {
    level: log.level,
    child: (bindings: Record<string, unknown>) => probotLog(log.child(plainFields(bindings))),
    isLevelEnabled: (level: string) => log.enabled(level as (typeof LOG_LEVELS)[number]),
  };
  for (const level of LOG_LEVELS) {
    adapter[level] = (first: unknown, ...rest: unknown[]) => {
      if (!log.enabled(level)) return;
      if (typeof first === 'string') return log.write(level, format(first, ...rest));
      if (first instanceof Error) return log.write(level, typeof rest[0] === 'string' ? rest[0] : first.message, { err: first });
      const fields = plainFields((first ?? {}) as Record<string, unknown>);
      log.write(level, typeof rest[0] === 'string' ? rest[0] : '', fields);
    };
  }
  adapter.silent = () => undefined;
  return adapter as unknown as Logger;
}

function plainFields(fields: Record<string, unknown>): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value instanceof Error) kept[key] = value;
    else if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) kept[key] = value;
  }
  return kept;
}
