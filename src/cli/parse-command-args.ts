import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './cli-io.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** `parseArgs` whose complaints (unknown option, missing value) are usage errors: exit 2. */
export function parseCommandArgs<T extends Options>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** `--state-dir DIR`, shared by every command that reads or writes local runs. */
export const STATE_DIR_OPTION = { 'state-dir': { type: 'string' } } as const;

export const STATE_DIR_HELP = '      --state-dir DIR   where runs and applied objects live (default: $SKIFF_STATE_DIR, else ~/.local/state/skiff)';

/** Exactly one positional NAME, or a usage error. */
export function oneName(positionals: string[], what = 'NAME'): string {
  if (positionals.length === 0) throw new UsageError(`name the run (${what})`);
  if (positionals.length > 1) throw new UsageError(`expected one ${what}, got ${positionals.length}: ${positionals.join(' ')}`);
  return positionals[0]!;
}

/** `-n/--namespace NS`: the namespace in which the commands that take run names look them up. */
export const NAMESPACE_OPTION = { namespace: { type: 'string', short: 'n' } } as const;

export const NAMESPACE_HELP = "  -n, --namespace NS   the runs' namespace (default: the one namespace that has a run of that name)";
