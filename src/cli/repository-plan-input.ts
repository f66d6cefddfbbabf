import { basename, resolve } from 'node:path';
import type { PlanInput } from '../sync/plan/plan-sync.js';
import { type CliIO, envOf, UsageError } from './cli-io.js';
import { LocalKubeClient } from '../state/local-kube-client.js';
import { openLocalTarget } from './local-target.js';
import { parseCommandArgs } from './parse-command-args.js';

/** The options of the commands that plan a repository, for their usage text. */
export const CLUSTER_OPTIONS = `      --kubeconfig FILE     plan against this cluster instead of the local state directory
      --context NAME        plan against this context of the kubeconfig ($KUBECONFIG, ~/.kube/config)
      --state-dir DIR       the local state directory (default: $SKIFF_STATE_DIR, else ~/.local/state/skiff)
      --repository NAME     the repository's name as applied objects record it (default: local/<dir>)
      --commit SHA          the commit PATH holds (default: working-tree)`;

/**
 * The repository at PATH and where it goes, ready to plan; or an exit status when the repository
 * does not lint. Where it goes is the local state directory (as for every skiff command), unless
 * `--kubeconfig` or `--context` names a cluster: the plan reads and prints the same either way.
 */
export async function planInputOf(name: string, args: string[], io: CliIO, formats: string[]): Promise<{ input: PlanInput; format: string } | number> {
  const { values, positionals } = parseCommandArgs(args, {
    kubeconfig: { type: 'string' },
    context: { type: 'string' },
    repository: { type: 'string' },
    commit: { type: 'string' },
    'state-dir': { type: 'string' },
    ...(formats.length > 1 ? { output: { type: 'string', short: 'o' } } : {}),
  });
  if (positionals.length > 1) throw new UsageError(`${name} takes one PATH (got ${positionals.join(' ')})`);
  const format = (values.output as string | undefined) ?? formats[0]!;
  if (!formats.includes(format)) throw new UsageError(`unknown output format "${format}": use ${formats.join(' or ')}`);
  // Loaded here: the Kubernetes client is heavy, and every other command starts without it.
  const [{ KubeConnection }, { DirectoryTree }, { desiredSetAt }] = await Promise.all([
    import('../kube/kube-connection.js'),
    import('../sync/directory-tree.js'),
    import('../sync/desired-set.js'),
  ]);
  const root = resolve(io.cwd, positionals[0] ?? '.');
  const desired = await desiredSetAt(new DirectoryTree(root));
  if (!desired.ok) {
    for (const d of desired.diagnostics) io.stderr.write(`${d.file}:${d.line}:${d.column}: ${d.severity} [${d.rule}] ${d.message}\n`);
    io.stderr.write(`skiff ${name}: nothing planned: ${desired.diagnostics.length} problem(s) in the repository\n`);
    return 1;
  }
  const clusterNamed = values.kubeconfig !== undefined || values.context !== undefined;
  const client = clusterNamed
    ? KubeConnection.load({
        ...(values.kubeconfig !== undefined ? { kubeconfigPath: resolve(io.cwd, values.kubeconfig) } : {}),
        ...(values.context !== undefined ? { context: values.context } : {}),
        env: envOf(io),
      })
    : new LocalKubeClient(openLocalTarget(io, { stateDir: values['state-dir'] }).objects);
  const input = { desired: desired.desired, client, repository: values.repository ?? `local/${basename(root)}`, commit: values.commit ?? 'working-tree' };
  return { input, format };
}
