import { resolve } from 'node:path';
import { describeRun } from '../../ports/run-key.js';
import type { RunPageSource } from '../../ports/run-page-source.js';
import type { RunActionPerformer } from '../../server/run-page/run-actions.js';
import { createRunPageHandler } from '../../server/run-page/run-page-handler.js';
import { type CliIO, type Command, envOf, UsageError } from '../cli-io.js';
import { localRunPageSource } from '../local-run-page-source.js';
import { openRunTarget } from '../open-run-target.js';
import { runPageAction } from '../run-page-actions.js';
import { runPageSecretDir } from '../run-page-secret-dir.js';
import { parseAge } from '../parse-age.js';
import { NAMESPACE_HELP, NAMESPACE_OPTION, parseCommandArgs, STATE_DIR_HELP, STATE_DIR_OPTION } from '../parse-command-args.js';
import { CLUSTER_TARGET_HELP, CLUSTER_TARGET_OPTIONS } from '../run-target.js';
import { resolveRunName } from '../select-runs.js';
import { kubeRunPageSource } from '../../kube/kube-run-page-source.js';
import { DEFAULT_LINK_LIFETIME_MS, runPageLink, UI_URL_ENV } from '../../server/run-page/run-page-link.js';
import { loadRunPageSecret, RunLinkSigner } from '../../server/run-page/run-link-signer.js';
import { startRunPageServer } from '../../server/run-page/run-page-server.js';

const USAGE = `Usage: skiff ui [options] [NAME...]
       skiff ui --link NAME [options]

Serves the run page of local runs, or of a cluster's with --kubeconfig or --context: each run's
graph with live phases, each step's inputs, outputs, artifacts and log. A page opens only from a
link signed for its run, with an expiry; the links of the runs NAME... are printed at start. No
page lists runs. --link prints a run's link and exits (for a skiff ui already serving the same
runs).

A link lets its holder look at the run. A --write link also shows buttons that retry, stop and
terminate it, but only while skiff ui runs with --allow-actions: a link is easily pasted into a
chat or a ticket, and whoever holds it would act as you. The signing secret is kept in the state
directory (ui-secret, owner-only; for a cluster, the default state directory's); removing it
voids every link given out.

Options:
      --link NAME         print NAME's link and exit
      --write             links that may also act on the run (retry, stop, terminate)
      --allow-actions     carry out the actions of --write links (refused otherwise)
      --expires DURATION  how long links open their run (default 7d; 30m, 12h, 2d)
      --host HOST         address to listen on (default 127.0.0.1)
      --port PORT         port to listen on (default 8090; 0: any free port)
      --ui-url URL        the address people open, when not the one listened on (also
                          ${UI_URL_ENV})
${NAMESPACE_HELP}
${STATE_DIR_HELP}
${CLUSTER_TARGET_HELP}
  -h, --help              show this help

Exit status: 0 stopped by SIGINT or SIGTERM (or --link printed), 1 no such run or the port is
taken, 2 usage error.`;

export const uiCommand: Command = {
  name: 'ui',
  summary: 'serve the run page of local or cluster runs in a browser',
  usage: USAGE,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandArgs(args, {
      ...STATE_DIR_OPTION,
      ...NAMESPACE_OPTION,
      ...CLUSTER_TARGET_OPTIONS,
      link: { type: 'string' },
      write: { type: 'boolean' },
      'allow-actions': { type: 'boolean' },
      expires: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      'ui-url': { type: 'string' },
    });
    const port = values.port === undefined ? 8090 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port ${values.port}: expected a port number (0-65535)`);
    const lifetime = values.expires === undefined ? DEFAULT_LINK_LIFETIME_MS : parseAge(values.expires, '--expires');
    const host = values.host ?? '127.0.0.1';
    const env = envOf(io);
    const target = openRunTarget(io, values);
    const secretDir = runPageSecretDir(target, env);
    const linkOptions = { capability: values.write ? ('write' as const) : ('read' as const), expiresAt: Date.now() + lifetime };
    const links = async (names: string[], baseUrl: string): Promise<string> => {
      let text = '';
      for (const given of names) {
        const key = await resolveRunName(target, given, values.namespace);
        if (!(await target.readRun(key))) throw new Error(`${describeRun(key)} not found${target.location ? ` in ${target.location}` : ''}`);
        text += `${await runPageLink(secretDir, baseUrl, key, linkOptions)}\n`;
      }
      return text;
    };
    const shownUrl = values['ui-url'] ?? env[UI_URL_ENV];
    if (values.link !== undefined) {
      if (positionals.length > 0) throw new UsageError('--link prints one link: give NAME once');
      io.stdout.write(await links([values.link], shownUrl ?? `http://${host.includes(':') ? `[${host}]` : host}:${port || 8090}`));
      return 0;
    }
    const signer = new RunLinkSigner(await loadRunPageSecret(secretDir));
    const processEnv = { ...process.env, ...env };
    const source: RunPageSource =
      target.kind === 'local'
        ? localRunPageSource(target, processEnv)
        : kubeRunPageSource({
            client: target.client,
            runs: target.runs,
            objects: target.objects,
            description: values.context !== undefined ? `the cluster of context ${values.context}` : "the kubeconfig's cluster",
          });
    const targetArgs =
      target.kind === 'local'
        ? ['--state-dir', target.layout.root]
        : [
            ...(values.kubeconfig !== undefined ? ['--kubeconfig', resolve(io.cwd, values.kubeconfig)] : []),
            ...(values.context !== undefined ? ['--context', values.context] : []),
          ];
    const act: RunActionPerformer = (key, action) => runPageAction(target, targetArgs, { ...io, env: processEnv }, key, action);
    const handler = createRunPageHandler({ source, signer, ...(values['allow-actions'] ? { act } : {}) });
    let served: Awaited<ReturnType<typeof startRunPageServer>>;
    try {
      served = await startRunPageServer(handler, host, port);
    } catch (error) {
      throw new Error(`cannot listen on ${host}:${port}: ${(error as Error).message}`);
    }
    io.stdout.write(`Serving the run page of ${source.description} on ${served.url} (stop with Ctrl-C)\n`);
    try {
      io.stdout.write(await links(positionals, shownUrl ?? served.url));
    } catch (error) {
      await served.close();
      throw error;
    }
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await served.close();
    return 0;
  },
};
