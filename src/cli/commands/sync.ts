import type { CliIO, Command } from '../cli-io.js';
import { CLUSTER_OPTIONS, planInputOf } from '../repository-plan-input.js';

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
  -h, --help                show this help

Exit status: 0 the cluster matches, 1 an object failed or nothing could be planned.`;

export const syncCommand: Command = {
  name: 'sync',
  summary: 'apply a repository to the cluster (and prune what it no longer declares)',
  usage: SYNC_USAGE,
  async run(args: string[], io: CliIO): Promise<number> {
    const prepared = await planInputOf('sync', args, io, ['text']);
    if (typeof prepared === 'number') return prepared;
    const [{ applySync }, { renderPlanText }] = await Promise.all([import('../../sync/apply/apply-sync.js'), import('../../sync/plan/render-plan.js')]);
    const { plan, outcomes, ok } = await applySync(prepared.input);
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
