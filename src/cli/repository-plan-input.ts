import { basename, join, resolve } from 'node:path';
import type { SyncLocks } from '../ports/sync-locks.js';
import { LocalKubeClient } from '../state/local-kube-client.js';
import type { RepositoryTree } from '../sync/repository-tree.js';
import type { PlanInput } from '../sync/plan/plan-sync.js';
import { type CliIO, envOf, UsageError } from './cli-io.js';
import { openLocalTarget } from './local-target.js';
import { parseAge } from './parse-age.js';
import { parseCommandArgs } from './parse-command-args.js';

/** The options of the commands that plan a repository, for their usage text. */
export const CLUSTER_OPTIONS = `      --kubeconfig FILE     plan against this cluster instead of the local state directory
      --context NAME        plan against this context of the kubeconfig ($KUBECONFIG, ~/.kube/config)
      --state-dir DIR       the local state directory (default: $SKIFF_STATE_DIR, else ~/.local/state/skiff)
      --repo URL            plan a remote repository (https://host/owner/name.git) instead of PATH,
                            fetched into a mirror in the state directory ($SKIFF_GIT_TOKEN if private)
      --ref REF             with --repo: the branch, tag or refs/pull/N/head (default: main)
      --repository NAME     the repository's name as applied objects record it
                            (default: owner/name of --repo, else local/<dir of PATH>)
      --commit SHA          with PATH: the commit it holds (default: working-tree);
                            with --repo: the commit to plan (default: the tip of --ref)`;

/** A repository ready to plan, where it goes, and the locks that keep two syncs of it apart. */
export interface PreparedPlan {
  input: PlanInput;
  format: string;
  locks: SyncLocks;
  /** How long a sync waits for another sync of the repository (`--lock-timeout`, default 60 s). */
  lockWaitMs: number;
}

/** The option only commands that write (sync) take. */
export const LOCK_OPTION = `      --lock-timeout DUR    how long to wait while another sync of the repository runs (default 60s)`;

/**
 * The repository at PATH (or at `--repo URL --ref REF`) and where it goes, ready to plan; or an
 * exit status when the repository does not lint. Where it goes is the local state directory (as
 * for every skiff command), unless `--kubeconfig` or `--context` names a cluster: the plan reads
 * and prints the same either way.
 */
export async function planInputOf(name: string, args: string[], io: CliIO, formats: string[], writes = false): Promise<PreparedPlan | number> {
  const { values, positionals } = parseCommandArgs(args, {
    ...(writes ? { 'lock-timeout': { type: 'string' } } : {}),
    kubeconfig: { type: 'string' },
    context: { type: 'string' },
    repository: { type: 'string' },
    commit: { type: 'string' },
    repo: { type: 'string' },
    ref: { type: 'string' },
    'state-dir': { type: 'string' },
    ...(formats.length > 1 ? { output: { type: 'string', short: 'o' } } : {}),
  });
  if (positionals.length > 1) throw new UsageError(`${name} takes one PATH (got ${positionals.join(' ')})`);
  if (values.repo !== undefined && positionals.length > 0) throw new UsageError(`${name} takes a PATH or --repo URL, not both`);
  if (values.ref !== undefined && values.repo === undefined) throw new UsageError('--ref goes with --repo URL');
  const format = (values.output as string | undefined) ?? formats[0]!;
  const lockTimeout = values['lock-timeout'] as string | undefined;
  const lockWaitMs = lockTimeout !== undefined ? parseAge(lockTimeout, '--lock-timeout') : 60_000;
  if (!formats.includes(format)) throw new UsageError(`unknown output format "${format}": use ${formats.join(' or ')}`);
  // Loaded here: the Kubernetes client and git are heavy, and every other command starts without them.
  const [{ KubeConnection }, { KubeSyncLocks }, { DirectoryTree }, { desiredSetAt }, { LocalSyncLocks }] = await Promise.all([
    import('../kube/kube-connection.js'),
    import('../kube/kube-sync-locks.js'),
    import('../sync/directory-tree.js'),
    import('../sync/desired-set.js'),
    import('../state/local-sync-locks.js'),
  ]);
  const local = openLocalTarget(io, { stateDir: values['state-dir'] });
  let tree: RepositoryTree;
  let repository: string;
  let commit: string;
  if (values.repo !== undefined) {
    const fetched = await fetchRemote(values.repo, values.ref ?? 'main', values.commit, join(local.layout.root, 'mirrors'), io);
    ({ tree, repository, commit } = fetched);
  } else {
    const root = resolve(io.cwd, positionals[0] ?? '.');
    tree = new DirectoryTree(root);
    repository = `local/${basename(root)}`;
    commit = values.commit ?? 'working-tree';
  }
  const desired = await desiredSetAt(tree);
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
    : new LocalKubeClient(local.objects);
  const locks = clusterNamed ? new KubeSyncLocks(client, desired.desired.config.namespace) : new LocalSyncLocks(local.layout.syncLocks);
  const input = { desired: desired.desired, client, repository: values.repository ?? repository, commit };
  return { input, format, locks, lockWaitMs };
}

/** Fetches `ref` (and `commit`) of a remote repository into its mirror; the tree at that commit. */
async function fetchRemote(
  url: string,
  ref: string,
  commit: string | undefined,
  mirrors: string,
  io: CliIO,
): Promise<{ tree: RepositoryTree; repository: string; commit: string }> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--repo ${url}: not a URL (https://host/owner/name.git)`);
  }
  if (parsed.username || parsed.password) throw new UsageError('--repo: put no credentials in the URL; set SKIFF_GIT_TOKEN instead');
  const { RepositoryMirror } = await import('../sync/repository-mirror.js');
  const token = envOf(io).SKIFF_GIT_TOKEN;
  const mirror = new RepositoryMirror({ root: mirrors, ...(token ? { token: () => token } : {}) });
  const fetched = await mirror.fetchCommit({ url, ref, ...(commit !== undefined ? { commit } : {}) });
  const path = parsed.pathname.replace(/\.git$/, '').replace(/^\/+|\/+$/g, '');
  return { tree: mirror.treeAt(fetched.url, fetched.commit), repository: path.split('/').slice(-2).join('/') || parsed.host, commit: fetched.commit };
}
