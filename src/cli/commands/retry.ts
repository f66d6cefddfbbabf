import { loadRunConfigMaps } from '../../engine/driver/load-run-config-maps.js';
import { retryRun } from '../../engine/operations/retry-run.js';
import type { CliIO, Command } from '../cli-io.js';
import { continueOrphans } from '../continue-orphans.js';
import { launchRun } from '../launch-run.js';
import { openLocalTarget } from '../local-target.js';
import { parseOutputFormat } from '../output-format.js';
import { oneName, parseCommandArgs, STATE_DIR_HELP, STATE_DIR_OPTION } from '../parse-command-args.js';
import { requireRun } from '../read-run.js';
import { acquireLease, leaseOwner } from '../run-lease.js';

const USAGE = `Usage: skiff retry [options] NAME

Runs a finished run again in place, as argo retry does: failed and errored steps run again
with everything that ran after them; succeeded steps keep their outputs and do not run again;
the exit handler runs again. With --node, only those steps (and what ran after them) run again.

Like skiff submit, the run goes on in a background skiff process unless --wait is given.

Options:
      --node NAME            retry this step (name, display name or node id; repeatable)
      --restart-successful   allow --node to name steps that succeeded
  -w, --wait                 run in the foreground until the run finishes
  -o, --output FORMAT        json, yaml or wide (see skiff submit)
${STATE_DIR_HELP}
  -h, --help                 show this help

Exit status: 0 retried (with --wait: the run Succeeded), 1 no such run, a run that cannot be
retried, or (with --wait) a run that did not succeed, 2 usage error.`;

export const retryCommand: Command = {
  name: 'retry',
  summary: 'run a finished run\'s failed steps again',
  usage: USAGE,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandArgs(args, {
      ...STATE_DIR_OPTION,
      node: { type: 'string', multiple: true },
      'restart-successful': { type: 'boolean' },
      wait: { type: 'boolean', short: 'w' },
      output: { type: 'string', short: 'o' },
    });
    const runId = oneName(positionals);
    const output = parseOutputFormat(values.output);
    const target = openLocalTarget(io, { stateDir: values['state-dir'] });
    await requireRun(target.layout, runId);
    const lease = await acquireLease(target.layout, runId);
    if (!lease) throw new Error(`run "${runId}" is still running (skiff process ${(await leaseOwner(target.layout, runId)) ?? '?'}); stop it first`);
    const stored = (await target.runs.load(runId))!;
    const result = retryRun(stored.workflow, stored.status, { nodes: values.node ?? [], restartSuccessful: values['restart-successful'] === true });
    if ('error' in result) {
      await target.runs.closeAll();
      await lease.release();
      const hint = result.error.includes('only a finished run') ? `; skiff resume ${runId} continues it` : '';
      throw new Error(`cannot retry "${runId}": ${result.error}${hint}`);
    }
    // Steps run again read the ConfigMaps as they are now: one may have been applied since the failure.
    const { configMaps: _before, caches: _cachesBefore, ...kept } = stored;
    await target.runs.save({ ...kept, workflow: result.workflow, status: result.status, ...(await loadRunConfigMaps(result.workflow, stored.referenced ?? [], target.objects)) });
    await target.runs.closeAll();
    await continueOrphans(target, io, runId);
    return launchRun(target, io, runId, { wait: values.wait === true, output });
  },
};
