import { retrySavedRun, RunOperationError } from '../../runs/run-operations.js';
import type { CliIO, Command } from '../cli-io.js';
import { parseAssignments } from '../parse-assignments.js';
import { parseNodeFieldSelector } from '../node-field-selector.js';
import { resolveRunName } from '../select-runs.js';
import { continueOrphans } from '../continue-orphans.js';
import { launchRun } from '../launch-run.js';
import { noteRetriedPods } from '../../kube/retried-pods.js';
import { podsResetBy } from '../pods-reset-by.js';
import { openRunTarget } from '../open-run-target.js';
import { CLUSTER_TARGET_HELP, CLUSTER_TARGET_OPTIONS } from '../run-target.js';
import { parseOutputFormat } from '../output-format.js';
import { NAMESPACE_HELP, NAMESPACE_OPTION, STATE_DIR_HELP, STATE_DIR_OPTION, oneName, parseCommandArgs } from '../parse-command-args.js';
import { requireTargetRun } from '../read-run.js';
import { describeRun, runArgs } from '../describe-run.js';
import { acquireLease, leaseOwner } from '../run-lease.js';
import { splitRunKey } from '../../ports/run-key.js';

const USAGE = `Usage: skiff retry [options] NAME

Runs a finished run again in place, as argo retry does: failed and errored steps run again
with everything that ran after them; succeeded steps keep their outputs and do not run again;
the exit handler runs again. With --node, only those steps (and what ran after them) run again.

Like skiff submit, the run goes on in a background skiff process; --wait and --watch follow
it here, and --log prints its logs, as they do for skiff submit (Ctrl-C stops following).

Options:
      --node NAME                 retry this step (name, display name or node id; repeatable)
      --node-field-selector SEL   retry the steps whose fields match (see skiff get), e.g.
                                  templateName=build or displayName=test
      --restart-successful        allow --node and --node-field-selector to name steps that
                                  succeeded
  -p, --parameter NAME=VALUE      change a workflow argument for the steps run again (repeatable)
      --watch                     follow the run until it finishes (see skiff submit)
      --log                       print the run's logs until it finishes
  -w, --wait                      follow the run until it finishes (as --watch)
  -o, --output FORMAT        name, json, yaml or wide (see skiff submit)
${NAMESPACE_HELP}
${STATE_DIR_HELP}
${CLUSTER_TARGET_HELP}
  -h, --help                 show this help

Exit status: 0 retried (with --wait: the run Succeeded), 1 no such run, a run that cannot be
retried, or (with --wait) a run that did not succeed, 2 usage error.`;

export const retryCommand: Command = {
  name: 'retry',
  summary: "run a finished run's failed steps again",
  usage: USAGE,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandArgs(args, {
      ...STATE_DIR_OPTION,
      ...CLUSTER_TARGET_OPTIONS,
      ...NAMESPACE_OPTION,
      node: { type: 'string', multiple: true },
      'restart-successful': { type: 'boolean' },
      'node-field-selector': { type: 'string' },
      parameter: { type: 'string', short: 'p', multiple: true },
      watch: { type: 'boolean' },
      log: { type: 'boolean' },
      wait: { type: 'boolean', short: 'w' },
      output: { type: 'string', short: 'o' },
    });
    const output = parseOutputFormat(values.output, ['json', 'yaml', 'wide', 'name']);
    const selected = values['node-field-selector'] === undefined ? undefined : parseNodeFieldSelector(values['node-field-selector']);
    const parameters = parseAssignments(values.parameter ?? [], '-p');
    const target = openRunTarget(io, { ...values, namespace: undefined });
    const runId = await resolveRunName(target, oneName(positionals), values.namespace);
    const stored = await requireTargetRun(target, runId);
    // Locally the lease keeps any other skiff process off the run; in a cluster the retried
    // Workflow is saved whole, and the controller takes it up as unfinished again.
    const lease = target.kind === 'local' ? await acquireLease(target.layout, runId) : { release: async () => {} };
    if (!lease && target.kind === 'local')
      throw new Error(`${describeRun(runId)} is still running (skiff process ${(await leaseOwner(target.layout, runId)) ?? '?'}); stop it first`);
    const closeAll = async (): Promise<void> => {
      if (target.kind === 'local') await target.runs.closeAll();
      await lease?.release();
    };
    // Argo's --node-field-selector names the nodes to retry by their fields; only steps (pods
    // and the like) are named, so a matching group does not drag in all of its steps.
    const picked = selected
      ? Object.values(stored.status.nodes)
          .filter((n) => n.type !== 'StepGroup' && n.type !== 'TaskGroup' && n.id !== splitRunKey(stored.key).name && selected(n))
          .map((n) => n.id)
      : [];
    if (selected && picked.length === 0) {
      await closeAll();
      throw new Error(`--node-field-selector ${values['node-field-selector']}: no step of ${describeRun(runId)} matches`);
    }
    const retry = { nodes: [...(values.node ?? []), ...picked], restartSuccessful: values['restart-successful'] === true, parameters };
    try {
      // In a cluster a retried step keeps its pod's name, and its failed pod must go before it runs
      // again: the controller deletes the pods noted here when it takes the retried run up.
      if (target.kind === 'cluster') await noteRetriedPods(target.client, runId, podsResetBy(stored, retry));
      await retrySavedRun({ store: target.runs, configMaps: target.objects }, runId, retry);
    } catch (error) {
      if (target.kind === 'cluster') await noteRetriedPods(target.client, runId, []).catch(() => undefined);
      await closeAll();
      if (!(error instanceof RunOperationError)) throw error;
      const hint = error.message.includes('only a finished run') ? `; skiff resume ${runArgs(runId)} continues it` : '';
      throw new Error(`cannot retry ${describeRun(runId)}: ${error.message}${hint}`);
    }
    if (target.kind === 'local') {
      await target.runs.closeAll();
      await continueOrphans(target, io, runId);
    }
    const follow = values.log ? 'log' : values.watch ? 'watch' : undefined;
    return launchRun(target, io, runId, { wait: values.wait === true && !follow, follow, output });
  },
};
