import { envOf, type CliIO, type Command } from '../cli-io.js';
import { controlRun } from '../control-run.js';
import { openLocalTarget } from '../local-target.js';
import { oneName, parseCommandArgs, STATE_DIR_HELP, STATE_DIR_OPTION } from '../parse-command-args.js';

const USAGE = `Usage: skiff terminate [options] NAME

Terminates the run: running steps are killed and marked Failed, and nothing more runs, not
even the exit handler, as argo terminate does.

Options:
      --message TEXT    why, recorded on the run
${STATE_DIR_HELP}
  -h, --help            show this help

Exit status: 0 done, 1 no such run or it has already finished, 2 usage error.`;

export const terminateCommand: Command = {
  name: 'terminate',
  summary: 'terminate a run at once, without its exit handler',
  usage: USAGE,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandArgs(args, { ...STATE_DIR_OPTION, message: { type: 'string' } });
    const runId = oneName(positionals);
    const target = openLocalTarget(io, { stateDir: values['state-dir'] });
    await controlRun(target, io, runId, { op: 'terminate', ...(values.message !== undefined ? { message: values.message } : {}) }, { ...process.env, ...envOf(io) });
    io.stdout.write(`${runId} terminated\n`);
    return 0;
  },
};
