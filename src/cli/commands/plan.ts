import type { CliIO, Command } from '../cli-io.js';
import { CLUSTER_OPTIONS, planInputOf } from '../repository-plan-input.js';

const planUsage = (name: string): string => `Usage: skiff ${name} [options] [PATH]

Shows what syncing the repository at PATH (default: the current directory) would change in the
local state directory, or in the cluster that --kubeconfig or --context names: every object its
.skiff.yml declares is applied as a server-side dry run (field manager skiff) and compared with
the live object, field by field; objects changed by hand since (drift)
name the field and who changed it; with prune: true in .skiff.yml, the objects Skiff applied from
this repository that PATH no longer declares are listed for deletion. Nothing is written.

Options:
${CLUSTER_OPTIONS}
  -o, --output FORMAT       text (default) or markdown
  -h, --help                show this help

Exit status (as terraform plan -detailed-exitcode): 0 no changes, 2 changes to make,
1 errors (a file or .skiff.yml that does not lint, an object the cluster refuses, no cluster).

Against the local state directory, objects are applied as on an API server, with field managers
(skiff for the sync, skiff-apply for skiff apply), so drift and conflicts read the same; there,
lists (a template's containers, say) are owned whole rather than item by item.`;

function planCommandNamed(name: string, summary: string): Command {
  return {
    name,
    summary,
    usage: planUsage(name),
    async run(args: string[], io: CliIO): Promise<number> {
      const prepared = await planInputOf(name, args, io, ['text', 'markdown']);
      if (typeof prepared === 'number') return prepared;
      const [{ planSync }, { renderPlanMarkdown, renderPlanText }, { planHasChanges }] = await Promise.all([
        import('../../sync/plan/plan-sync.js'),
        import('../../sync/plan/render-plan.js'),
        import('../../sync/plan/sync-plan.js'),
      ]);
      const plan = await planSync(prepared.input);
      io.stdout.write(prepared.format === 'markdown' ? renderPlanMarkdown(plan) : renderPlanText(plan));
      if (plan.objects.some((o) => o.action === 'error')) return 1;
      return planHasChanges(plan) ? 2 : 0;
    },
  };
}

export const planCommand = planCommandNamed('plan', 'show what syncing a repository would change in the cluster');
/** `diff`: what people from kubectl and Argo CD try first. */
export const diffCommand = planCommandNamed('diff', 'the same as plan');
