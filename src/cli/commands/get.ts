import type { CliIO, Command } from '../cli-io.js';
import { openLocalTarget } from '../local-target.js';
import { formatRunOutput, parseOutputFormat } from '../output-format.js';
import { oneName, parseCommandArgs, STATE_DIR_HELP, STATE_DIR_OPTION } from '../parse-command-args.js';
import { requireRun } from '../read-run.js';

const USAGE = `Usage: skiff get [options] NAME

Shows a run as argo get does: its phase, times, progress and parameters, then its steps as a
tree with each step's phase symbol (✔ Succeeded, ✖ Failed, ⚠ Error, ● Running, ◷ Pending,
○ Skipped or Omitted, ǁ suspended), template, pod, duration and message.

Options:
  -o, --output FORMAT   json or yaml: the Workflow object with its status in Argo's format;
                        wide: the tree with phases, start times and output parameters
${STATE_DIR_HELP}
  -h, --help            show this help

Exit status: 0 shown, 1 no such run or a damaged run (its file and record are named), 2 usage
error.`;

export const getCommand: Command = {
  name: 'get',
  summary: 'show a run and its steps',
  usage: USAGE,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandArgs(args, { ...STATE_DIR_OPTION, output: { type: 'string', short: 'o' } });
    const runId = oneName(positionals);
    const output = parseOutputFormat(values.output);
    const target = openLocalTarget(io, { stateDir: values['state-dir'] });
    io.stdout.write(formatRunOutput(await requireRun(target.layout, runId), output));
    return 0;
  },
};
