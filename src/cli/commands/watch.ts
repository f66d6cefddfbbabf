import { type CliIO, type Command, UsageError } from '../cli-io.js';
import { followRun } from '../follow-run.js';
import { openRunTarget } from '../open-run-target.js';
import { CLUSTER_TARGET_HELP, CLUSTER_TARGET_OPTIONS } from '../run-target.js';
import { parseNodeFieldSelector } from '../node-field-selector.js';
import { formatRunOutput } from '../output-format.js';
import { NAMESPACE_HELP, NAMESPACE_OPTION, STATE_DIR_HELP, STATE_DIR_OPTION, parseCommandArgs } from '../parse-command-args.js';
import { resolveRunName } from '../select-runs.js';
import { describeRun, runArgs } from '../describe-run.js';

const USAGE = `Usage: skiff watch [options] NAME

Follows a run as argo watch does: its tree redrawn in place on a terminal (a line per change
otherwise) until it finishes, then the run as skiff get shows it. NAME may be @latest. Ctrl-C
stops watching and leaves the run going; a second Ctrl-C within 3 seconds stops the run.

Options:
      --status PHASE              at the end, only steps in this phase (see skiff get)
      --node-field-selector SEL   at the end, only steps whose fields match (see skiff get)
${NAMESPACE_HELP}
${STATE_DIR_HELP}
${CLUSTER_TARGET_HELP}
  -h, --help                      show this help

Exit status: 0 the run Succeeded, 1 it did not (or no process runs it any more), 2 usage
error, 130 Ctrl-C.`;

export const watchCommand: Command = {
  name: 'watch',
  summary: 'follow a run until it finishes',
  usage: USAGE,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandArgs(args, {
      ...STATE_DIR_OPTION,
      ...CLUSTER_TARGET_OPTIONS,
      ...NAMESPACE_OPTION,
      status: { type: 'string' },
      'node-field-selector': { type: 'string' },
    });
    if (positionals.length !== 1)
      throw new UsageError(positionals.length === 0 ? 'name the run (NAME, or @latest)' : `watch one run at a time (got ${positionals.length})`);
    const selected = values['node-field-selector'] === undefined ? undefined : parseNodeFieldSelector(values['node-field-selector']);
    const phase = values.status?.toLowerCase();
    const target = openRunTarget(io, { ...values, namespace: undefined });
    const runId = await resolveRunName(target, positionals[0]!, values.namespace);
    const result = await followRun(target, io, runId, {
      progress: true,
      stop: () => target.control(io, runId, { op: 'stop', message: 'stopped by Ctrl-C' }),
    });
    if (result.run === undefined) return 130;
    if (result.how === 'orphaned') {
      io.stderr.write(`skiff watch: no skiff process is running ${describeRun(runId)} any more; skiff resume ${runArgs(runId)} continues it\n`);
      return 1;
    }
    io.stdout.write(
      `\n${formatRunOutput(result.run, undefined, Date.now(), (node) => (!phase || node.phase.toLowerCase() === phase) && (!selected || selected(node)))}`,
    );
    return result.run.status.phase === 'Succeeded' ? 0 : 1;
  },
};
