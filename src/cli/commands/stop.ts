import { envOf, type CliIO, type Command } from '../cli-io.js';
import { controlRun } from '../control-run.js';
import { openLocalTarget } from '../local-target.js';
import { oneName, parseCommandArgs, STATE_DIR_HELP, STATE_DIR_OPTION } from '../parse-command-args.js';

const USAGE = `Usage: skiff stop [options] NAME

Stops the run: running steps are killed and marked Failed, no new steps start, and the
exit handler (onExit) still runs, as argo stop does.

Options:
      --message TEXT    why, recorded on the run
${STATE_DIR_HELP}
  -h, --help            show this help

Exit status: 0 done, 1 no such run or it has already finished, 2 usage error.`;

export const stopCommand: Command = {
  name: 'stop',
  summary: 'stop a run; its exit handler still runs',
  usage: USAGE,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandArgs(args, { ...STATE_DIR_OPTION, message: { type: 'string' } });
    const runId = oneName(positionals);
    const target = openLocalTarget(io, { stateDir: values['state-dir'] });
    await controlRun(target, io, runId, { op: 'stop', ...(values.message !== undefined ? { message: values.message } : {}) }, { ...process.env, ...envOf(io) });
    io.stdout.write(`${runId} stopped\n`);
    return 0;
  },
};
