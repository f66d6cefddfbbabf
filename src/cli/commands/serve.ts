import { resolve } from 'node:path';
import { type CliIO, type Command, envOf, UsageError } from '../cli-io.js';
import type { RunKey } from '../../ports/run-key.js';
import { openLocalTarget } from '../local-target.js';
import { parseCommandArgs } from '../parse-command-args.js';

const SERVE_USAGE = `Usage: skiff serve [options]

Runs Skiff as a GitHub App: receives GitHub's webhooks at /api/github/webhooks, checks pull
requests (skiff / lint, skiff / plan), applies and runs what .skiff.yml configures for a push
(on: push: branches, workflows), runs pull_request workflows (a fork's after /skiff ok-to-test),
and answers /healthz and /readyz. Without --kubeconfig or --context, Skiff is a single-machine
server: plans and applies go to the local state directory and runs to the local runtime.

The App's credentials come from the environment; skiff serve refuses to start without them:
  APP_ID                    the App's id
  PRIVATE_KEY               its private key (PEM), or PRIVATE_KEY_PATH: a file holding it
  WEBHOOK_SECRET            the secret GitHub signs webhooks with
  GITHUB_API_URL            GitHub's API (default https://api.github.com; or GHE_HOST for Enterprise)

With --public-url and the App's OAuth client, people sign in with GitHub on the run page, and
those with write, maintain or admin access to a run's repository may retry, stop and terminate it
(the same people as for the /skiff comment commands; checked with GitHub on every action):
  GITHUB_CLIENT_ID          the App's client id
  GITHUB_CLIENT_SECRET      one of its client secrets
  GITHUB_WEB_URL            GitHub's web address (default: from GITHUB_API_URL, https://github.com)
  The App's callback URL must be PUBLIC_URL/_skiff/auth/callback.

Options:
      --host HOST           the address to listen on (default: $HOST, else 0.0.0.0: every interface)
      --port PORT           the port (default: $PORT, else 3000)
      --kubeconfig FILE     plan against this cluster instead of the local state directory
      --context NAME        plan against this context of the kubeconfig
      --state-dir DIR       the local state directory (default: $SKIFF_STATE_DIR, else ~/.local/state/skiff)
      --public-url URL      where people reach this server (default: $SKIFF_PUBLIC_URL): each run's
                            check run then links to its run page (/runs/...), signed for that run
                            and valid for 7 days, and artifacts kept in the state directory get
                            download links (S3 artifacts get presigned links either way)
  -h, --help                show this help

The run page of every run (local, or the cluster's with --kubeconfig or --context) is served
under /runs/, reachable only by a link signed for that run (skiff ui --link NAME prints one with
the same state directory's secret).

Stops on SIGINT or SIGTERM, finishing the deliveries already accepted.`;

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run Skiff as a GitHub App (webhooks, checks on pull requests)',
  usage: SERVE_USAGE,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandArgs(args, {
      host: { type: 'string' },
      port: { type: 'string' },
      kubeconfig: { type: 'string' },
      context: { type: 'string' },
      'state-dir': { type: 'string' },
      'public-url': { type: 'string' },
    });
    if (positionals.length > 0) throw new UsageError(`serve takes no arguments (got ${positionals.join(' ')})`);
    const env = envOf(io);
    const host = values.host ?? env.HOST ?? '0.0.0.0';
    const portText = values.port ?? env.PORT ?? '3000';
    const port = Number(portText);
    if (!/^\d+$/.test(portText) || port > 65535) throw new UsageError(`--port ${portText} is not a port number (0-65535)`);

    const { readAppCredentials } = await import('../../github/app-settings.js');
    const credentials = await readAppCredentials(env, io.cwd);
    if (!credentials.ok) {
      io.stderr.write(`skiff serve: cannot start as a GitHub App:\n${credentials.problems.map((p) => `  - ${p}\n`).join('')}`);
      return 1;
    }
    const target = openLocalTarget(io, { stateDir: values['state-dir'] });
    const [{ startSkiffServer }, { LocalKubeClient }] = await Promise.all([
      import('../../github/start-skiff-server.js'),
      import('../../state/local-kube-client.js'),
    ]);
    let planClient: () => import('../../kube/kube-client.js').KubeClient | undefined;
    let runPageSource: import('../../ports/run-page-source.js').RunPageSource;
    let act: import('../../server/run-page/run-actions.js').RunActionPerformer;
    const { runPageAction } = await import('../run-page-actions.js');
    const processEnv = { ...process.env, ...env };
    if (values.kubeconfig !== undefined || values.context !== undefined) {
      const { openClusterTarget } = await import('../cluster-target.js');
      const { kubeRunPageSource } = await import('../../kube/kube-run-page-source.js');
      const cluster = openClusterTarget(io, values);
      planClient = () => cluster.client;
      runPageSource = kubeRunPageSource({ client: cluster.client, runs: cluster.runs, objects: cluster.objects });
      const targetArgs = [
        ...(values.kubeconfig !== undefined ? ['--kubeconfig', resolve(io.cwd, values.kubeconfig)] : []),
        ...(values.context !== undefined ? ['--context', values.context] : []),
      ];
      act = (key, action) => runPageAction(cluster, targetArgs, { ...io, env: processEnv }, key, action);
    } else {
      const client = new LocalKubeClient(target.objects);
      planClient = () => client;
      runPageSource = (await import('../local-run-page-source.js')).localRunPageSource(target, processEnv);
      act = (key, action) => runPageAction(target, ['--state-dir', target.layout.root], { ...io, env: processEnv }, key, action);
    }
    // Runs on this machine (the single-machine Skiff); on a cluster, running is not there yet.
    const clusterNamed = values.kubeconfig !== undefined || values.context !== undefined;
    const launcher = clusterNamed ? undefined : new (await import('../local-run-launcher.js')).LocalRunLauncher(target, env);
    if (clusterNamed) io.stderr.write('skiff serve: with a cluster, pull requests are checked and pushes applied; workflows are not run yet\n');
    // The run page of the runs (local, or the cluster's), on the same server; check runs link to it
    // when Skiff knows the address people reach it at (--public-url), signed for each run.
    const publicUrl = values['public-url'] ?? env.SKIFF_PUBLIC_URL;
    if (publicUrl !== undefined && !/^https?:\/\/[^/]+/.test(publicUrl))
      throw new UsageError(`--public-url ${publicUrl}: expected http(s)://host[:port][/path]`);
    const signIn = await githubSignInOf(env, publicUrl, credentials.credentials.baseUrl);
    const runPage = await (await import('../../server/run-page/run-page-mount.js')).runPageMount(
      runPageSource,
      target.layout.root,
      signIn ? { act, access: signIn } : undefined,
    );
    if (!signIn && publicUrl !== undefined)
      io.stderr.write('skiff serve: no GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET: nobody signs in on run pages, which offer no actions\n');
    const server = await startSkiffServer({
      credentials: credentials.credentials,
      host,
      port,
      stateDir: target.layout.root,
      planClient,
      ...(launcher ? { launcher } : {}),
      mounts: [
        { prefix: '/runs/', handler: runPage.handler },
        { prefix: '/_skiff/', handler: runPage.handler },
      ],
      ...(launcher && publicUrl !== undefined ? { runPageUrl: (key: RunKey) => runPage.link(publicUrl, key) } : {}),
      artifactLinks: new (await import('../../server/run-page/run-artifact-links.js')).RunArtifactLinks(target, {
        signer: runPage.signer,
        ...(publicUrl !== undefined ? { publicUrl } : {}),
      }),
      log: (line) => io.stderr.write(`${line}\n`),
    });
    io.stdout.write(`skiff serve: listening on ${server.url} (webhooks at /api/github/webhooks)\n`);
    const signal = await new Promise<NodeJS.Signals>((done) => {
      process.once('SIGINT', done);
      process.once('SIGTERM', done);
    });
    io.stderr.write(`skiff serve: ${signal}: finishing accepted deliveries\n`);
    await server.close();
    runPage.handler.close();
    return 0;
  },
};

/** Sign-in with GitHub for the run page, when the App's OAuth client and the public address are given. */
async function githubSignInOf(
  env: NodeJS.ProcessEnv,
  publicUrl: string | undefined,
  apiUrl: string | undefined,
): Promise<((secret: Buffer) => import('../../server/run-page/page-access.js').PageAccess) | undefined> {
  const clientId = env.GITHUB_CLIENT_ID?.trim();
  const clientSecret = env.GITHUB_CLIENT_SECRET?.trim();
  if (!clientId || !clientSecret || publicUrl === undefined) return undefined;
  const [{ githubSignIn }, { GitHubUserAuthorization, webUrlOf }] = await Promise.all([
    import('../../server/sign-in/github-sign-in.js'),
    import('../../server/sign-in/github-user-authorization.js'),
  ]);
  const api = apiUrl ?? 'https://api.github.com';
  const authorization = new GitHubUserAuthorization({ clientId, clientSecret, apiUrl: api, webUrl: env.GITHUB_WEB_URL?.trim() || webUrlOf(api) });
  return (secret) => githubSignIn({ authorization, publicUrl, secret });
}
