import type { CliIO, Command } from '../cli-io.js';
import { continueOrphans } from '../continue-orphans.js';
import { launchRun } from '../launch-run.js';
import { openRunTarget } from '../open-run-target.js';
import { CLUSTER_TARGET_HELP, CLUSTER_TARGET_OPTIONS } from '../run-target.js';
import { resubmitRun } from '../../engine/operations/resubmit-run.js';
import { saveNewRun } from '../submit-run.js';
import { parseOutputFormat } from '../output-format.js';
import { NAMESPACE_HELP, NAMESPACE_OPTION, STATE_DIR_HELP, STATE_DIR_OPTION, oneName, parseCommandArgs } from '../parse-command-args.js';
import { requireTargetRun } from '../read-run.js';
import { describeRun } from '../describe-run.js';
import { resolveRunName } from '../select-runs.js';
import { runKey, splitRunKey } from '../../ports/run-key.js';
import { RunExistsError } from '../../ports/run-store.js';
import { resubmitBaseName, resubmitSavedRun, RunOperationError } from '../../runs/run-operations.js';
import { runSuffix } from '../../runs/run-suffix.js';
import { acquireLease } from '../run-lease.js';

const USAGE = `Usage: skiff resubmit [options] NAME

Starts a new run of the same workflow with the same arguments, as argo resubmit does. The new
run is named from the old one's generateName (or its name) with a new suffix. With --memoized,
steps that succeeded in the old run are not run again: their outputs are reused.

Like skiff submit, the run goes on in a background skiff process; --wait follows it here
until it finishes, and Ctrl-C stops following (see skiff submit).

Options:
      --memoized          reuse the steps that succeeded
  -w, --wait              follow the run until it finishes (see skiff submit)
  -o, --output FORMAT     name, json, yaml or wide (see skiff submit)
${NAMESPACE_HELP}
${STATE_DIR_HELP}
${CLUSTER_TARGET_HELP}
  -h, --help              show this help

Exit status: 0 resubmitted (with --wait: the new run Succeeded), 1 no such run or (with
--wait) a run that did not succeed, 2 usage error.`;

export const resubmitCommand: Command = {
  name: 'resubmit',
  summary: "start a new run of a run's workflow",
  usage: USAGE,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandArgs(args, {
      ...STATE_DIR_OPTION,
      ...CLUSTER_TARGET_OPTIONS,
      ...NAMESPACE_OPTION,
      memoized: { type: 'boolean' },
      wait: { type: 'boolean', short: 'w' },
      output: { type: 'string', short: 'o' },
    });
    const output = parseOutputFormat(values.output, ['json', 'yaml', 'wide', 'name']);
    const target = openRunTarget(io, { ...values, namespace: undefined });
    const runId = await resolveRunName(target, oneName(positionals), values.namespace);
    const old = await requireTargetRun(target, runId);
    const name = `${resubmitBaseName(old.workflow)}${runSuffix()}`;
    const key = runKey(splitRunKey(runId).namespace, name);
    if (target.kind === 'cluster') {
      // A new Workflow, created as a submit creates one; the controller reads its templates and
      // ConfigMaps. Memoized, it is created with the old run's succeeded steps in its status, as
      // Argo's resubmit creates it: the controller takes those as done and runs the rest.
      const memoized = values.memoized === true;
      const result = resubmitRun(old.workflow, old.status, name, memoized);
      if ('error' in result) throw new Error(`cannot resubmit ${describeRun(runId)}: ${result.error}`);
      const workflow = { ...result.workflow, metadata: { ...result.workflow.metadata, namespace: splitRunKey(runId).namespace } };
      await saveNewRun(target, { workflow, referenced: [], ...(memoized ? { status: result.status } : {}) });
      return launchRun(target, io, key, { wait: values.wait === true, output });
    }
    // The new run's lease first, as for every new run, so no other process takes it for an orphan.
    const lease = await acquireLease(target.layout, key);
    if (!lease) throw new RunExistsError(key);
    try {
      await resubmitSavedRun({ store: target.runs, configMaps: target.objects }, runId, { name, memoized: values.memoized === true });
    } catch (error) {
      await lease.release();
      if (error instanceof RunOperationError) throw new Error(`cannot resubmit ${describeRun(runId)}: ${error.message}`);
      throw error;
    } finally {
      await target.runs.closeAll();
    }
    await continueOrphans(target, io, key);
    return launchRun(target, io, key, { wait: values.wait === true, output });
  },
};
