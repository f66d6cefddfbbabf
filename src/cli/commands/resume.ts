import { isWorkflowDone } from '../../engine/workflow-status.js';
import type { CliIO, Command } from '../cli-io.js';
import { followInBackground, runInForeground } from '../launch-run.js';
import { openRunTarget } from '../open-run-target.js';
import { CLUSTER_TARGET_HELP, CLUSTER_TARGET_OPTIONS } from '../run-target.js';
import { parseOutputFormat } from '../output-format.js';
import { NAMESPACE_HELP, NAMESPACE_OPTION, STATE_DIR_HELP, STATE_DIR_OPTION, oneName, parseCommandArgs } from '../parse-command-args.js';
import { requireRun } from '../read-run.js';
import { describeRun, nameOf } from '../describe-run.js';
import { resolveRunName } from '../select-runs.js';
import { leaseOwner } from '../run-lease.js';
import { LocalRunControl } from '../../state/local-run-control.js';

const USAGE = `Usage: skiff resume [options] NAME

Resumes the run's suspended steps (suspend templates, spec.suspend), as argo resume does.
A run left unfinished by a skiff process that was killed is continued from where it was, by a
background skiff process, or in the foreground with --wait.

Options:
  -w, --wait            continue the run in the foreground until it finishes (only when no
                        other skiff process is running it)
  -o, --output FORMAT   with --wait: json, yaml or wide (see skiff submit)
${NAMESPACE_HELP}
${STATE_DIR_HELP}
${CLUSTER_TARGET_HELP}
  -h, --help            show this help

Exit status: 0 resumed (with --wait: the run Succeeded), 1 no such run, a finished run, or
(with --wait) a run that did not succeed, 2 usage error.`;

export const resumeCommand: Command = {
  name: 'resume',
  summary: 'resume suspended steps, or continue a run whose skiff process ended',
  usage: USAGE,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandArgs(args, {
      ...STATE_DIR_OPTION,
      ...CLUSTER_TARGET_OPTIONS,
      ...NAMESPACE_OPTION,
      wait: { type: 'boolean', short: 'w' },
      output: { type: 'string', short: 'o' },
    });
    const output = parseOutputFormat(values.output);
    const target = openRunTarget(io, { ...values, namespace: undefined });
    const runId = await resolveRunName(target, oneName(positionals), values.namespace);
    if (target.kind === 'cluster') {
      // The controller drives the run: the request is left on its Workflow, and --wait follows it.
      await target.control(io, runId, { op: 'resume' });
      if (!values.wait) {
        io.stdout.write(`${nameOf(runId)} resumed\n`);
        return 0;
      }
      return followInBackground(target, io, runId, { wait: true, follow: 'watch', output });
    }
    if (values.wait) {
      const run = await requireRun(target.layout, runId);
      if (isWorkflowDone(run.status.phase)) throw new Error(`${describeRun(runId)} has already finished (${run.status.phase})`);
      const owner = await leaseOwner(target.layout, runId);
      if (owner !== undefined) throw new Error(`${describeRun(runId)} is being run by another skiff process (pid ${owner}); resume it without --wait`);
      await new LocalRunControl(target.layout).send(runId, { op: 'resume' }); // taken by the driver below once it runs
      const finished = await runInForeground(target, io, runId, output);
      return finished.status.phase === 'Succeeded' ? 0 : 1;
    }
    await target.control(io, runId, { op: 'resume' });
    io.stdout.write(`${nameOf(runId)} resumed\n`);
    return 0;
  },
};
