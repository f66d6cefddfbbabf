import type { CliIO, Command } from '../cli-io.js';
import { CLUSTER_OPTIONS, LOCK_OPTION, planInputOf } from '../repository-plan-input.js';

const SYNC_USAGE = `Usage: skiff sync [options] [PATH]

Makes the cluster (with --kubeconfig or --context; otherwise the local state directory, where
local runs find the objects) hold what the repository at PATH (default: the current directory) declares: the
plan (see skiff plan) is printed, then each object it creates or changes is applied with
server-side apply as field manager skiff (never forced), ConfigMaps and templates before the
CronWorkflows that use them, and, with prune: true in .skiff.yml, what Skiff applied from this
repository and PATH no longer declares is deleted. One line per object follows, as kubectl prints
them. An object that fails does not stop the others; syncing again retries it. Syncing an
unchanged repository writes nothing.

Options:
${CLUSTER_OPTIONS}
${LOCK_OPTION}
  -h, --help                show this help

Two syncs of one repository to one target never overlap: the second waits for the first (a lease
file in the state directory; a Lease in the cluster, so syncs from other machines wait too).

Exit status: 0 the cluster matches, 1 an object failed, nothing could be planned, or another sync
held the repository for longer than --lock-timeout.`;

export const syncCommand: Command = {
  name: 'sync',
  summary: 'apply a repository to the cluster (and prune what it no longer declares)',
  usage: SYNC_USAGE,
  async run(args: string[], io: CliIO): Promise<number> {
    const prepared = await planInputOf('sync', args, io, ['text'], true);
    if (typeof prepared === 'number') return prepared;
    const [{ applySync }, { renderPlanText }] = await Promise.all([import('../../sync/apply/apply-sync.js'), import('../../sync/plan/render-plan.js')]);
    const { repository } = prepared.input;
    const lock = await prepared.locks.acquire(repository, {
      waitMs: prepared.lockWaitMs,
      onWait: (holder) => io.stderr.write(`skiff sync: waiting for another sync of ${repository} (${holder})\n`),
    });
    if ('heldBy' in lock) {
      io.stderr.write(`skiff sync: another sync of ${repository} is still running (${lock.heldBy}); nothing applied\n`);
      return 1;
    }
    let result: Awaited<ReturnType<typeof applySync>>;
    try {
      result = await applySync(prepared.input);
    } finally {
      await lock.held.release();
    }
    const { plan, outcomes, ok } = result;
    io.stdout.write(`${renderPlanText(plan)}\n`);
    for (const { object, result, error } of outcomes) {
      const { kind, namespace, name } = object.identity;
      const line = `${kind.toLowerCase()}${kind === 'ConfigMap' ? '' : '.argoproj.io'}/${name}${namespace ? ` (namespace ${namespace})` : ''} ${VERBS[result]}`;
      if (result === 'failed') io.stderr.write(`${line}: ${error}\n`);
      else io.stdout.write(`${line}\n`);
    }
    return ok ? 0 : 1;
  },
};

/** As kubectl apply words them. */
const VERBS = { created: 'created', changed: 'configured', unchanged: 'unchanged', pruned: 'pruned', failed: 'failed', skipped: 'skipped' } as const;
