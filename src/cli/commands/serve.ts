import { type CliIO, type Command, envOf, UsageError } from '../cli-io.js';
import type { RunKey } from '../../ports/run-key.js';
import { openLocalTarget } from '../local-target.js';
import { parseCommandArgs } from '../parse-command-args.js';

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

Options:
      --host HOST           the address to listen on (default: $HOST, else 0.0.0.0: every interface)
      --port PORT           the port (default: $PORT, else 3000)
      --kubeconfig FILE     plan, apply and run on this cluster instead of this machine
      --context NAME        ... on this context of the kubeconfig ($KUBECONFIG, else ~/.kube/config)
      --in-cluster          ... on the cluster this pod runs in, as its service account
      --controller MODE     on a cluster, who drives the runs: embedded (default: this process,
                            leader-elected) or external (a separate skiff controller)
      --executor-image IMG  the image that runs skiff executor in each pod (embedded controller)
      --state-dir DIR       the local state directory (default: $SKIFF_STATE_DIR, else ~/.local/state/skiff)
      --public-url URL      where people reach this server (default: $SKIFF_PUBLIC_URL): each run's
                            check run then links to its run page (/runs/...), signed for that run
                            and valid for 7 days, and artifacts kept in the state directory get
                            download links (S3 artifacts get presigned links either way)
  -h, --help                show this help

The run page of every local run is served under /runs/, reachable only by a link signed for that
run (skiff ui --link NAME prints one for the same state directory).

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
    const controllerMode = values.controller ?? 'embedded';
    if (controllerMode !== 'embedded' && controllerMode !== 'external') throw new UsageError(`--controller ${controllerMode}: expected embedded or external`);
    if (!clusterNamed && (values.controller !== undefined || values['executor-image'] !== undefined))
      throw new UsageError(
        `--${values.controller !== undefined ? 'controller' : 'executor-image'} is for a cluster: name one with --kubeconfig, --context or --in-cluster`,
      );
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
    let launcher: import('../../ports/run-launcher.js').RunLauncher | undefined;
    let cluster: import('../serve-cluster.js').ServeCluster | undefined;
    if (clusterNamed) {
      const { openClusterTarget } = await import('../cluster-target.js');
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
        executorImage: values['executor-image'],
        log: (line) => io.stderr.write(`${new Date().toISOString()} ${line}\n`),
      });
      const client = cluster.client;
      planClient = () => client;
      launcher = cluster.launcher;
    } else {
      const client = new LocalKubeClient(target.objects);
      planClient = () => client;
      launcher = new (await import('../local-run-launcher.js')).LocalRunLauncher(target, env);
    }
    // The run page of local runs, on the same server; check runs link to it when Skiff knows the
    // address people reach it at (--public-url), signed for each run.
    const publicUrl = values['public-url'] ?? env.SKIFF_PUBLIC_URL;
    if (publicUrl !== undefined && !/^https?:\/\/[^/]+/.test(publicUrl))
      throw new UsageError(`--public-url ${publicUrl}: expected http(s)://host[:port][/path]`);
    const runPage = !clusterNamed ? await (await import('../../server/run-page/run-page-mount.js')).runPageMount(target, env) : undefined;
    const server = await startSkiffServer({
      credentials: credentials.credentials,
      host,
      port,
      stateDir: target.layout.root,
      planClient,
      ...(launcher ? { launcher } : {}),
      ...(runPage
        ? {
            mounts: [
              { prefix: '/runs/', handler: runPage.handler },
              { prefix: '/_skiff/', handler: runPage.handler },
            ],
          }
        : {}),
      ...(runPage && publicUrl !== undefined ? { runPageUrl: (key: RunKey) => runPage.link(publicUrl, key) } : {}),
      ...(runPage
        ? {
            artifactLinks: new (await import('../../server/run-page/run-artifact-links.js')).RunArtifactLinks(target, {
              signer: runPage.signer,
              ...(publicUrl !== undefined ? { publicUrl } : {}),
            }),
          }
        : {}),
      log: (line) => io.stderr.write(`${line}\n`),
    }).catch(async (error: unknown) => {
      await cluster?.close();
      throw error;
    });
    io.stdout.write(`skiff serve: listening on ${server.url} (webhooks at /api/github/webhooks)\n`);
    const signal = await new Promise<NodeJS.Signals>((done) => {
      process.once('SIGINT', done);
      process.once('SIGTERM', done);
    });
    io.stderr.write(`skiff serve: ${signal}: finishing accepted deliveries\n`);
    await server.close();
    await cluster?.close();
    runPage?.handler.close();
    return 0;
  },
};
