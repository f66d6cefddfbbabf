import { isWorkflowDone } from '../../engine/workflow-status.js';
import { type CliIO, type Command, UsageError } from '../cli-io.js';
import { parseLabelSelector } from '../label-selector.js';
import type { LocalTarget } from '../local-target.js';
import type { ClusterTarget } from '../cluster-target.js';
import { namedOrSelected, SELECT_OPTIONS } from '../select-runs.js';
import { runInForeground } from '../launch-run.js';
import { openRunTarget } from '../open-run-target.js';
import { CLUSTER_TARGET_HELP, CLUSTER_TARGET_OPTIONS } from '../run-target.js';
import { formatRunOutput, type OutputFormat, parseOutputFormat } from '../output-format.js';
import { NAMESPACE_HELP, NAMESPACE_OPTION, STATE_DIR_HELP, STATE_DIR_OPTION, parseCommandArgs } from '../parse-command-args.js';
import { requireTargetRun } from '../read-run.js';
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
${CLUSTER_TARGET_HELP}
  -h, --help            show this help

Exit status: 0 every run Succeeded, 1 one Failed or Errored (or does not exist), 2 usage error.`;

export const waitCommand: Command = {
  name: 'wait',
  summary: 'wait for a run to finish',
  usage: USAGE,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandArgs(args, {
      ...STATE_DIR_OPTION,
      ...CLUSTER_TARGET_OPTIONS,
      ...NAMESPACE_OPTION,
      ...SELECT_OPTIONS,
      output: { type: 'string', short: 'o' },
    });
    if (positionals.length === 0 && values.selector === undefined) throw new UsageError('name the run (NAME...) or select runs (-l)');
    const output = parseOutputFormat(values.output, ['json', 'yaml', 'wide', 'name']);
    const target = openRunTarget(io, { ...values, namespace: undefined });
    const filter =
      values.selector === undefined
        ? undefined
        : { labels: parseLabelSelector(values.selector), running: true, namespace: values.namespace ?? target.namespace };
    let status = 0;
    for (const runId of await namedOrSelected(target, positionals, filter, Date.now(), values.namespace))
      status = Math.max(status, await waitFor(target, io, runId, output));
    return status;
  },
};

/** Waits for one run (continuing it here if nobody drives it) and prints it; 0 if it Succeeded. */
async function waitFor(target: LocalTarget | ClusterTarget, io: CliIO, runId: RunKey, output: OutputFormat | undefined): Promise<number> {
  let run = await requireTargetRun(target, runId);
  while (!isWorkflowDone(run.status.phase)) {
    // In a cluster a controller drives every run, whenever it gets to it: waiting is all there is.
    if (target.kind === 'local' && (await leaseOwner(target.layout, runId)) === undefined) {
      // Nobody drives it: a lease can lapse between two looks only because the run ended or its
      // process died; look once more before taking over.
      run = await requireTargetRun(target, runId);
      if (isWorkflowDone(run.status.phase)) break;
      run = await runInForeground(target, io, runId, output);
      return run.status.phase === 'Succeeded' ? 0 : 1;
    }
    await new Promise((resolve) => setTimeout(resolve, target.kind === 'local' ? 100 : 500));
    run = await requireTargetRun(target, runId);
  }
  io.stdout.write(formatRunOutput(run, output));
  return run.status.phase === 'Succeeded' ? 0 : 1;
}
