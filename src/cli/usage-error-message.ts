import { closest, distance } from 'fastest-levenshtein';

/**
 * The one line a usage error prints, instead of the parser's text and the whole help: an unknown
 * flag is named with the closest flag the command's usage lists, then where the help is.
 *
 * @example usageErrorMessage('submit', "Unknown option '--wiat'. To specify ...", usage)
 *   // 'skiff submit: unknown flag --wiat (did you mean --wait?)\nRun "skiff submit --help" for usage.\n'
 */
export function usageErrorMessage(command: string, message: string, usage: string): string {
  const unknown = /^Unknown option '([^']+)'/.exec(message)?.[1];
  let line = message;
  if (unknown !== undefined) {
    const flags = [...new Set(usage.match(/(?<![\w-])--?[a-zA-Z][\w-]*/g) ?? [])];
    const guess = flags.length > 0 ? closest(unknown, flags) : undefined;
    // A guess further than half the flag's length away is noise, not help.
    const near = guess !== undefined && distance(unknown, guess) <= Math.max(2, Math.floor(unknown.length / 2));
    line = `unknown flag ${unknown}${near ? ` (did you mean ${guess}?)` : ''}`;
  }
  return `skiff ${command}: ${line}\nRun "skiff ${command} --help" for usage.\n`;
}
