import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { freePort } from '../tools/free-port.js';
import { compactEtcd } from './compact-etcd.js';
import { installCrds } from './install-crds.js';
import { ensureKubeBinaries, type KubeBinaries } from './kube-binaries.js';
import { writeKubeconfig } from './kubeconfig.js';
import { logTail, type ManagedProcess, startProcess } from '../managed-process.js';
import { issueClientCert, makeTlsAssets, SERVICE_CLUSTER_IP_RANGE, type TlsAssets } from './tls-assets.js';
import { httpsGet, waitForReady } from './wait-for-ready.js';
import { POD_NETWORK } from '../kube-node/node-config.js';

export interface KubeEnvOptions {
  /** CRD manifests (files or directories of *.yaml) to apply once the server is ready; it waits until each is Established. */
  readonly crdPaths?: readonly string[];
  /** Extra kube-apiserver flags, appended after ours (a later flag wins). */
  readonly extraApiServerArgs?: readonly string[];
  /** How long etcd plus kube-apiserver may take to become ready. Default 120 s (a cold start on a busy 2-core machine takes a few seconds). */
  readonly startTimeoutMs?: number;
  /** Keep the temporary directory (certificates, data, logs) after stop(). Also on with SKIFF_KEEP_KUBE_ENV=1. */
  readonly keepWorkDir?: boolean;
  /**
   * Make the server fit for a real node (test/env/kube-node/): it reaches kubelets by their host name
   * (mapped to 127.0.0.1) with a client certificate in system:masters, for pod logs and exec, and the
   * TaintNodesByCondition admission plugin is off, since no controller would ever lift the not-ready
   * taint it puts on a new Node. Its serving certificate is also valid for the node's pod gateway.
   */
  readonly realNode?: boolean;
  /**
   * Keep the ServiceAccount admission plugin on, as in every real cluster: it refuses a pod that
   * names a ServiceAccount that does not exist, and mounts a token volume in every pod (which needs
   * the namespace's ServiceAccount and its `kube-root-ca.crt` ConfigMap, made by no controller here:
   * the test creates them). Off by default, since no controller-manager makes `default` accounts.
   */
  readonly serviceAccountAdmission?: boolean;
}

export interface KubeEnv {
  /** A kubeconfig for an admin user (group system:masters), certificates embedded. */
  readonly kubeconfigPath: string;
  /** The apiserver's URL, https://127.0.0.1:PORT. */
  readonly server: string;
  /** The CA that signed the serving certificate, for clients that build their own TLS settings. */
  readonly caCertPath: string;
  /** The temporary directory that holds everything of this environment. */
  readonly workDir: string;
  /** Each server's combined stdout and stderr; kept while the environment runs. */
  readonly logs: { readonly etcd: string; readonly apiServer: string };
  /** Whether the server was started with `realNode`, so startKubeNode() can check. */
  readonly realNode: boolean;
  /** Milliseconds spent in each start phase, for the record. */
  readonly timings: { readonly certsMs: number; readonly readyMs: number; readonly crdsMs: number };
  /** A kubeconfig for another user and groups, for tests of what RBAC lets a non-admin do. */
  kubeconfigFor(user: string, groups?: readonly string[]): Promise<string>;
  /**
   * Compacts etcd up to its current revision, as the API server does every few minutes: every
   * resourceVersion before now is gone, so a list's continue token from before is answered 410 Gone.
   */
  compactStorage(): Promise<void>;
  /** The API server's /metrics text (Prometheus format), e.g. to count the requests it served. */
  metrics(): Promise<string>;
  /** The last lines of both servers' logs, to print when a test fails. */
  tailLogs(lines?: number): Promise<string>;
  /**
   * Stops kube-apiserver and starts it again on the same port with the same etcd (its data kept),
   * resolving once /readyz answers again: what a control-plane upgrade or crash looks like to clients.
   */
  restartApiServer(): Promise<void>;
  /**
   * Compacts etcd up to its current revision and returns it: a watch or list from any older
   * resourceVersion then gets 410 Gone, as after the API server's own periodic compaction.
   */
  compactEtcd(): Promise<number>;
  /** Ends both servers and removes the work directory; safe to call twice. */
  stop(): Promise<void>;
}

const API_SERVER_NAME = 'kube-apiserver';
const ETCD_NAME = 'etcd';

interface Ports {
  readonly apiServer: number;
  readonly etcdClient: number;
  readonly etcdPeer: number;
}

function etcdArgs(dir: string, tls: TlsAssets, ports: Ports): string[] {
  const client = `https://127.0.0.1:${ports.etcdClient}`;
  const peer = `https://127.0.0.1:${ports.etcdPeer}`;
  return [
    `--name=${ETCD_NAME}`,
    `--data-dir=${join(dir, 'etcd-data')}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    // A single member never talks to a peer, but etcd always opens the peer listener; TLS there too
    // so nothing on this machine listens in plain text.
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=${ETCD_NAME}=${peer}`,
    `--cert-file=${tls.serverCert}`,
    `--key-file=${tls.serverKey}`,
    `--trusted-ca-file=${tls.caCert}`,
    '--client-cert-auth',
    `--peer-cert-file=${tls.serverCert}`,
    `--peer-key-file=${tls.serverKey}`,
    `--peer-trusted-ca-file=${tls.caCert}`,
    '--peer-client-cert-auth',
    // The data is thrown away after the test; fsync would only slow every write.
    '--unsafe-no-fsync',
  ];
}

function apiServerArgs(dir: string, tls: TlsAssets, ports: Ports, options: KubeEnvOptions): string[] {
  return [
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${ports.apiServer}`,
    `--cert-dir=${join(dir, 'apiserver-certs')}`,
    `--tls-cert-file=${tls.serverCert}`,
    `--tls-private-key-file=${tls.serverKey}`,
    `--etcd-servers=https://127.0.0.1:${ports.etcdClient}`,
    `--etcd-cafile=${tls.caCert}`,
    `--etcd-certfile=${tls.adminCert}`,
    `--etcd-keyfile=${tls.adminKey}`,
    // Client certificates are the authentication: the CN is the user, each O a group.
    `--client-ca-file=${tls.caCert}`,
    // A request without credentials gets 401 instead of running as system:anonymous.
    '--anonymous-auth=false',
    // RBAC, as in a real cluster, so Skiff's chart's Roles can be tested for what they allow and
    // refuse; the admin user is in system:masters, which RBAC lets do everything.
    '--authorization-mode=RBAC',
    `--service-account-issuer=https://kubernetes.default.svc.cluster.local`,
    `--service-account-key-file=${tls.serviceAccountPub}`,
    `--service-account-signing-key-file=${tls.serviceAccountKey}`,
    `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`,
    // The `kubernetes` Service's endpoint would be 127.0.0.1, which the API refuses for Endpoints, so
    // the reconciler would log an error every few seconds and bury whatever a failing test needs.
    // No pod here reaches the apiserver through that Service anyway.
    '--endpoint-reconciler-type=none',
    // No kube-controller-manager runs, so nothing creates a namespace's `default` ServiceAccount, and
    // the ServiceAccount admission plugin would refuse every Pod that does not name an existing one.
    ...(options.serviceAccountAdmission ? [] : ['--disable-admission-plugins=ServiceAccount']),
  ];
}

async function realNodeArgs(dir: string, tls: TlsAssets, options: KubeEnvOptions): Promise<string[]> {
  const client = await issueClientCert(tls, dir, 'kubelet-client', 'kube-apiserver-kubelet-client', ['system:masters']);
  return [
    '--kubelet-preferred-address-types=Hostname,InternalIP',
    `--kubelet-client-certificate=${client.cert}`,
    `--kubelet-client-key=${client.key}`,
    `--disable-admission-plugins=${options.serviceAccountAdmission ? '' : 'ServiceAccount,'}TaintNodesByCondition`,
  ];
}

interface Started {
  etcd: ManagedProcess;
  apiServer: ManagedProcess;
  server: string;
  /** Starts another kube-apiserver on the same port and etcd, once the last one has ended. */
  relaunch(): Promise<ManagedProcess>;
  /** Compacts etcd's history to its current revision. */
  compact(): Promise<number>;
}

async function startOnce(bins: KubeBinaries, dir: string, tls: TlsAssets, options: KubeEnvOptions): Promise<Started> {
  const ports: Ports = { apiServer: await freePort(), etcdClient: await freePort(), etcdPeer: await freePort() };
  await rm(join(dir, 'etcd-data'), { recursive: true, force: true });
  const [ca, cert, key] = await Promise.all([readFile(tls.caCert), readFile(tls.adminCert), readFile(tls.adminKey)]);
  const exitOf = (p: ManagedProcess): Promise<string> => p.exited.then(({ code, signal }) => `${p.name} exited (code ${code}, signal ${signal})`);
  const deadlineMs = options.startTimeoutMs ?? 120_000;
  const started = Date.now();
  const etcd = startProcess({ name: ETCD_NAME, command: bins.etcd, args: etcdArgs(dir, tls, ports), logPath: join(dir, 'etcd.log') });
  let apiServer: ManagedProcess | undefined;
  try {
    // The apiserver would retry its storage until etcd answers, but it logs a dial error for every
    // try; waiting here keeps its log readable and names the server that failed.
    await waitForReady(`https://127.0.0.1:${ports.etcdClient}/health`, { ca, cert, key }, { deadlineMs, abort: exitOf(etcd) });
    const args = [
      ...apiServerArgs(dir, tls, ports, options),
      ...(options.realNode ? await realNodeArgs(dir, tls, options) : []),
      ...(options.extraApiServerArgs ?? []),
    ];
    const launch = (): ManagedProcess => startProcess({ name: API_SERVER_NAME, command: bins.kubeApiServer, args, logPath: join(dir, 'kube-apiserver.log') });
    const server = `https://127.0.0.1:${ports.apiServer}`;
    const ready = (process: ManagedProcess, since: number): Promise<void> =>
      waitForReady(
        `${server}/readyz`,
        { ca, cert, key },
        { deadlineMs: Math.max(1, deadlineMs - (Date.now() - since)), abort: Promise.race([exitOf(etcd), exitOf(process)]) },
      );
    apiServer = launch();
    await ready(apiServer, started);
    const relaunch = async (): Promise<ManagedProcess> => {
      const next = launch();
      try {
        await ready(next, Date.now());
      } catch (error) {
        await next.stop();
        throw error;
      }
      return next;
    };
    const compact = (): Promise<number> => compactEtcd(`https://127.0.0.1:${ports.etcdClient}`, { ca, cert, key });
    return { etcd, apiServer, server, relaunch, compact };
  } catch (error) {
    await apiServer?.stop();
    await etcd.stop();
    throw error;
  }
}

async function logsMention(paths: readonly string[], text: string): Promise<boolean> {
  for (const path of paths) {
    if ((await readFile(path, 'utf8').catch(() => '')).includes(text)) return true;
  }
  return false;
}

/**
 * Starts etcd and a real kube-apiserver on free 127.0.0.1 ports, TLS everywhere, and resolves once
 * /readyz answers 200 (and the given CRDs are Established).
 *
 * @example
 *   const kube = await startKubeApiServer({ crdPaths: [join(REPO_ROOT, 'charts/skiff/crds')] });
 *   after(() => kube.stop());
 *   const kc = new KubeConfig(); kc.loadFromFile(kube.kubeconfigPath);
 */
export async function startKubeApiServer(options: KubeEnvOptions = {}): Promise<KubeEnv> {
  const bins = await ensureKubeBinaries();
  const started = Date.now();
  const dir = await mkdtemp(join(tmpdir(), 'skiff-kube-'));
  const keep = options.keepWorkDir === true || process.env.SKIFF_KEEP_KUBE_ENV === '1';
  const logs = { etcd: join(dir, 'etcd.log'), apiServer: join(dir, 'kube-apiserver.log') };
  const tailLogs = async (lines = 40): Promise<string> =>
    `--- ${logs.etcd} (last ${lines} lines)\n${logTail(logs.etcd, lines)}\n` + `--- ${logs.apiServer} (last ${lines} lines)\n${logTail(logs.apiServer, lines)}`;

  let processes: Started | undefined;
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    // The apiserver first, so it does not log a burst of storage errors for a vanished etcd.
    if (processes) await processes.apiServer.stop();
    if (processes) await processes.etcd.stop();
    if (!keep) await rm(dir, { recursive: true, force: true });
  };

  try {
    // Pods on the real node's bridge reach the server through a relay on the bridge's gateway address.
    const tls = await makeTlsAssets(dir, options.realNode ? [POD_NETWORK.gateway] : []);
    const certsMs = Date.now() - started;
    // Ports are only reserved by probing, so another process can take one first; try again then.
    for (let attempt = 1; processes === undefined; attempt++) {
      try {
        processes = await startOnce(bins, dir, tls, options);
      } catch (error) {
        const portTaken = await logsMention([logs.etcd, logs.apiServer], 'address already in use');
        if (!portTaken || attempt >= 3) {
          throw new Error(`${(error as Error).message}\n${await tailLogs()}`, { cause: error });
        }
      }
    }
    const readyMs = Date.now() - started - certsMs;
    const kubeconfigPath = join(dir, 'kubeconfig');
    await writeKubeconfig(kubeconfigPath, processes.server, {
      caCert: tls.caCert,
      clientCert: tls.adminCert,
      clientKey: tls.adminKey,
    });
    const crdsStart = Date.now();
    if (options.crdPaths && options.crdPaths.length > 0) {
      const kc = new KubeConfig();
      kc.loadFromFile(kubeconfigPath);
      await installCrds(kc, options.crdPaths);
    }
    const crdsMs = Date.now() - crdsStart;
    const server = processes.server;
    const usersDir = join(dir, 'users');
    return {
      kubeconfigPath,
      server,
      caCertPath: tls.caCert,
      workDir: dir,
      logs,
      realNode: options.realNode === true,
      timings: { certsMs, readyMs, crdsMs },
      async kubeconfigFor(user, groups = []) {
        await mkdir(usersDir, { recursive: true });
        const safe = user.replace(/[^A-Za-z0-9._-]/g, '_');
        const { cert, key } = await issueClientCert(tls, usersDir, safe, user, groups);
        const path = join(usersDir, `${safe}.kubeconfig`);
        await writeKubeconfig(path, server, { caCert: tls.caCert, clientCert: cert, clientKey: key }, user);
        return path;
      },
      async compactStorage() {
        await processes!.compact();
      },
      async metrics() {
        const tlsFiles = { ca: await readFile(tls.caCert), cert: await readFile(tls.adminCert), key: await readFile(tls.adminKey) };
        const { status, body } = await httpsGet(`${server}/metrics`, tlsFiles, 10_000);
        if (status !== 200) throw new Error(`/metrics answered ${status}: ${body.slice(0, 200)}`);
        return body;
      },
      tailLogs,
      compactEtcd: () => processes!.compact(),
      async restartApiServer() {
        const running = processes!;
        await running.apiServer.stop();
        running.apiServer = await running.relaunch();
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
