import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { readFile } from 'node:fs/promises';
import type { Repository } from '../../artifacts/index.js';
import { defaultArtifactRepositoryFromEnv, parseDefaultArtifactRepository } from '../default-artifact-repository.js';
import { randomUUID } from 'node:crypto';
import { createControllerRuntime } from '../../controller/create-controller-runtime.js';
import { DEFAULT_LEASE_NAME, startController } from '../../controller/start-controller.js';
import { KubeConnection } from '../../kube/kube-connection.js';
import type { KubeClient } from '../../kube/kube-client.js';
import type { Runtime } from '../../ports/runtime.js';
import { envOf, UsageError, type CliIO, type Command } from '../cli-io.js';
import { parseAge } from '../parse-age.js';
import { parseNamespaceList } from '../namespace-list.js';
import { parseCommandArgs } from '../parse-command-args.js';

/** Argo's controller defaults are 20 and 30; Skiff's steps write less per step, and a little more headroom keeps steps close together. */
export const DEFAULT_QPS = 50;
export const DEFAULT_BURST = 100;

const USAGE = `Usage: skiff controller [options]

Runs Skiff's Kubernetes controller: it drives the Workflows labelled
workflows.argoproj.io/controller-instanceid: skiff (whoever created them: skiff submit
--kubeconfig, kubectl, Argo's CLI) with Skiff's engine, each step a pod. Several replicas may
run: a Lease elects the one that drives runs, and another takes over within seconds when it
dies. A restarted controller continues every unfinished run from the cluster. Stop, terminate
and resume are read off the Workflow (spec.shutdown, as argo stop sets it). The leader also
runs the CronWorkflows labelled with its instance id. SIGTERM releases the lease and exits.

Options:
      --kubeconfig FILE     the cluster (default: $KUBECONFIG, else the pod's service account
                            in a cluster, else ~/.kube/config)
      --context NAME        a context of the kubeconfig other than its current one
  -n, --namespace NS        drive the runs of this namespace only; repeat it or list several
                            (-n ci,build) for those (default: every namespace, which needs a
                            ClusterRole; a Role in each namespace suffices with -n)
  -A, --all-namespaces      drive the runs of every namespace (the default)
      --instance-id ID      drive the Workflows whose controller-instanceid label is ID
                            (default: skiff)
      --qps N               at most N requests a second to the API server on average (default ${DEFAULT_QPS})
      --burst N             and at most N at once (default ${DEFAULT_BURST})
      --lease-name NAME     the Lease that elects the leader, in the kubeconfig's namespace
                            (default: ${DEFAULT_LEASE_NAME})
      --lease-duration DUR  how long a leader that stops renewing keeps the lease, in whole
                            seconds (default 15s): when a leader dies, another replica takes
                            over this long after it last saw the lease change
      --renew-deadline DUR  a leader that could not renew for this long steps down; shorter
                            than the lease (default 10s, or 3/4 of a shorter lease)
      --retry-period DUR    how often replicas try to take the lease and the leader renews it;
                            shorter than the renew deadline (default 2s, or half of a
                            shorter renew deadline)
      --executor-image IMG  the image that runs skiff executor in each pod
      --default-artifact-repository FILE
                            the artifact repository of runs whose workflow and namespace name
                            none (Argo's controller default): YAML shaped as an entry of an
                            artifact-repositories ConfigMap (default: $SKIFF_DEFAULT_ARTIFACT_REPOSITORY,
                            the YAML itself; with neither, such a run's artifacts fail)
      --resource-steps-as WHO
                            who resource templates act as: service-account (default: the
                            step's service account, by impersonation, as Argo's kubectl in the
                            step's pod) or controller (the controller's own rights)
  -h, --help                show this help

Logs one line per event worth knowing: leadership won or lost, a run started, continued,
signalled, ended or deleted, and what went wrong.

Exit status: 0 stopped by SIGTERM or SIGINT, 1 no cluster settings, 2 usage error.`;

/** How the command gets the runtime and learns it should stop; tests pass their own. */
export interface ControllerCommandSeams {
  createRuntime: (
    connection: KubeClient,
    options: {
      executorImage?: string | undefined;
      namespaces?: readonly string[] | undefined;
      instanceId?: string;
      resourceStepsAs?: 'service-account' | 'controller';
      warn?: (message: string) => void;
      defaultRepository?: Repository | undefined;
    },
  ) => Runtime & { close?(): Promise<void> };
  /** Resolves when the process is asked to stop (SIGTERM, SIGINT). */
  stopRequested: () => Promise<string>;
}

const PROCESS_SEAMS: ControllerCommandSeams = {
  createRuntime: createControllerRuntime,
  stopRequested: () =>
    new Promise((resolveStop) => {
      const onSignal = (signal: string): void => {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
        resolveStop(signal);
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
    }),
};

/** `skiff controller`, with its runtime and stop signal from `seams`. */
export function makeControllerCommand(seams: ControllerCommandSeams): Command {
  return {
    name: 'controller',
    summary: 'drive the runs of a Kubernetes cluster (several replicas, one leads)',
    usage: USAGE,
    async run(args: string[], io: CliIO): Promise<number> {
      const { values, positionals } = parseCommandArgs(args, {
        kubeconfig: { type: 'string' },
        context: { type: 'string' },
        namespace: { type: 'string', short: 'n', multiple: true },
        'all-namespaces': { type: 'boolean', short: 'A' },
        'instance-id': { type: 'string' },
        qps: { type: 'string' },
        burst: { type: 'string' },
        'lease-name': { type: 'string' },
        'lease-duration': { type: 'string' },
        'renew-deadline': { type: 'string' },
        'retry-period': { type: 'string' },
        'executor-image': { type: 'string' },
        'resource-steps-as': { type: 'string' },
        'default-artifact-repository': { type: 'string' },
      });
      if (positionals.length > 0) throw new UsageError(`controller takes no arguments (got ${positionals.join(' ')})`);
      const namespaces = parseNamespaceList(values.namespace);
      if (namespaces !== undefined && values['all-namespaces']) throw new UsageError('-n and -A exclude each other');
      const qps = positiveNumber(values.qps, '--qps', DEFAULT_QPS);
      const burst = positiveNumber(values.burst, '--burst', DEFAULT_BURST);
      if (!Number.isInteger(burst)) throw new UsageError(`--burst ${values.burst}: expected a whole number`);
      const resourceStepsAs = values['resource-steps-as'] ?? 'service-account';
      if (resourceStepsAs !== 'service-account' && resourceStepsAs !== 'controller')
        throw new UsageError(`--resource-steps-as ${resourceStepsAs}: expected service-account or controller`);
      const lease = leaseTimings(values['lease-duration'], values['renew-deadline'], values['retry-period']);
      const instanceId = values['instance-id'] ?? 'skiff';
      if (!/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(instanceId)) throw new UsageError(`--instance-id ${instanceId}: not a label value`);

      const defaultRepository = await readDefaultRepository(values['default-artifact-repository'], io);
      const connection = KubeConnection.load(
        {
          ...(values.kubeconfig !== undefined ? { kubeconfigPath: resolve(io.cwd, values.kubeconfig) } : {}),
          ...(values.context !== undefined ? { context: values.context } : {}),
          env: envOf(io),
        },
        { rateLimit: { qps, burst } },
      );
      const log = (line: string): void => void io.stderr.write(`${new Date().toISOString()} ${line}\n`);
      const runtime = seams.createRuntime(connection, {
        executorImage: values['executor-image'],
        namespaces,
        instanceId,
        resourceStepsAs,
        warn: log,
        defaultRepository,
      });
      const identity = `${envOf(io).POD_NAME ?? hostname()}-${randomUUID().slice(0, 8)}`;
      const controller = startController({
        connection,
        runtime,
        namespaces,
        instanceId,
        leaseName: values['lease-name'] ?? DEFAULT_LEASE_NAME,
        identity,
        ...lease,
        log,
      });
      log(`skiff controller ${identity} started: waiting for the lease ${connection.namespace}/${values['lease-name'] ?? DEFAULT_LEASE_NAME}`);
      const signal = await seams.stopRequested();
      log(`${signal}: releasing the lease and stopping`);
      await controller.close();
      // Pods keep running: the next leader reattaches to them.
      await runtime.close?.();
      return 0;
    },
  };
}

export const controllerCommand = makeControllerCommand(PROCESS_SEAMS);

/** Client-go's defaults; a Lease records its duration in whole seconds. */
const DEFAULT_LEASE = { duration: 15_000, renewDeadline: 10_000, retryPeriod: 2000 };

/** The lease timings the options give, checked as client-go checks them: duration > renew deadline > retry period. */
function leaseTimings(
  duration: string | undefined,
  renewDeadline: string | undefined,
  retryPeriod: string | undefined,
): { leaseDurationSeconds: number; renewDeadlineMs: number; retryPeriodMs: number } {
  const durationMs = duration === undefined ? DEFAULT_LEASE.duration : parseAge(duration, '--lease-duration');
  if (durationMs < 1000 || durationMs % 1000 !== 0) throw new UsageError(`--lease-duration ${duration}: expected whole seconds, at least 1s`);
  const renewDeadlineMs = renewDeadline === undefined ? Math.min(DEFAULT_LEASE.renewDeadline, durationMs * 0.75) : parseAge(renewDeadline, '--renew-deadline');
  const retryPeriodMs = retryPeriod === undefined ? Math.min(DEFAULT_LEASE.retryPeriod, renewDeadlineMs / 2) : parseAge(retryPeriod, '--retry-period');
  if (renewDeadlineMs >= durationMs)
    throw new UsageError(`--renew-deadline ${renewDeadline ?? `${renewDeadlineMs / 1000}s`}: must be shorter than the lease duration (${durationMs / 1000}s)`);
  if (retryPeriodMs <= 0 || retryPeriodMs >= renewDeadlineMs)
    throw new UsageError(`--retry-period ${retryPeriod ?? `${retryPeriodMs / 1000}s`}: must be shorter than the renew deadline (${renewDeadlineMs / 1000}s)`);
  return { leaseDurationSeconds: durationMs / 1000, renewDeadlineMs, retryPeriodMs };
}

function positiveNumber(text: string | undefined, option: string, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new UsageError(`${option} ${text}: expected a positive number`);
  return value;
}

/** Argo's controller default artifact repository: from --default-artifact-repository FILE, else $SKIFF_DEFAULT_ARTIFACT_REPOSITORY. */
async function readDefaultRepository(file: string | undefined, io: CliIO): Promise<Repository | undefined> {
  if (file === undefined) return defaultArtifactRepositoryFromEnv(envOf(io));
  let text: string;
  try {
    text = await readFile(resolve(io.cwd, file), 'utf8');
  } catch (error) {
    throw new UsageError(
      `--default-artifact-repository ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
    );
  }
  return parseDefaultArtifactRepository(text, `--default-artifact-repository ${file}`);
}
