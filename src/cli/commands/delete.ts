import { UsageError, type CliIO, type Command } from '../cli-io.js';
import { parseLabelSelector } from '../label-selector.js';
import { parseAge } from '../parse-age.js';
import { namedOrSelected, SELECT_OPTIONS } from '../select-runs.js';
import { openRunTarget } from '../open-run-target.js';
import { CLUSTER_TARGET_HELP, CLUSTER_TARGET_OPTIONS } from '../run-target.js';
import { splitRunKey } from '../../ports/run-key.js';
import { parseCommandArgs, STATE_DIR_HELP, STATE_DIR_OPTION } from '../parse-command-args.js';

const USAGE = `Usage: skiff delete [options] NAME...
       skiff delete [options] --all | --completed | --older DURATION | --prefix PREFIX | -l SELECTOR

Deletes runs from the state directory: their status and journal, their pods' logs and
volumes, and their volume claims. A run that a skiff process is still running is refused; stop
or terminate it first. A damaged run (see skiff list) is deleted too, without its artifact
garbage collection, which needs the run's status: its artifacts stay in their repository.

First the run's artifact garbage collection: artifacts whose artifactGC strategy is
OnWorkflowDeletion (and OnWorkflowCompletion, if the run's end did not get to it) are deleted
from their repository. If one cannot be deleted, the run is kept and the reason printed, unless
the workflow sets spec.artifactGC.forceFinalizerRemoval: true.

Runs can be picked as argo delete picks them; the flags combine (all must hold):

Options:
      --all                    every run (of the namespace; with -A, of every namespace)
      --completed              every finished run
      --older DURATION         every run that finished at least DURATION ago (10m, 3h, 2d)
      --prefix PREFIX          every run whose name starts with PREFIX
  -l, --selector SELECTOR      every run whose labels match (see skiff list)
  -n, --namespace NS           runs of namespace NS: those named (default: the one namespace
                               that has a run of that name), and with the flags above (default: default)
  -A, --all-namespaces         with the flags above: runs of every namespace
      --dry-run                print what would be deleted, delete nothing
${STATE_DIR_HELP}
${CLUSTER_TARGET_HELP}
  -h, --help            show this help

Exit status: 0 deleted, 1 a run does not exist or is running (the others are still deleted),
2 usage error.`;

export const deleteCommand: Command = {
  name: 'delete',
  summary: 'delete runs and their logs',
  usage: USAGE,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandArgs(args, {
      ...STATE_DIR_OPTION,
      ...CLUSTER_TARGET_OPTIONS,
      ...SELECT_OPTIONS,
      all: { type: 'boolean' },
      completed: { type: 'boolean' },
      older: { type: 'string' },
      prefix: { type: 'string' },
      namespace: { type: 'string', short: 'n' },
      'all-namespaces': { type: 'boolean', short: 'A' },
      'dry-run': { type: 'boolean' },
    });
    const selecting =
      values.all === true || values.completed === true || values.older !== undefined || values.prefix !== undefined || values.selector !== undefined;
    if (positionals.length === 0 && !selecting) throw new UsageError('name the run(s) to delete, or pick them (--all, --completed, --older, --prefix, -l)');
    const target = openRunTarget(io, { ...values, namespace: undefined });
    const filter = selecting
      ? {
          namespace: values['all-namespaces'] ? undefined : (values.namespace ?? target.namespace),
          completed: values.completed,
          older: values.older === undefined ? undefined : parseAge(values.older, '--older'),
          prefix: values.prefix,
          labels: values.selector === undefined ? undefined : parseLabelSelector(values.selector),
        }
      : undefined;
    const chosen = await namedOrSelected(target, positionals, filter, Date.now(), values.namespace);
    if (values['dry-run']) {
      io.stdout.write(
        chosen
          .map(splitRunKey)
          .map(({ namespace, name }) => `workflow ${name} deleted${namespace === 'default' ? '' : ` (namespace ${namespace})`} (dry run)\n`)
          .join(''),
      );
      return 0;
    }
    let status = 0;
    for (const runId of chosen) if (!(await target.deleteRun(io, runId))) status = 1;
    return status;
  },
};
