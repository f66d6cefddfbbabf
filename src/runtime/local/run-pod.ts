import { createWriteStream } from 'node:fs';
import { lstat, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { V1Container, V1ContainerStatus, V1Pod, V1PodStatus } from '@kubernetes/client-node';
import { TimedLogWriter } from '../../state/log-times.js';
import { followReadiness } from './follow-readiness.js';
import { openPodNetwork, type PodNetwork } from './pod-network.js';
import type { PodObjectSource } from '../../ports/pod-object-source.js';
import { containerEnv, containerMounts, materializeVolumes, removeSecretCopies } from './pod-volumes.js';
import { podPorts, probeProblem } from './readiness-probe.js';
import { startSandboxed, type SandboxedProcess } from './sandbox.js';
import { makeSandboxDir, sandboxIdentity, type SandboxIdentity } from './sandbox-identity.js';

export interface PodRunOptions {
  pod: V1Pod;
  /** The process name of the pod's sandboxes (see sandbox-tags.ts). */
  sandboxTag?: string;
  /** This pod's own directory: volumes and logs. */
  podDir: string;
  /** Where persistentVolumeClaim directories live, shared across pods. */
  claimsDir: string;
  objects: PodObjectSource;
  /** Called with the pod's whole status at every change (Pending, Running, each container's end). */
  report(status: V1PodStatus): Promise<void>;
  /** Host commands standing in for images that are not plain OS images (e.g. Skiff's executor). */
  imageCommands?: Record<string, string[]>;
  /**
   * The container (a daemon's main) that gets a network of its own, reached at the pod's own
   * address through Skiff's relay, which it must run (see network-relay.ts and daemon-pod.ts).
   * It is ready once the relay answers and its readinessProbe passes. Other containers keep the host's network.
   */
  network?: { container: string; relaySocket: string };
  /**
   * Whether a container shares the host's network (Skiff's executor, a run allowed egress);
   * the others get a network namespace of their own with only loopback, as does every container
   * when this is not given, unless the pod asks for `hostNetwork`.
   */
  hostNetwork?(container: V1Container): boolean;
  /** Who the containers run as. Default: sandboxIdentity(). */
  identity?: SandboxIdentity;
}

export interface PodRun {
  /** Ends the pod's processes (the pod was deleted). */
  kill(): void;
  readonly done: Promise<void>;
}

export function logPath(podDir: string, container: string): string {
  return join(podDir, 'logs', `${container}.log`); // the same layout as StateLayout.containerLog
}

/**
 * Runs a pod on this machine as a kubelet with restartPolicy Never would: init containers one after another (a
 * failing one fails the pod), then the other containers together; the pod Succeeds when every
 * container exits 0. Each container runs in the bubblewrap sandbox with the host's tools.
 */
export function runPod(options: PodRunOptions): PodRun {
  const { pod, podDir } = options;
  const identity = options.identity ?? sandboxIdentity();
  const processes = new Set<SandboxedProcess>();
  let killed = false;
  let network: PodNetwork | undefined;
  const now = (): Date => new Date();
  const status: V1PodStatus = {
    phase: 'Pending',
    hostIP: '127.0.0.1',
    podIP: '127.0.0.1',
    podIPs: [{ ip: '127.0.0.1' }],
    startTime: now(),
    conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: now() }],
    initContainerStatuses: (pod.spec?.initContainers ?? []).map(waiting),
    containerStatuses: (pod.spec?.containers ?? []).map(waiting),
  };

  const runContainer = async (container: V1Container, statuses: V1ContainerStatus[], volumes: Map<string, string>): Promise<number> => {
    const index = statuses.findIndex((s) => s.name === container.name);
    const set = (state: V1ContainerStatus): void => {
      statuses[index] = state;
    };
    const startedAt = now();
    let exitCode: number;
    let message: string | undefined;
    const networked = network !== undefined && options.network?.container === container.name;
    let failure: string | undefined;
    let closeTimes: (() => void) | undefined;
    try {
      const problem = networked && container.readinessProbe ? probeProblem(container.readinessProbe, container) : undefined;
      if (problem) throw new Error(problem);
      const argv = [...(options.imageCommands?.[container.image ?? ''] ?? []), ...(container.command ?? []), ...(container.args ?? [])];
      if (argv.length === 0) throw new Error(`container "${container.name}" has no command: images are not pulled here, so give it a command`);
      await ensureSubPaths(container, volumes, identity);
      // Skiff's copy of what the container printed, which may show its Secrets: for Skiff's user only.
      const log = createWriteStream(logPath(podDir, container.name), { flags: 'a', mode: 0o600 });
      // When each chunk came, beside the log, for logs --timestamps and --since (see log-times.ts).
      const times = new TimedLogWriter(logPath(podDir, container.name));
      const write = (chunk: Buffer | string): void => {
        times.note(chunk);
        log.write(chunk);
      };
      closeTimes = () => times.close();
      const process = startSandboxed({
        ...(options.sandboxTag ? { tag: options.sandboxTag } : {}),
        argv,
        env: await containerEnv(container, network ? { ...pod, status: { podIP: network.ip } } : pod, options.objects),
        hostNetwork: !networked && (pod.spec?.hostNetwork === true || options.hostNetwork?.(container) === true),
        identity,
        workingDir: container.workingDir,
        hostname: hostnameOf(pod.metadata?.name),
        mounts: containerMounts(container, volumes),
        onStdout: write,
        onStderr: write,
      });
      processes.add(process);
      // kill() may have come while this container was being set up: it must not outlive the pod.
      if (killed) process.kill('SIGKILL');
      set({ ...waiting(container), ready: !networked, started: true, state: { running: { startedAt } } });
      status.phase = 'Running';
      await options.report(status);
      const readiness = networked
        ? followReadiness(container, network!, {
            setReady: (ready) => {
              const current = statuses[index];
              if (!current?.state?.running || current.ready === ready) return;
              set({ ...current, ready });
              void options.report(status);
            },
            log: (line) => write(`${line}\n`),
            fail: (reason) => {
              failure = reason;
              process.kill('SIGKILL');
            },
          })
        : undefined;
      const exit = await process.exited;
      readiness?.stop();
      processes.delete(process);
      await new Promise<void>((resolve) => log.end(resolve));
      exitCode = exit.exitCode;
      if (exit.signal) message = `killed by ${exit.signal}`;
      if (failure) {
        exitCode = 128;
        message = failure;
      }
    } catch (error) {
      exitCode = 128;
      message = (error as Error).message;
    } finally {
      closeTimes?.();
    }
    set({
      ...waiting(container),
      ready: false,
      started: false,
      state: { terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', message, startedAt, finishedAt: now() } },
    });
    // Each container's end is news: the others of the pod may be waiting on it (a containerSet).
    await options.report(status);
    return exitCode;
  };

  const done = (async () => {
    await mkdir(join(podDir, 'logs'), { recursive: true });
    let failed = false;
    let reason: string | undefined;
    try {
      await options.report(status);
      if (options.network) {
        const own = pod.spec?.containers.find((c) => c.name === options.network!.container);
        network = await openPodNetwork({ relaySocket: options.network.relaySocket, ports: own ? podPorts(own) : [] });
        status.podIP = network.ip;
        status.podIPs = [{ ip: network.ip }];
      }
      const volumes = await materializeVolumes(pod, podDir, options.claimsDir, options.objects, identity);
      for (const container of pod.spec?.initContainers ?? []) {
        if (killed || (await runContainer(container, status.initContainerStatuses!, volumes)) !== 0) {
          failed = true;
          break;
        }
        await options.report(status);
      }
      if (!failed) {
        const codes = await Promise.all((pod.spec?.containers ?? []).map((c) => runContainer(c, status.containerStatuses!, volumes)));
        failed = killed || codes.some((code) => code !== 0);
      }
    } catch (error) {
      failed = true;
      reason = (error as Error).message;
    } finally {
      await network?.close();
      await removeSecretCopies(pod, podDir).catch(() => undefined);
    }
    status.phase = failed ? 'Failed' : 'Succeeded';
    if (reason) status.message = reason;
    status.conditions = [...(status.conditions ?? []), { type: 'Ready', status: 'False', reason: 'PodCompleted', lastTransitionTime: now() }];
    await options.report(status);
  })();

  return {
    kill() {
      killed = true;
      for (const process of processes) process.kill('SIGKILL');
    },
    done,
  };
}

function waiting(container: V1Container): V1ContainerStatus {
  return {
    name: container.name,
    image: container.image ?? '',
    imageID: '',
    ready: false,
    restartCount: 0,
    started: false,
    state: { waiting: { reason: 'PodInitializing' } },
  };
}

/**
 * As the kubelet does, a volume's subPath that does not exist yet is created as a directory, the
 * step's own as the volume is.
 */
async function ensureSubPaths(container: V1Container, volumes: Map<string, string>, identity: SandboxIdentity): Promise<void> {
  for (const mount of container.volumeMounts ?? []) {
    const root = volumes.get(mount.name);
    if (!mount.subPath || !root) continue;
    const path = join(root, mount.subPath);
    try {
      await lstat(path);
    } catch {
      await makeSandboxDir(path, identity);
    }
  }
}

/** As the kubelet: a pod's hostname is its name cut to 63 characters, without a trailing '-' or '.'. */
export function hostnameOf(podName: string | undefined): string | undefined {
  return podName?.slice(0, 63).replace(/[-.]+$/, '');
}
