import { type CliIO, type Command, UsageError } from '../cli-io.js';
import { controlRuns } from '../control-run.js';
import { parseLabelSelector } from '../label-selector.js';
import { namedOrSelected, SELECT_OPTIONS } from '../select-runs.js';
import { openRunTarget } from '../open-run-target.js';
import { CLUSTER_TARGET_HELP, CLUSTER_TARGET_OPTIONS } from '../run-target.js';
import { NAMESPACE_HELP, NAMESPACE_OPTION, STATE_DIR_HELP, STATE_DIR_OPTION, parseCommandArgs } from '../parse-command-args.js';

const USAGE = `Usage: skiff terminate [options] NAME...
       skiff terminate [options] -l SELECTOR

Terminates the run: running steps are killed and marked Failed, and nothing more runs, not
even the exit handler, as argo terminate does.

Options:
      --message TEXT         why, recorded on the run
  -l, --selector SELECTOR    also every unfinished run whose labels match (see skiff list)
${NAMESPACE_HELP}
${STATE_DIR_HELP}
${CLUSTER_TARGET_HELP}
  -h, --help            show this help

Exit status: 0 done, 1 a run named does not exist or has already finished (the others are
still done), 2 usage error.`;

export const terminateCommand: Command = {
  name: 'terminate',
  summary: 'terminate a run at once, without its exit handler',
  usage: USAGE,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandArgs(args, {
      ...STATE_DIR_OPTION,
      ...CLUSTER_TARGET_OPTIONS,
      ...NAMESPACE_OPTION,
      ...SELECT_OPTIONS,
      message: { type: 'string' },
    });
    if (positionals.length === 0 && values.selector === undefined) throw new UsageError('name the run (NAME...) or select runs (-l)');
    const target = openRunTarget(io, { ...values, namespace: undefined });
    const filter =
      values.selector === undefined
        ? undefined
        : { labels: parseLabelSelector(values.selector), running: true, namespace: values.namespace ?? target.namespace };
    const request = { op: 'terminate' as const, ...(values.message !== undefined ? { message: values.message } : {}) };
    return controlRuns(target, io, await namedOrSelected(target, positionals, filter, Date.now(), values.namespace), request, 'terminated');
  },
};
