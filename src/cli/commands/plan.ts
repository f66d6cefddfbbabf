import { basename, resolve } from 'node:path';
import { type CliIO, type Command, envOf, UsageError } from '../cli-io.js';
import { parseCommandArgs } from '../parse-command-args.js';

const usage = (name: string): string => `Usage: skiff ${name} [options] [PATH]

Shows what syncing the repository at PATH (default: the current directory) would change in the
cluster: every object its .skiff.yml declares is applied as a server-side dry run (field manager
skiff) and compared with the live object, field by field; objects changed by hand since (drift)
name the field and who changed it; with prune: true in .skiff.yml, the objects Skiff applied from
this repository that PATH no longer declares are listed for deletion. Nothing is written.

Options:
      --kubeconfig FILE     the cluster (default: $KUBECONFIG, in-cluster, ~/.kube/config)
      --context NAME        a context of the kubeconfig other than its current one
      --repository NAME     the repository's name as applied objects record it (default: local/<dir>)
      --commit SHA          the commit PATH holds (default: working-tree)
  -o, --output FORMAT       text (default) or markdown
  -h, --help                show this help

Exit status (as terraform plan -detailed-exitcode): 0 no changes, 2 changes to make,
1 errors (a file or .skiff.yml that does not lint, an object the cluster refuses, no cluster).`;

function planCommandNamed(name: string, summary: string): Command {
  return {
    name,
    summary,
    usage: usage(name),
    async run(args: string[], io: CliIO): Promise<number> {
      const { values, positionals } = parseCommandArgs(args, {
        kubeconfig: { type: 'string' },
        context: { type: 'string' },
        repository: { type: 'string' },
        commit: { type: 'string' },
        output: { type: 'string', short: 'o' },
      });
      if (positionals.length > 1) throw new UsageError(`${name} takes one PATH (got ${positionals.join(' ')})`);
      const format = values.output ?? 'text';
      if (format !== 'text' && format !== 'markdown') throw new UsageError(`unknown output format "${format}": use text or markdown`);
      // Loaded here: the Kubernetes client is heavy, and every other command starts without it.
      const [{ KubeConnection }, { DirectoryTree }, { desiredSetAt }, { planSync }, { renderPlanMarkdown, renderPlanText }, { planHasChanges }] =
        await Promise.all([
          import('../../kube/kube-connection.js'),
          import('../../sync/directory-tree.js'),
          import('../../sync/desired-set.js'),
          import('../../sync/plan/plan-sync.js'),
          import('../../sync/plan/render-plan.js'),
          import('../../sync/plan/sync-plan.js'),
        ]);
      const root = resolve(io.cwd, positionals[0] ?? '.');
      const desired = await desiredSetAt(new DirectoryTree(root));
      if (!desired.ok) {
        for (const d of desired.diagnostics) io.stderr.write(`${d.file}:${d.line}:${d.column}: ${d.severity} [${d.rule}] ${d.message}\n`);
        io.stderr.write(`skiff ${name}: nothing planned: ${desired.diagnostics.length} problem(s) in the repository\n`);
        return 1;
      }
      const client = KubeConnection.load({
        ...(values.kubeconfig !== undefined ? { kubeconfigPath: resolve(io.cwd, values.kubeconfig) } : {}),
        ...(values.context !== undefined ? { context: values.context } : {}),
        env: envOf(io),
      });
      const plan = await planSync({
        desired: desired.desired,
        client,
        repository: values.repository ?? `local/${basename(root)}`,
        commit: values.commit ?? 'working-tree',
      });
      io.stdout.write(format === 'markdown' ? renderPlanMarkdown(plan) : renderPlanText(plan));
      if (plan.objects.some((o) => o.action === 'error')) return 1;
      return planHasChanges(plan) ? 2 : 0;
    },
  };
}

export const planCommand = planCommandNamed('plan', 'show what syncing a repository would change in the cluster');
/** `diff`: what people from kubectl and Argo CD try first. */
export const diffCommand = planCommandNamed('diff', 'the same as plan');
