import { type CliIO, type Command, envOf, UsageError } from '../cli-io.js';
import type { RunKey } from '../../ports/run-key.js';
import { openLocalTarget } from '../local-target.js';
import { parseNamespaceList } from '../namespace-list.js';
import { parseCommandArgs } from '../parse-command-args.js';
import { LOG_LEVELS, type LogLevel, StructuredLog } from '../../server/structured-log.js';
import { defaultArtifactRepositoryFromEnv } from '../default-artifact-repository.js';

const SERVE_USAGE = `Usage: skiff serve [options]

Runs Skiff as a GitHub App: receives GitHub's webhooks at /api/github/webhooks, checks pull
requests (skiff / lint, skiff / plan), applies and runs what .skiff.yml configures for a push
(on: push: branches, workflows), runs pull_request workflows (a fork's after /skiff ok-to-test),
and answers /healthz and /readyz.

Two deployments, one code path. Without --kubeconfig, --context or --in-cluster, Skiff is a
single-machine server: plans and applies go to the local state directory and runs to the local
runtime. With one of them, plans and applies go to that cluster and each run is a Workflow there
(labelled workflows.argoproj.io/controller-instanceid: skiff), driven by a controller in this
process (--controller=embedded, the default; leader-elected by the Lease skiff controller uses,
so several serve replicas and controllers drive each run once) or by a separate skiff controller
(--controller=external). Check runs follow the Workflows by a watch.

The App's credentials come from the environment; skiff serve refuses to start without them:
  APP_ID                    the App's id
  PRIVATE_KEY               its private key (PEM), or PRIVATE_KEY_PATH: a file holding it
  WEBHOOK_SECRET            the secret GitHub signs webhooks with
  GITHUB_API_URL            GitHub's API (default https://api.github.com; or GHE_HOST for Enterprise)
  SKIFF_GITHUB_THROTTLE     on (default): writes to GitHub go one at a time, a second apart per
                            installation, as GitHub asks; off: not spaced (a GitHub Enterprise
                            Server without rate limits, a test double)
  SKIFF_DEFAULT_ARTIFACT_REPOSITORY
                            the artifact repository of runs whose workflow and namespace name
                            none (Argo's controller default), as YAML of an artifact-repositories
                            entry; checked at start

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
      --kubeconfig FILE     plan, apply and run on this cluster instead of this machine
      --context NAME        ... on this context of the kubeconfig ($KUBECONFIG, else ~/.kube/config)
      --in-cluster          ... on the cluster this pod runs in, as its service account
      --controller MODE     on a cluster, who drives the runs: embedded (default: this process,
                            leader-elected) or external (a separate skiff controller)
      --executor-image IMG  the image that runs skiff executor in each pod (embedded controller)
  -n, --namespace NS        on a cluster, create, follow and drive runs in these namespaces only
                            (repeat it or list them: -n ci,build; default every namespace, which
                            needs a ClusterRole); a Workflow for another namespace does not start,
                            its check run says why. A Role in each namespace then suffices.
      --state-dir DIR       the local state directory (default: $SKIFF_STATE_DIR, else ~/.local/state/skiff)
      --public-url URL      where people reach this server (default: $SKIFF_PUBLIC_URL): each run's
                            check run then links to its run page (/runs/...), signed for that run
                            and valid for 7 days, and artifacts kept in the state directory get
                            download links (S3 artifacts get presigned links either way)
      --log-format FORMAT   json (one JSON object a line, with the delivery id and event on every
                            line of the work done for a delivery) or pretty (default: $LOG_FORMAT,
                            else pretty)
      --log-level LEVEL     trace, debug, info, warn, error or fatal (default: $LOG_LEVEL, else info)
  -h, --help                show this help

The run page of every run (local, or the cluster's with --kubeconfig or --context) is served
under /runs/, reachable only by a link signed for that run (skiff ui --link NAME prints one with
the same state directory's secret).

Prometheus metrics are served at /metrics: deliveries by event and outcome, queue depth and wait,
runs by phase, GitHub API calls by route and status and the rate limit left, sync results.

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
      'in-cluster': { type: 'boolean' },
      controller: { type: 'string' },
      'executor-image': { type: 'string' },
      'log-format': { type: 'string' },
      'log-level': { type: 'string' },
      namespace: { type: 'string', short: 'n', multiple: true },
    });
    if (positionals.length > 0) throw new UsageError(`serve takes no arguments (got ${positionals.join(' ')})`);
    const env = envOf(io);
    const host = values.host ?? env.HOST ?? '0.0.0.0';
    const portText = values.port ?? env.PORT ?? '3000';
    const port = Number(portText);
    if (!/^\d+$/.test(portText) || port > 65535) throw new UsageError(`--port ${portText} is not a port number (0-65535)`);

    const clusterNamed = values.kubeconfig !== undefined || values.context !== undefined || values['in-cluster'] === true;
    if (values['in-cluster'] && (values.kubeconfig !== undefined || values.context !== undefined))
      throw new UsageError("--in-cluster uses the pod's service account: it cannot go with --kubeconfig or --context");
    const logFormat = values['log-format'] ?? env.LOG_FORMAT ?? 'pretty';
    if (logFormat !== 'json' && logFormat !== 'pretty')
      throw new UsageError(`${values['log-format'] !== undefined ? '--log-format ' : 'LOG_FORMAT='}${logFormat}: expected json or pretty`);
    const logLevel = values['log-level'] ?? env.LOG_LEVEL ?? 'info';
    if (!(LOG_LEVELS as readonly string[]).includes(logLevel))
      throw new UsageError(`${values['log-level'] !== undefined ? '--log-level ' : 'LOG_LEVEL='}${logLevel}: expected one of ${LOG_LEVELS.join(', ')}`);
    const logger = new StructuredLog({ format: logFormat, level: logLevel as LogLevel, write: (text) => io.stderr.write(text) });
    const throttle = env.SKIFF_GITHUB_THROTTLE ?? 'on';
    if (throttle !== 'on' && throttle !== 'off') throw new UsageError(`SKIFF_GITHUB_THROTTLE=${throttle}: expected on or off`);
    const controllerMode = values.controller ?? 'embedded';
    if (controllerMode !== 'embedded' && controllerMode !== 'external') throw new UsageError(`--controller ${controllerMode}: expected embedded or external`);
    const namespaces = parseNamespaceList(values.namespace);
    const clusterOnly =
      values.controller !== undefined ? 'controller' : values['executor-image'] !== undefined ? 'executor-image' : namespaces ? 'namespace' : undefined;
    if (!clusterNamed && clusterOnly !== undefined)
      throw new UsageError(`--${clusterOnly} is for a cluster: name one with --kubeconfig, --context or --in-cluster`);
    const { readAppCredentials } = await import('../../github/app-settings.js');
    const credentials = await readAppCredentials(env, io.cwd);
    if (!credentials.ok) {
      io.stderr.write(`skiff serve: cannot start as a GitHub App:\n${credentials.problems.map((p) => `  - ${p}\n`).join('')}`);
      return 1;
    }
    // The state directory keeps what the App itself must remember (deliveries, mirrors) in both deployments.
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
    // Refused now, not at the first run: where this server's runs keep artifacts no workflow or namespace names.
    const defaultRepository = defaultArtifactRepositoryFromEnv(processEnv);
    let launcher: import('../../ports/run-launcher.js').RunLauncher | undefined;
    const { RunArtifactLinks, localArtifactPlaces, clusterArtifactPlaces } = await import('../../server/run-page/run-artifact-links.js');
    // Artifact links on check runs and PR comments: S3 ones presigned with the keys of the runs' own Secrets.
    let artifactPlaces: import('../../server/run-page/run-artifact-links.js').RunArtifactPlaces;
    let cluster: import('../serve-cluster.js').ServeCluster | undefined;
    if (clusterNamed) {
      const { openClusterTarget } = await import('../cluster-target.js');
      const { kubeRunPageSource } = await import('../../kube/kube-run-page-source.js');
      let clusterIo: CliIO = io;
      if (values['in-cluster']) {
        const { SERVICE_ACCOUNT_TOKEN } = await import('../../kube/kube-connection.js');
        const { existsSync } = await import('node:fs');
        if (!env.KUBERNETES_SERVICE_HOST || !existsSync(SERVICE_ACCOUNT_TOKEN))
          throw new Error(`--in-cluster: not in a pod with a service account (no $KUBERNETES_SERVICE_HOST or ${SERVICE_ACCOUNT_TOKEN})`);
        // The pod's own account, even where $KUBECONFIG is set.
        const { KUBECONFIG: _ignored, ...podEnv } = env;
        clusterIo = { ...io, env: podEnv };
      }
      const clusterTarget = openClusterTarget(clusterIo, {
        ...(values.kubeconfig !== undefined ? { kubeconfig: values.kubeconfig } : {}),
        ...(values.context !== undefined ? { context: values.context } : {}),
      });
      const { openServeCluster } = await import('../serve-cluster.js');
      cluster = openServeCluster(clusterTarget, {
        controller: controllerMode,
        namespaces,
        executorImage: values['executor-image'],
        defaultRepository,
        log: (line) => logger.info(line),
      });
      const client = cluster.client;
      planClient = () => client;
      launcher = cluster.launcher;
      runPageSource = kubeRunPageSource({ client: clusterTarget.client, runs: clusterTarget.runs, objects: clusterTarget.objects });
      artifactPlaces = clusterArtifactPlaces(clusterTarget.objects);
      // Retries go through this connection, the pod's own service account with --in-cluster.
      act = (key, action) => runPageAction(clusterTarget, [], { ...clusterIo, env: processEnv }, key, action);
    } else {
      const client = new LocalKubeClient(target.objects);
      planClient = () => client;
      launcher = new (await import('../local-run-launcher.js')).LocalRunLauncher(target, env);
      runPageSource = (await import('../local-run-page-source.js')).localRunPageSource(target, processEnv);
      artifactPlaces = localArtifactPlaces(target);
      act = (key, action) => runPageAction(target, ['--state-dir', target.layout.root], { ...io, env: processEnv }, key, action);
    }
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
      logger.warn('skiff serve: no GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET: nobody signs in on run pages, which offer no actions');
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
      artifactLinks: new RunArtifactLinks(artifactPlaces, {
        signer: runPage.signer,
        ...(publicUrl !== undefined ? { publicUrl } : {}),
      }),
      logger,
      ...(throttle === 'off' ? { Octokit: await unthrottledOctokit() } : {}),
    }).catch(async (error: unknown) => {
      await cluster?.close();
      throw error;
    });
    io.stdout.write(`skiff serve: listening on ${server.url} (webhooks at /api/github/webhooks)\n`);
    const signal = await new Promise<NodeJS.Signals>((done) => {
      process.once('SIGINT', done);
      process.once('SIGTERM', done);
    });
    logger.info(`skiff serve: ${signal}: finishing accepted deliveries`);
    await server.close();
    await cluster?.close();
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

/** Probot's Octokit without the spacing of writes (its retries stay). */
async function unthrottledOctokit(): Promise<typeof import('probot').ProbotOctokit> {
  const { ProbotOctokit } = await import('probot');
  return ProbotOctokit.defaults((options: { throttle?: object }) => ({ ...options, throttle: { ...options.throttle, enabled: false } }));
}
