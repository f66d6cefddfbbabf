import { isWorkflowDone } from '../../engine/workflow-status.js';
import { type CliIO, type Command, UsageError } from '../cli-io.js';
import { parseLabelSelector } from '../label-selector.js';
import type { LocalTarget } from '../local-target.js';
import { namedOrSelected, SELECT_OPTIONS } from '../select-runs.js';
import { runInForeground } from '../launch-run.js';
import { openLocalTarget } from '../local-target.js';
import { formatRunOutput, type OutputFormat, parseOutputFormat } from '../output-format.js';
import { NAMESPACE_HELP, NAMESPACE_OPTION, STATE_DIR_HELP, STATE_DIR_OPTION, parseCommandArgs } from '../parse-command-args.js';
import { requireRun } from '../read-run.js';
import type { RunKey } from '../../ports/run-key.js';
import { leaseOwner } from '../run-lease.js';

const USAGE = `Usage: skiff wait [options] NAME...
       skiff wait [options] -l SELECTOR

Waits until each run finishes, then prints it as skiff get does. A run no skiff process is
running (its process was killed) is continued in the foreground. NAME may be @latest.

Options:
  -l, --selector SELECTOR  also every unfinished run whose labels match (see skiff list)
  -o, --output FORMAT      name, json, yaml or wide (see skiff get)
${NAMESPACE_HELP}
${STATE_DIR_HELP}
  -h, --help            show this help

Exit status: 0 every run Succeeded, 1 one Failed or Errored (or does not exist), 2 usage error.`;

export const waitCommand: Command = {
  name: 'wait',
  summary: 'wait for a run to finish',
  usage: USAGE,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandArgs(args, {
      ...STATE_DIR_OPTION,
      ...NAMESPACE_OPTION,
      ...SELECT_OPTIONS,
      output: { type: 'string', short: 'o' },
    });
    if (positionals.length === 0 && values.selector === undefined) throw new UsageError('name the run (NAME...) or select runs (-l)');
    const output = parseOutputFormat(values.output, ['json', 'yaml', 'wide', 'name']);
    const target = openLocalTarget(io, { stateDir: values['state-dir'] });
    const filter =
      values.selector === undefined
        ? undefined
        : { labels: parseLabelSelector(values.selector), running: true, namespace: values.namespace ?? target.objects.namespace };
    let status = 0;
    for (const runId of await namedOrSelected(target, positionals, filter, Date.now(), values.namespace))
      status = Math.max(status, await waitFor(target, io, runId, output));
    return status;
  },
};

/** Waits for one run (continuing it here if nobody drives it) and prints it; 0 if it Succeeded. */
async function waitFor(target: LocalTarget, io: CliIO, runId: RunKey, output: OutputFormat | undefined): Promise<number> {
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
}
