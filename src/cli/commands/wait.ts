import { isWorkflowDone } from '../../engine/workflow-status.js';
import type { CliIO, Command } from '../cli-io.js';
import { runInForeground } from '../launch-run.js';
import { openLocalTarget } from '../local-target.js';
import { formatRunOutput, parseOutputFormat } from '../output-format.js';
import { oneName, parseCommandArgs, STATE_DIR_HELP, STATE_DIR_OPTION } from '../parse-command-args.js';
import { requireRun } from '../read-run.js';
import { leaseOwner } from '../run-lease.js';

const USAGE = `Usage: skiff wait [options] NAME

Waits until the run finishes, then prints it as skiff get does. A run no skiff process is
running (its process was killed) is continued in the foreground.

Options:
  -o, --output FORMAT   json, yaml or wide (see skiff get)
${STATE_DIR_HELP}
  -h, --help            show this help

Exit status: 0 the run Succeeded, 1 it Failed or Errored (or does not exist), 2 usage error.`;

export const waitCommand: Command = {
  name: 'wait',
  summary: 'wait for a run to finish',
  usage: USAGE,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandArgs(args, { ...STATE_DIR_OPTION, output: { type: 'string', short: 'o' } });
    const runId = oneName(positionals);
    const output = parseOutputFormat(values.output);
    const target = openLocalTarget(io, { stateDir: values['state-dir'] });
    let run = await requireRun(target.layout, runId);
    while (!isWorkflowDone(run.status.phase)) {
      if ((await leaseOwner(target.layout, runId)) === undefined) {
        // Nobody drives it: a lease can lapse between two looks only because the run ended or its
        // process died; look once more before taking over.
        run = await requireRun(target.layout, runId);
        if (isWorkflowDone(run.status.phase)) break;
        run = await runInForeground(target, io, runId, output);
        return run.status.phase === 'Succeeded' ? 0 : 1;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
      run = await requireRun(target.layout, runId);
    }
    io.stdout.write(formatRunOutput(run, output));
    return run.status.phase === 'Succeeded' ? 0 : 1;
  },
};
