import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, openSync, closeSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { lookup } from 'node:dns/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { buildNodeImages, type NodeImages } from '../images/node-images.js';
import { ensureKubeBinaries, REPO_ROOT } from '../kube/kube-binaries.js';
import type { KubeEnv } from '../kube/start-kube-api-server.js';
import { logTail, type ManagedProcess, startProcess, waitUntil } from '../managed-process.js';
import { freePort } from '../tools/free-port.js';
import { type CommandResult, runCommand } from '../tools/run-command.js';
import { createBridge, startTcpRelay, type TcpRelay } from './api-relay.js';
import { type HostState, recordHostState, restoreHost } from './host-state.js';
import { cniConfig, containerdConfig, kubeletConfig, nodePaths, POD_NETWORK, type NodePaths } from './node-config.js';

export interface KubeNodeOptions {
  /** A running API server from startKubeApiServer({ realNode: true }). */
  readonly kube: KubeEnv;
  /** How long containerd plus the kubelet may take until the Node is Ready. Default 120 s. */
  readonly startTimeoutMs?: number;
  /** How long to wait for another test's node on this machine to stop. Default 15 minutes. */
  readonly lockTimeoutMs?: number;
}

export interface KubeNode {
  /** The Node's name (a host name that resolves to 127.0.0.1); pods go here by `spec.nodeName`. */
  readonly nodeName: string;
  /** The API server's admin kubeconfig (the same file as `kube.kubeconfigPath`). */
  readonly kubeconfigPath: string;
  /** Image references every pod can use (imported, so any pull policy but Always works). */
  readonly images: { readonly busybox: string; readonly pause: string; readonly skiff: string };
  /** The bridge network of pods without hostNetwork; hostNetwork pods share the host's loopback. */
  readonly podNetwork: { readonly subnet: string; readonly gateway: string };
  /**
   * The API server as pods on the bridge reach it: `https://<gateway>:<relay port>` (the serving
   * certificate is valid for the gateway address). hostNetwork pods can use `kube.server` itself.
   * No Service routes here (no kube-proxy): in-pod clients need this URL, not `kubernetes.default`.
   */
  readonly apiServerForPods: string;
  /** The node's directory (containerd, kubelet, pod logs); gone after stop(). */
  readonly workDir: string;
  readonly logs: { readonly containerd: string; readonly kubelet: string };
  /** Milliseconds per start phase. */
  readonly timings: { readonly prepareMs: number; readonly containerdMs: number; readonly importMs: number; readonly kubeletReadyMs: number };
  /** Imports an image archive (OCI layout or docker-archive tar) into the node's containerd. */
  importImage(archivePath: string): Promise<void>;
  /** Runs `ctr` against the node's containerd in the `k8s.io` namespace (the kubelet's). */
  ctr(args: readonly string[]): Promise<CommandResult>;
  /** The last lines of the containerd and kubelet logs, for a failure message. */
  tailLogs(lines?: number): string;
  /** Stops everything and restores the host; throws if something could not be restored. Idempotent. */
  stop(): Promise<void>;
}

// One node per machine: the kubelet and the bridge use fixed host paths and names, so the lock and
// the state file live in /run, shared by every checkout and test run on the machine.
export const NODE_LOCK_PATH = '/run/lock/skiff-kube-node.lock';
/** What the running node changed on the host; present after a node that could not restore it all. */
export const NODE_STATE_PATH = '/run/skiff-kube-node/host-state.json';
const LOCK_PATH = NODE_LOCK_PATH;
const STATE_PATH = NODE_STATE_PATH;
const WATCHDOG = join(dirname(fileURLToPath(import.meta.url)), 'node-watchdog.js');

async function ctrIn(socket: string, args: readonly string[], timeoutMs = 120_000): Promise<CommandResult> {
  return runCommand('ctr', ['--address', socket, '--namespace', 'k8s.io', ...args], { timeoutMs });
}

async function ensureNodePackages(): Promise<void> {
  const installer = join(REPO_ROOT, 'test', 'env', 'install-node.sh');
  const result = await runCommand('bash', [installer], { timeoutMs: 15 * 60_000 });
  if (result.code !== 0) throw new Error(`${installer} exited with ${result.code}:\n${result.stderr}`);
}

/**
 * The kubelet refuses a loopback node address, yet the API server must reach it on loopback: the
 * node is named by a host name that resolves to 127.0.0.1, and the API server (realNode) prefers the
 * Hostname address. This machine's own name when /etc/hosts maps it so, else `localhost`.
 */
async function loopbackHostName(): Promise<string> {
  const own = hostname().toLowerCase();
  const resolved = await lookup(own, { family: 4 }).catch(() => undefined);
  return resolved?.address === '127.0.0.1' && /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(own) ? own : 'localhost';
}

/** The watchdog, started under flock: resolves once it holds the machine's node lock. */
async function startWatchdog(logPath: string, timeoutMs: number): Promise<{ release(clean: boolean): Promise<void> }> {
  await mkdir(dirname(STATE_PATH), { recursive: true });
  const log = openSync(logPath, 'a');
  const child = spawn('flock', ['--exclusive', LOCK_PATH, process.execPath, WATCHDOG, STATE_PATH], { detached: true, stdio: ['pipe', 'pipe', log] });
  closeSync(log);
  child.unref();
  const { stdin, stdout } = child;
  if (!stdin || !stdout) throw new Error('the node watchdog has no stdin or stdout pipe');
  const ready = once(stdout, 'data');
  const exited = once(child, 'exit');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  const first = await Promise.race([ready.then(() => 'ready' as const), exited.then(() => 'exited' as const), timedOut]);
  clearTimeout(timer);
  if (first === 'timeout') {
    child.kill('SIGKILL');
    throw new Error(`waited ${timeoutMs} ms for ${LOCK_PATH}: another test file or run on this machine has a node running (one node per machine)`);
  }
  if (first === 'exited') throw new Error(`the node watchdog exited before taking ${LOCK_PATH}: ${logTail(logPath, 20)}`);
  for (const stream of [stdin, stdout]) (stream as unknown as { unref(): void }).unref();
  return {
    async release(clean) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.ref();
      stdin.end(clean ? 'clean\n' : '');
      await exited;
    },
  };
}

async function nodeReady(kube: KubeEnv, name: string): Promise<boolean> {
  const kc = new KubeConfig();
  kc.loadFromFile(kube.kubeconfigPath);
  const node = await kc.makeApiClient(CoreV1Api).readNode({ name });
  return (node.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

async function writeConfigs(paths: NodePaths, images: NodeImages, kube: KubeEnv, ports: { kubelet: number; healthz: number }): Promise<void> {
  await mkdir(paths.cniConfDir, { recursive: true });
  await writeFile(paths.containerdConfig, containerdConfig(paths, images.pause.name));
  await writeFile(join(paths.cniConfDir, '10-skiff-test.conflist'), cniConfig(paths));
  await writeFile(paths.kubeletConfig, kubeletConfig({ paths, port: ports.kubelet, healthzPort: ports.healthz, clientCaFile: kube.caCertPath }));
}

/**
 * Starts a real Kubernetes node for `kube`: containerd and a kubelet on this machine, with the test
 * images imported, resolving once the Node is Ready. Needs root. Waits while another test file's node
 * runs (one per machine). stop() removes every trace: processes, mounts, cgroups, iptables chains, the
 * bridge, sysctls and files; the host is restored even if the test process dies without stop().
 *
 * @example
 *   const kube = await startKubeApiServer({ realNode: true });
 *   const node = await startKubeNode({ kube });
 *   after(async () => { await node.stop(); await kube.stop(); });
 *   // a pod: { spec: { nodeName: node.nodeName, containers: [{ name: 'c', image: node.images.busybox, command: ['true'] }] } }
 */
export async function startKubeNode(options: KubeNodeOptions): Promise<KubeNode> {
  const { kube } = options;
  if (process.getuid?.() !== 0) throw new Error('startKubeNode needs root (containerd, runc and the kubelet mount, create cgroups and namespaces)');
  if (!kube.realNode) throw new Error('startKubeNode needs an API server started with startKubeApiServer({ realNode: true })');
  const started = Date.now();
  const [bins, images] = await Promise.all([ensureKubeBinaries(), ensureNodePackages().then(buildNodeImages)]);
  const nodeName = await loopbackHostName();

  const watchdogLog = join(kube.workDir, 'node-watchdog.log');
  const watchdog = await startWatchdog(watchdogLog, options.lockTimeoutMs ?? 15 * 60_000);
  // A previous node whose test process and watchdog were both killed left its state behind.
  if (existsSync(STATE_PATH)) {
    const stale = JSON.parse(await readFile(STATE_PATH, 'utf8')) as HostState;
    const problems = await restoreHost(stale);
    if (problems.length > 0) {
      await watchdog.release(true);
      throw new Error(`an earlier test node left the host changed, and restoring it failed:\n${problems.join('\n')}\n(state in ${STATE_PATH})`);
    }
    await rm(STATE_PATH, { force: true });
  }
  const prepareMs = Date.now() - started;

  const paths = nodePaths(await mkdtemp('/tmp/skiff-node-'));
  const state = await recordHostState(paths.workDir, paths.containerdSocket, POD_NETWORK.bridge);
  await writeFile(`${STATE_PATH}.tmp`, JSON.stringify(state));
  await rename(`${STATE_PATH}.tmp`, STATE_PATH);
  const logs = { containerd: join(paths.workDir, 'containerd.log'), kubelet: join(paths.workDir, 'kubelet.log') };
  const tailLogs = (lines = 40): string =>
    `--- ${logs.containerd} (last ${lines} lines)\n${logTail(logs.containerd, lines)}\n--- ${logs.kubelet} (last ${lines} lines)\n${logTail(logs.kubelet, lines)}`;

  let containerd: ManagedProcess | undefined;
  let kubelet: ManagedProcess | undefined;
  let relay: TcpRelay | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      // The kubelet first, or it would restart the containers about to be killed.
      await kubelet?.stop();
      if (containerd?.isRunning()) {
        const tasks = await ctrIn(paths.containerdSocket, ['tasks', 'list', '--quiet'], 10_000).catch(() => undefined);
        const ids = (tasks?.stdout ?? '').split('\n').filter(Boolean);
        await Promise.all(ids.map((id) => ctrIn(paths.containerdSocket, ['tasks', 'kill', '--all', '--signal', 'SIGKILL', id], 10_000).catch(() => undefined)));
        await Promise.all(ids.map((id) => ctrIn(paths.containerdSocket, ['tasks', 'delete', '--force', id], 10_000).catch(() => undefined)));
      }
      await containerd?.stop();
      await relay?.close();
      // Whatever is left (shims, mounts, cgroups, sysctls, ...) is swept by the same code the watchdog runs.
      const problems = await restoreHost(state);
      if (problems.length === 0) await rm(STATE_PATH, { force: true });
      await watchdog.release(problems.length === 0);
      if (problems.length > 0) throw new Error(`the test node could not restore the host:\n${problems.join('\n')}`);
    })();
    return stopping;
  };

  try {
    const ports = { kubelet: await freePort(), healthz: await freePort() };
    await writeConfigs(paths, images, kube, ports);
    const deadline = options.startTimeoutMs ?? 120_000;
    await createBridge(POD_NETWORK.bridge, POD_NETWORK.gateway, Number(POD_NETWORK.subnet.split('/')[1]));
    const api = new URL(kube.server);
    relay = await startTcpRelay(POD_NETWORK.gateway, { host: api.hostname, port: Number(api.port) });

    // containerd's root on a tmpfs: importing and unpacking Skiff's image writes it twice, which a
    // busy disk makes the slowest part of a start; stop() unmounts it with everything under workDir.
    await mkdir(paths.containerdRoot, { recursive: true });
    await runCommand('mount', ['-t', 'tmpfs', '-o', 'mode=0700,size=8g', 'tmpfs', paths.containerdRoot]);
    const containerdStart = Date.now();
    containerd = startProcess({ name: 'containerd', command: 'containerd', args: ['--config', paths.containerdConfig], logPath: logs.containerd });
    await waitUntil(async () => (await ctrIn(paths.containerdSocket, ['version'], 5000)).code === 0, {
      proc: containerd,
      timeoutMs: deadline,
      what: 'containerd to answer',
    });
    const containerdMs = Date.now() - containerdStart;

    const importStart = Date.now();
    const importImage = async (archivePath: string): Promise<void> => {
      const result = await ctrIn(paths.containerdSocket, ['images', 'import', '--snapshotter', 'overlayfs', archivePath], 300_000);
      if (result.code !== 0) throw new Error(`ctr images import ${archivePath} failed (exit ${result.code}): ${result.stderr}`);
    };
    await Promise.all([images.pause, images.busybox, images.skiff].map((image) => importImage(image.archive)));
    const importMs = Date.now() - importStart;

    const kubeletStart = Date.now();
    const kubeletKubeconfig = await kube.kubeconfigFor(`system:node:${nodeName}`, ['system:nodes', 'system:masters']);
    kubelet = startProcess({
      name: 'kubelet',
      command: bins.kubelet,
      args: [
        `--config=${paths.kubeletConfig}`,
        `--kubeconfig=${kubeletKubeconfig}`,
        `--root-dir=${paths.kubeletRoot}`,
        `--cert-dir=${join(paths.kubeletRoot, 'pki')}`,
        `--hostname-override=${nodeName}`,
        '--v=2',
      ],
      logPath: logs.kubelet,
    });
    await waitUntil(() => nodeReady(kube, nodeName), { proc: kubelet, timeoutMs: deadline, intervalMs: 200, what: `Node ${nodeName} to be Ready` });
    const kubeletReadyMs = Date.now() - kubeletStart;

    return {
      nodeName,
      kubeconfigPath: kube.kubeconfigPath,
      images: { busybox: images.busybox.name, pause: images.pause.name, skiff: images.skiff.name },
      podNetwork: { subnet: POD_NETWORK.subnet, gateway: POD_NETWORK.gateway },
      apiServerForPods: `https://${POD_NETWORK.gateway}:${relay.port}`,
      workDir: paths.workDir,
      logs,
      timings: { prepareMs, containerdMs, importMs, kubeletReadyMs },
      importImage,
      ctr: (args) => ctrIn(paths.containerdSocket, args),
      tailLogs,
      stop,
    };
  } catch (error) {
    const detail = `${(error as Error).message}\n${tailLogs()}`;
    await stop().catch((e: Error) => process.stderr.write(`${e.message}\n`));
    throw new Error(detail, { cause: error });
  }
}
