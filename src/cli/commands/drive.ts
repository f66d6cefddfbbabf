import type { CliIO, Command } from '../cli-io.js';
import { envOf } from '../cli-io.js';
import { driveRun } from '../drive-run.js';
import { openLocalTarget } from '../local-target.js';
import { oneName, parseCommandArgs, STATE_DIR_OPTION } from '../parse-command-args.js';

/**
 * The background process `skiff submit` (without --wait), retry, resubmit and resume start:
 * drives one run to its end. Not for people; left out of the help.
 */
export const driveCommand: Command = {
  name: '__drive',
  summary: 'drive one run to its end (internal)',
  usage: 'Usage: skiff __drive NAMESPACE/NAME --state-dir DIR (internal: started by skiff submit)',
  hidden: true,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandArgs(args, STATE_DIR_OPTION);
    const runId = oneName(positionals);
    const target = openLocalTarget(io, { stateDir: values['state-dir'] });
    io.stdout.write(`${new Date().toISOString()} pid ${process.pid} driving ${runId}\n`);
    const finished = await driveRun({ target, env: envOf(io), runId });
    io.stdout.write(`${new Date().toISOString()} ${runId} ${finished.status.phase}${finished.status.message ? `: ${finished.status.message}` : ''}\n`);
    return finished.status.phase === 'Succeeded' ? 0 : 1;
  },
};
