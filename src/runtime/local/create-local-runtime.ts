import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { V1PodStatus } from '@kubernetes/client-node';
import { type ConfigMapSource, createArtifactDriver, type Repository, type SecretSource, type StorageLocation } from '../../artifacts/index.js';
import type { PodRequest } from '../../engine/engine-events.js';
import type { Runtime, RuntimeEvent } from '../../ports/runtime.js';
import type { ArtifactRepositoryRefStatus } from '../../engine/workflow-status.js';
import type { Workflow } from '../../spec/model/workflow.js';
import type { StateLayout } from '../../state/state-layout.js';
import { appendTimedLog } from '../../state/log-times.js';
import { buildPodSpec } from '../pod-spec/build-pod-spec.js';
import { EXECUTOR_IMAGE, RUN_DIR, RUN_VOLUME } from '../pod-spec/executor-plan.js';
import { containerDir } from '../pod-spec/main-wrapper.js';
import { type DaemonAddress, type DaemonGateway, openDaemonGateway } from './daemon-gateway.js';
import { type DaemonPod, prepareDaemonPod } from './daemon-pod.js';
import { podOutcome } from './pod-outcome.js';
import { podPorts } from './readiness-probe.js';
import { ensureHostShims } from './host-shims.js';
import { imageWarning } from './image-warning.js';
import { LocalRepositoryRoots, localRoots } from './local-repository-roots.js';
import { localizePod } from './localize-pod.js';
import type { PodObjectSource } from '../../ports/pod-object-source.js';
import { runGarbagePass } from '../../runs/run-artifact-gc.js';
import { archivesLogs } from '../../runs/archive-logs.js';
import { embeddedLocalDefault, RunRepositories } from '../../runs/run-repositories.js';
import { recordedPodEnd } from './recorded-pod-end.js';
import { RunVolumeReports } from './run-volume-reports.js';
import { runPod, type PodRun } from './run-pod.js';
import { killTaggedSandboxes, sandboxTag } from './sandbox-tags.js';
import { handTreeToSandbox, makeSharedSandboxDir, sandboxIdentity, type SandboxIdentity } from './sandbox-identity.js';
import { type HttpClient, nodeHttpClient } from './http-client.js';
import { runHttpTemplate } from './run-http-template.js';
import { runKey, splitRunKey, type RunKey } from '../../ports/run-key.js';

export interface LocalRuntimeOptions {
  layout: StateLayout;
  /** What `skiff apply` stored: artifact-repository ConfigMaps, Secrets, pod volumes and env. */
  objects: ConfigMapSource & SecretSource & PodObjectSource;
  /** The run's workflow (as stored: name, namespace, uid, spec), by its key (`namespace/name`). */
  runOf(key: RunKey): Promise<Workflow | undefined> | Workflow | undefined;
  /** The artifact repository the run recorded in its status, if any (see RunRepositories). */
  recordedRepositoryOf?(key: RunKey): Promise<ArtifactRepositoryRefStatus | undefined>;
  /** The controller-level default artifact repository, if the user configured one. */
  defaultRepository?: Repository;
  /** This project's directory (bin/skiff.js runs the executor). Default: found from this file. */
  projectDir?: string;
  /** Default: the Node.js running Skiff. */
  nodePath?: string;
  /** How http templates make their request. Default: Node's http and https modules. */
  httpClient?: HttpClient;
  /**
   * Let the user's containers share the host's network (reach the internet and the host's
   * services). Default: each has a network of its own with only loopback and the run's daemons.
   * Skiff's executor containers always share it: they load and save artifacts.
   */
  allowEgress?: boolean;
  /** Who steps run as. Default: sandboxIdentity() (SKIFF_SANDBOX_UID when Skiff runs as root). */
  identity?: SandboxIdentity;
  /**
   * Directories besides the state directory's own artifacts where `local` artifact repositories
   * may be (SKIFF_LOCAL_REPOSITORY_ROOTS); a root anywhere else is refused (see LocalRepositoryRoots).
   */
  localRepositoryRoots?: string[];
}

const DEADLINE_GRACE_MS = 1000;

interface ActivePod {
  report: (event: RuntimeEvent) => void;
  run?: PodRun;
  killed: boolean;
  timer?: NodeJS.Timeout;
  done: Promise<void>;
}

/** Where this file's project is: dist/src/runtime/local/ → the project root. */
export function defaultProjectDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
}

/** A pod's key: pods are namespaced, so runs of one name in two namespaces never share one. */
function podKeyOf(request: PodRequest): string {
  return `${request.workflowNamespace}/${request.podName}`;
}

function podKeyIn(key: RunKey, podName: string): string {
  return `${splitRunKey(key).namespace}/${podName}`;
}

/**
 * The local runtime: runs each pod node on this machine as the cluster would run its pod. The
 * pod spec is the one `buildPodSpec` makes for Kubernetes (init: Skiff's executor loads input
 * artifacts and stages the script; main: the user's command in the bubblewrap sandbox; wait: the
 * executor collects outputs and saves artifacts), localized only in how the executor starts.
 * Reports `pod-started` when main (or a containerSet's first container) starts and
 * `pod-finished` with the exit code, the outputs and each containerSet member's exit code
 * together once wait has collected them; for a daemon, `pod-ready` with the pod's own address once
 * it is running and ready (its main container then has a network of its own: see daemon-pod.ts
 * and pod-network.ts). Idempotent by pod name. Logs go where `skiff logs`
 * reads them (StateLayout.containerLog); a run's volumeClaimTemplates directories are removed
 * when the run finishes.
 *
 * @example
 *   const runtime = createLocalRuntime({ layout, objects, runOf: async (key) => (await store.load(key))?.workflow });
 *   const driver = new RunDriver({ store, runtime });
 */
export function createLocalRuntime(options: LocalRuntimeOptions): Runtime & { close(): Promise<void> } {
  const { layout } = options;
  const projectDir = options.projectDir ?? defaultProjectDir();
  const nodePath = options.nodePath ?? process.execPath;
  const identity = options.identity ?? sandboxIdentity();
  // Local artifact repositories the executor writes, handed to the sandbox user once per runtime.
  const handedRepositories = new Map<string, Promise<void>>();
  const repositoryRoots = new LocalRepositoryRoots([layout.artifacts, ...(options.localRepositoryRoots ?? [])]);
  const active = new Map<string, ActivePod>();
  // Each run's ready daemons by pod name: what its steps in networks of their own may reach.
  const daemonsOf = new Map<string, Map<string, DaemonAddress>>();
  const liveDaemons = (runId: string): DaemonAddress[] => [...(daemonsOf.get(runId)?.values() ?? [])];
  const cleanups = new Set<Promise<void>>();
  // Outputs reach the engine one way: the wait container's report in the pod's run volume.
  const reports = new RunVolumeReports((pod) => join(layout.podDir(pod.run, pod.podName), 'volumes', RUN_VOLUME));
  let shims: Promise<string | undefined> | undefined;
  const repositories = new RunRepositories({
    configMaps: options.objects,
    ...(options.defaultRepository ? { controllerDefault: options.defaultRepository } : {}),
    localDefault: embeddedLocalDefault(layout.artifacts),
    ...(options.recordedRepositoryOf ? { recordedOf: (key: RunKey) => options.recordedRepositoryOf!(key) } : {}),
  });

  const start = async (request: PodRequest, entry: ActivePod): Promise<void> => {
    const runId = runKey(request.workflowNamespace, request.workflowName);
    const podDir = layout.podDir(runId, request.podName);
    const fail = (message: string): void => finish(podKeyOf(request), entry, { type: 'pod-error', nodeId: request.nodeId, message });
    const workflow = await options.runOf(runId);
    if (!workflow) return fail(`run ${runId} is not known to the local runtime`);
    // Asked for again after a restart: an end the pod recorded while no driver listened counts.
    const recorded = await recordedPodEnd(request, { run: runId, podName: request.podName }, reports);
    if (recorded) return finish(podKeyOf(request), entry, recorded);
    const template = request.template;
    // An http template runs no pod: the request is made from here, as Argo's agent makes it.
    if (template.http) return runHttp(request, entry, workflow);
    let archiveLocation: StorageLocation | undefined;
    // Every pod resolves the run's repository (once per run), so the first one to start records
    // it in status as Argo does; only a pod with artifacts (or archived logs) fails when it cannot be resolved.
    const resolved = await repositories.repository(workflow).catch(() => undefined);
    const repositoryRef = resolved?.ref as ArtifactRepositoryRefStatus | undefined;
    const archiveLogs = archivesLogs(resolved?.repository, request.workflowArchiveLogs, template);
    const needsRepository = (request.inputs.artifacts?.length ?? 0) > 0 || (template.outputs?.artifacts?.length ?? 0) > 0 || archiveLogs;
    if (needsRepository) {
      try {
        archiveLocation = await repositories.archiveLocation(workflow, request);
      } catch (error) {
        return fail((error as Error).message);
      }
    }
    const built = buildPodSpec(request, { workflow, ...(archiveLocation ? { archiveLocation } : {}), ...(archiveLogs ? { archiveLogs } : {}) });
    if ('error' in built) return fail(built.error);
    // A hostPath would hand the step any directory of this machine: the one way around the sandbox's root.
    const hostVolume = built.pod.spec?.volumes?.find((v) => v.hostPath);
    if (hostVolume)
      return fail(
        `volume "${hostVolume.name}": hostPath volumes are refused by the local runtime, whose steps see only their own volumes; use an emptyDir or a volumeClaimTemplate`,
      );
    if (!existsSync(join(projectDir, 'bin', 'skiff.js'))) return fail(`cannot run Skiff's executor: ${join(projectDir, 'bin', 'skiff.js')} does not exist`);
    const repositoryDirs: string[] = [];
    try {
      for (const root of localRoots([archiveLocation, ...(request.inputs.artifacts ?? [])])) repositoryDirs.push(await repositoryRoots.admit(root));
    } catch (error) {
      return fail((error as Error).message);
    }
    for (const dir of repositoryDirs) {
      if (!handedRepositories.has(dir)) handedRepositories.set(dir, handTreeToSandbox(dir, identity));
      await handedRepositories.get(dir);
    }
    shims ??= ensureHostShims(join(layout.root, 'shims'));
    const shimsDir = await shims;
    const pod = localizePod(built.pod, { projectDir, nodePath, executorImage: EXECUTOR_IMAGE, repositoryDirs, ...(shimsDir ? { shimsDir } : {}) });
    const images = template.containerSet
      ? template.containerSet.containers.map((c) => c.image)
      : [((template.script ?? template.container) as { image?: string } | undefined)?.image];
    const warnings = [...new Set(images.map(imageWarning).filter((w): w is string => w !== undefined))];
    if ((template.sidecars?.length ?? 0) > 0) warnings.push('sidecars are not run by the local runtime');
    // A pod asked for again after a restart starts afresh: what a dead Skiff left of the lost
    // attempt (sandboxes still running, or stuck half-started) is killed, and its volumes go.
    const sandboxTagOfPod = sandboxTag(layout.root, runId, request.podName);
    if (request.askedBefore !== undefined) killTaggedSandboxes(sandboxTagOfPod);
    await rm(join(podDir, 'volumes'), { recursive: true, force: true, maxRetries: 5 });
    await mkdir(join(podDir, 'logs'), { recursive: true });
    if (warnings.length > 0) appendTimedLog(layout.containerLog(runId, request.podName, 'main'), warnings.map((w) => `skiff: warning: ${w}\n`).join(''));
    if (entry.killed) return;
    let daemon: DaemonPod | undefined;
    if (template.daemon === true) {
      try {
        daemon = await prepareDaemonPod(pod, { nodePath, identity });
      } catch (error) {
        return fail((error as Error).message);
      }
    }

    const runDir = join(podDir, 'volumes', RUN_VOLUME);
    const hostPath = (inPod: string): string => join(runDir, inPod.slice(RUN_DIR.length));
    let started = false;
    const ended = new Set<string>();
    let ready = false;
    let last: V1PodStatus | undefined;
    const onStatus = async (status: V1PodStatus): Promise<void> => {
      last = status;
      // The user's containers: main, or a containerSet's; the pod has started when one runs.
      const users = (status.containerStatuses ?? []).filter((c) => c.name !== 'wait');
      if (!started && users.some((c) => c.state?.running)) {
        started = true;
        entry.report({
          type: 'pod-started',
          nodeId: request.nodeId,
          hostNodeName: hostname(),
          ...(repositoryRef ? { artifactRepositoryRef: repositoryRef } : {}),
          ...(request.askedBefore ? { restarted: true } : {}),
        });
      }
      // As Argo's controller, only a daemon's readiness matters: then later steps may use it.
      if (daemon && !ready && !entry.killed && status.phase === 'Running' && (status.containerStatuses ?? []).every((c) => c.ready)) {
        ready = true;
        const main = pod.spec?.containers.find((c) => c.name === 'main');
        if (status.podIP && main) daemonsOf.set(runId, (daemonsOf.get(runId) ?? new Map()).set(request.podName, { ip: status.podIP, ports: podPorts(main) }));
        entry.report({ type: 'pod-ready', nodeId: request.nodeId, ...(status.podIP ? { podIP: status.podIP } : {}) });
      }
      for (const user of users) {
        if (ended.has(user.name) || !user.state?.terminated) continue;
        ended.add(user.name);
        // The wrapper writes the exit code after keeping the outputs; if a container never got as
        // far as running it (a mount it could not make), wait and its dependents must still learn
        // that it is over.
        const codeFile = hostPath(`${containerDir(user.name)}/exitcode`);
        if (!existsSync(codeFile)) {
          await makeSharedSandboxDir(dirname(codeFile), identity);
          await writeFile(codeFile, `${user.state.terminated.exitCode}\n`);
        }
      }
    };
    if (request.deadline) {
      const ms = Date.parse(request.deadline) - Date.now();
      // The engine's own timer normally fails the node and kills the pod first; this is the
      // kubelet's activeDeadlineSeconds, for a pod whose engine is not listening.
      entry.timer = setTimeout(() => {
        entry.run?.kill();
        finish(podKeyOf(request), entry, {
          type: 'pod-finished',
          nodeId: request.nodeId,
          exitCode: 137,
          message: 'Pod was active on the node longer than the specified deadline',
        });
      }, Math.max(0, ms) + DEADLINE_GRACE_MS);
    }
    // Steps in networks of their own reach the run's daemons through a gateway (see daemon-gateway.ts).
    let gateway: DaemonGateway | undefined;
    const isolated = pod.spec!.containers.filter((c) => c.image !== EXECUTOR_IMAGE).map((c) => c.name);
    if (!daemon && options.allowEgress !== true && isolated.length > 0 && liveDaemons(runId).length > 0) {
      gateway = await openDaemonGateway(pod, { containers: isolated, daemons: liveDaemons(runId), live: () => liveDaemons(runId), nodePath, identity });
    }
    entry.run = runPod({
      pod: daemon?.pod ?? gateway?.pod ?? pod,
      sandboxTag: sandboxTagOfPod,
      podDir,
      claimsDir: layout.claimsDir(runId),
      objects: options.objects,
      report: onStatus,
      identity,
      hostNetwork: (container) => options.allowEgress === true || container.image === EXECUTOR_IMAGE,
      ...(daemon ? { network: { container: 'main', relaySocket: daemon.relaySocket } } : {}),
    });
    try {
      await entry.run.done;
    } finally {
      daemonsOf.get(runId)?.delete(request.podName);
      await Promise.all([daemon?.dispose(), gateway?.close()]);
    }
    if (entry.killed) return;
    finish(
      podKeyOf(request),
      entry,
      await podOutcome(request.nodeId, last, { run: runId, podName: request.podName }, reports, warnings, template.containerSet !== undefined),
    );
  };

  const runHttp = async (request: PodRequest, entry: ActivePod, workflow: Workflow): Promise<void> => {
    const controller = new AbortController();
    const done = runHttpTemplate(request, {
      client: options.httpClient ?? nodeHttpClient,
      secrets: options.objects,
      namespace: workflow.metadata?.namespace ?? 'default',
      signal: controller.signal,
    });
    entry.run = { kill: () => controller.abort(), done: done.then(() => undefined) };
    const event = await done;
    const log = layout.containerLog(runKey(request.workflowNamespace, request.workflowName), request.podName, 'main');
    await mkdir(dirname(log), { recursive: true });
    appendTimedLog(log, `${event.exitCode === 0 ? 'succeeded' : `failed: ${event.message ?? ''}`}\n${event.outputs?.result ?? ''}`);
    if (!entry.killed) finish(podKeyOf(request), entry, event);
  };

  const finish = (podKey: string, entry: ActivePod, event: RuntimeEvent): void => {
    if (active.get(podKey) !== entry || entry.killed) return;
    if (entry.timer) clearTimeout(entry.timer);
    active.delete(podKey);
    entry.killed = true; // nothing more is reported for this pod
    entry.report(event);
  };

  const killPod = (podKey: string): void => {
    const entry = active.get(podKey);
    if (!entry) return;
    active.delete(podKey);
    entry.killed = true;
    if (entry.timer) clearTimeout(entry.timer);
    entry.run?.kill();
  };

  return {
    run(request, report) {
      const existing = active.get(podKeyOf(request));
      if (existing) {
        existing.report = report;
        return;
      }
      const entry: ActivePod = { report, killed: false, done: Promise.resolve() };
      active.set(podKeyOf(request), entry);
      entry.done = start(request, entry).catch((error: unknown) => {
        finish(podKeyOf(request), entry, { type: 'pod-error', nodeId: request.nodeId, message: `local runtime: ${(error as Error).message}` });
      });
    },

    kill(key, podName) {
      killPod(podKeyIn(key, podName));
    },

    async collectGarbage({ workflow, status }) {
      const driver = createArtifactDriver({
        secrets: options.objects,
        namespace: workflow.metadata.namespace ?? 'default',
        localRoot: (root) => repositoryRoots.confine(root),
      });
      try {
        const recorded = status.artifactRepositoryRef?.artifactRepository as Repository | undefined;
        const repository = async (): Promise<Repository | undefined> =>
          recorded ??
          repositories.repository(workflow).then(
            (r) => r.repository,
            () => undefined,
          );
        return (await runGarbagePass(workflow, status, { deleting: false, driver, repository })).changes;
      } finally {
        driver.close();
      }
    },

    runFinished(runId) {
      repositories.forget(runId);
      daemonsOf.delete(runId);
      const cleanup = rm(layout.claimsDir(runId), { recursive: true, force: true }).finally(() => cleanups.delete(cleanup));
      cleanups.add(cleanup);
    },

    async close() {
      const entries = [...active.values()];
      for (const podKey of [...active.keys()]) killPod(podKey);
      await Promise.all(entries.map((e) => e.run?.done.catch(() => undefined)));
      await Promise.all(entries.map((e) => e.done));
      await Promise.all([...cleanups]);
    },
  };
}
