// The test environment's real node: a kubelet and containerd on this machine run real containers for
// pods created through the real API server, from images built here without a registry, and stop()
// leaves the host as it was. Needs root (the e2e layer runs as root on these machines).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { CoreV1Api, KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { ensureKubeBinaries, REPO_ROOT, startKubeApiServer, type KubeEnv } from '../env/kube/index.js';
import { type HostState, NODE_LOCK_PATH, NODE_STATE_PATH, startKubeNode, type KubeNode } from '../env/kube-node/index.js';
import { acquireFileLock } from '../env/tools/file-lock.js';
import { runCommand } from '../env/tools/run-command.js';

const NAMESPACE = 'default';
const SYSCTLS = [
  'vm/overcommit_memory',
  'vm/panic_on_oom',
  'kernel/panic',
  'kernel/panic_on_oops',
  'kernel/keys/root_maxkeys',
  'kernel/keys/root_maxbytes',
  'net/ipv4/ip_forward',
];
const HOST_PATHS = [
  '/var/lib/kubelet',
  '/var/log/containers',
  '/var/log/pods',
  '/run/containerd',
  '/var/lib/cni',
  '/run/netns',
  '/etc/cni',
  '/sys/class/net/skiff-cni0',
];

function readSysctls(): Record<string, string> {
  return Object.fromEntries(SYSCTLS.map((name) => [name, readFileSync(`/proc/sys/${name}`, 'utf8').trim()]));
}

function kubepodsCgroups(): string[] {
  return readdirSync('/sys/fs/cgroup')
    .map((hierarchy) => join('/sys/fs/cgroup', hierarchy, 'kubepods'))
    .filter((path) => existsSync(path));
}

function mountPointsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((point) => point === dir || point.startsWith(`${dir}/`));
}

function processesMentioning(text: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((e) => /^\d+$/.test(e) && Number(e) !== process.pid)) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmdline.includes(text)) found.push(`${pid}: ${cmdline.replaceAll('\0', ' ')}`);
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

describe('real Kubernetes node (kubelet + containerd)', { skip: process.getuid?.() !== 0 ? 'needs root' : false }, () => {
  let kube: KubeEnv;
  let node: KubeNode;
  let core: CoreV1Api;
  const sysctlsBefore = readSysctls();
  const cgroupsBefore = kubepodsCgroups();
  const pathsBefore = HOST_PATHS.filter((p) => existsSync(p));

  before(async () => {
    kube = await startKubeApiServer({ realNode: true });
    const started = Date.now();
    node = await startKubeNode({ kube });
    console.log(`node ${node.nodeName} Ready in ${Date.now() - started} ms: ${JSON.stringify(node.timings)}`);
    const kc = new KubeConfig();
    kc.loadFromFile(node.kubeconfigPath);
    core = kc.makeApiClient(CoreV1Api);
  });

  after(async () => {
    await node?.stop();
    await kube?.stop();
  });

  function assertHostAsBefore(workDir: string): void {
    assert.deepEqual(processesMentioning(workDir), []);
    assert.deepEqual(mountPointsUnder(workDir), []);
    assert.equal(existsSync(workDir), false);
    assert.deepEqual(kubepodsCgroups(), cgroupsBefore);
    assert.deepEqual(readSysctls(), sysctlsBefore);
    assert.deepEqual(
      HOST_PATHS.filter((p) => existsSync(p)),
      pathsBefore,
    );
  }

  // Polls the pod until `done` says so; on timeout the assertion carries the pod's status and the node's logs.
  async function waitForPod(name: string, done: (pod: V1Pod) => boolean, timeoutMs = 90_000): Promise<V1Pod> {
    const deadline = Date.now() + timeoutMs;
    let pod = await core.readNamespacedPod({ name, namespace: NAMESPACE });
    while (!done(pod)) {
      if (Date.now() > deadline) assert.fail(`pod ${name} did not get there in ${timeoutMs} ms: ${JSON.stringify(pod.status)}\n${node.tailLogs(30)}`);
      await sleep(100);
      pod = await core.readNamespacedPod({ name, namespace: NAMESPACE });
    }
    return pod;
  }
  const finished = (pod: V1Pod): boolean => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

  test('runs an init container and a main container sharing an emptyDir; logs and the termination message reach the API', async () => {
    const created = Date.now();
    await core.createNamespacedPod({
      namespace: NAMESPACE,
      body: {
        metadata: { name: 'shared-dir' },
        spec: {
          nodeName: node.nodeName,
          restartPolicy: 'Never',
          volumes: [{ name: 'work', emptyDir: {} }],
          initContainers: [
            {
              name: 'init',
              image: node.images.busybox,
              command: ['sh', '-c', 'echo "from init $(hostname)" > /work/greeting'],
              volumeMounts: [{ name: 'work', mountPath: '/work' }],
            },
          ],
          containers: [
            {
              name: 'main',
              image: node.images.busybox,
              command: ['sh', '-c', 'cat /work/greeting; echo "main saw $(wc -l < /work/greeting) line"; echo all-done > /tmp/why'],
              terminationMessagePath: '/tmp/why',
              volumeMounts: [{ name: 'work', mountPath: '/work' }],
            },
          ],
        },
      },
    });
    const pod = await waitForPod('shared-dir', finished);
    console.log(`pod with an init container: create to ${pod.status?.phase} in ${Date.now() - created} ms`);
    assert.equal(pod.status?.phase, 'Succeeded', JSON.stringify(pod.status));
    // Not hostNetwork: the pod has its own address on the node's bridge.
    assert.ok(pod.status?.podIP?.startsWith(node.podNetwork.subnet.split('.').slice(0, 3).join('.')), `pod IP ${pod.status?.podIP}`);
    const log = await core.readNamespacedPodLog({ name: 'shared-dir', namespace: NAMESPACE, container: 'main' });
    assert.equal(log, 'from init shared-dir\nmain saw 1 line\n');
    const main = pod.status?.containerStatuses?.find((c) => c.name === 'main');
    assert.equal(main?.state?.terminated?.exitCode, 0);
    assert.equal(main?.state?.terminated?.message, 'all-done\n');
  });

  test('a failing container ends the pod Failed with its exit code', async () => {
    await core.createNamespacedPod({
      namespace: NAMESPACE,
      body: {
        metadata: { name: 'fails' },
        spec: {
          nodeName: node.nodeName,
          restartPolicy: 'Never',
          containers: [{ name: 'main', image: node.images.busybox, command: ['sh', '-c', 'echo broken >&2; exit 3'] }],
        },
      },
    });
    const pod = await waitForPod('fails', finished);
    assert.equal(pod.status?.phase, 'Failed');
    assert.equal(pod.status?.containerStatuses?.[0]?.state?.terminated?.exitCode, 3);
    assert.equal(await core.readNamespacedPodLog({ name: 'fails', namespace: NAMESPACE }), 'broken\n');
  });

  test('an image that is not on the node ends waiting with ErrImageNeverPull instead of hanging', async () => {
    await core.createNamespacedPod({
      namespace: NAMESPACE,
      body: {
        metadata: { name: 'no-image' },
        spec: { nodeName: node.nodeName, restartPolicy: 'Never', containers: [{ name: 'main', image: 'skiff.test/not-built:1', imagePullPolicy: 'Never' }] },
      },
    });
    const pod = await waitForPod('no-image', (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ErrImageNeverPull', 60_000);
    assert.match(pod.status?.containerStatuses?.[0]?.state?.waiting?.message ?? '', /skiff\.test\/not-built:1/);
    await core.deleteNamespacedPod({ name: 'no-image', namespace: NAMESPACE, gracePeriodSeconds: 0 });
  });

  test('Skiff’s own image runs `skiff version` (by its entrypoint and by `skiff` on PATH)', async () => {
    const version = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    await core.createNamespacedPod({
      namespace: NAMESPACE,
      body: {
        metadata: { name: 'skiff-version' },
        spec: {
          nodeName: node.nodeName,
          restartPolicy: 'Never',
          initContainers: [{ name: 'by-path', image: node.images.skiff, command: ['skiff', 'version'] }],
          containers: [{ name: 'by-entrypoint', image: node.images.skiff, args: ['version'] }],
        },
      },
    });
    const pod = await waitForPod('skiff-version', finished);
    assert.equal(pod.status?.phase, 'Succeeded', JSON.stringify(pod.status));
    for (const container of ['by-path', 'by-entrypoint']) {
      const log = await core.readNamespacedPodLog({ name: 'skiff-version', namespace: NAMESPACE, container });
      assert.ok(log.includes(version), `${container} printed ${JSON.stringify(log)}, not the version ${version}`);
    }
  });

  // Without credentials the API server answers 401, which proves that the connection worked and that
  // the serving certificate checks out against the cluster CA (mounted from a ConfigMap) at that address.
  async function podReachingApi(name: string, url: string, hostNetwork: boolean): Promise<string> {
    const script = `require('node:https').get(process.argv[1] + '/version', { ca: require('node:fs').readFileSync('/ca/ca.crt') }, (r) => { console.log('status', r.statusCode); process.exit(0); }).on('error', (e) => { console.log('error', e.message); process.exitCode = 1; })`;
    await core.createNamespacedConfigMap({
      namespace: NAMESPACE,
      body: { metadata: { name: `${name}-ca` }, data: { 'ca.crt': readFileSync(kube.caCertPath, 'utf8') } },
    });
    await core.createNamespacedPod({
      namespace: NAMESPACE,
      body: {
        metadata: { name },
        spec: {
          nodeName: node.nodeName,
          hostNetwork,
          restartPolicy: 'Never',
          volumes: [{ name: 'ca', configMap: { name: `${name}-ca` } }],
          containers: [{ name: 'main', image: node.images.skiff, command: ['node', '-e', script, url], volumeMounts: [{ name: 'ca', mountPath: '/ca' }] }],
        },
      },
    });
    await waitForPod(name, finished);
    return core.readNamespacedPodLog({ name, namespace: NAMESPACE });
  }

  test('a hostNetwork pod reaches the API server on 127.0.0.1, with TLS checked', async () => {
    assert.equal(await podReachingApi('reach-api-host', kube.server, true), 'status 401\n');
  });

  test('a pod on the bridge reaches the API server through apiServerForPods, with TLS checked', async () => {
    assert.match(node.apiServerForPods, new RegExp(`^https://${node.podNetwork.gateway.replaceAll('.', '\\.')}:\\d+$`));
    assert.equal(await podReachingApi('reach-api-bridge', node.apiServerForPods, false), 'status 401\n');
  });

  test('a projected service-account token from the pod authenticates it to the API server', async () => {
    await core.createNamespacedServiceAccount({ namespace: NAMESPACE, body: { metadata: { name: 'runner' } } });
    // The token authenticates (403 from RBAC, not 401): the user is the pod's service account.
    const script = `const fs = require('node:fs'); require('node:https').get(process.argv[1] + '/api/v1/namespaces/default/pods', { ca: fs.readFileSync('/ca/ca.crt'), headers: { authorization: 'Bearer ' + fs.readFileSync('/token/token', 'utf8') } }, (r) => { let b = ''; r.on('data', (c) => (b += c)); r.on('end', () => { console.log(r.statusCode, JSON.parse(b).message); process.exit(0); }); })`;
    await core.createNamespacedConfigMap({
      namespace: NAMESPACE,
      body: { metadata: { name: 'token-ca' }, data: { 'ca.crt': readFileSync(kube.caCertPath, 'utf8') } },
    });
    await core.createNamespacedPod({
      namespace: NAMESPACE,
      body: {
        metadata: { name: 'token' },
        spec: {
          nodeName: node.nodeName,
          serviceAccountName: 'runner',
          restartPolicy: 'Never',
          volumes: [
            { name: 'ca', configMap: { name: 'token-ca' } },
            { name: 'token', projected: { sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 600 } }] } },
          ],
          containers: [
            {
              name: 'main',
              image: node.images.skiff,
              command: ['node', '-e', script, node.apiServerForPods],
              volumeMounts: [
                { name: 'ca', mountPath: '/ca' },
                { name: 'token', mountPath: '/token' },
              ],
            },
          ],
        },
      },
    });
    const pod = await waitForPod('token', finished);
    const log = await core.readNamespacedPodLog({ name: 'token', namespace: NAMESPACE });
    assert.match(log, /^403 .*system:serviceaccount:default:runner/, JSON.stringify(pod.status));
  });

  test('kubectl from the same release shows the node Ready and the pods it ran', async () => {
    const { kubectl } = await ensureKubeBinaries();
    const kubectlOut = async (args: string[]): Promise<string> => {
      const result = await runCommand(kubectl, ['--kubeconfig', node.kubeconfigPath, ...args]);
      assert.equal(result.code, 0, result.stderr);
      return result.stdout;
    };
    assert.equal(await kubectlOut(['get', 'node', node.nodeName, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']), 'True');
    assert.match(await kubectlOut(['version', '-o', 'json']), /"gitVersion": "v1\.36\./);
    assert.match(await kubectlOut(['get', 'pods', '-n', NAMESPACE]), /shared-dir\s+0\/1\s+Completed/);
  });

  test('stop() leaves no process, mount, cgroup, bridge, host path or changed sysctl behind', async () => {
    // A pod still running at stop time must not survive it.
    await core.createNamespacedPod({
      namespace: NAMESPACE,
      body: {
        metadata: { name: 'sleeper' },
        spec: { nodeName: node.nodeName, restartPolicy: 'Never', containers: [{ name: 'main', image: node.images.busybox, command: ['sleep', '3600'] }] },
      },
    });
    await waitForPod('sleeper', (p) => p.status?.phase === 'Running');
    // The node did change the host while it ran.
    assert.ok(kubepodsCgroups().length > cgroupsBefore.length, 'the kubelet made kubepods cgroups');
    assert.ok(mountPointsUnder(node.workDir).length > 0, 'containers have mounts under the node directory');
    const stopped = Date.now();
    await node.stop();
    console.log(`node stopped in ${Date.now() - stopped} ms`);

    assertHostAsBefore(node.workDir);
  });

  test('a test process killed with SIGKILL while its node runs a pod leaves nothing behind', async (t) => {
    const holder = spawn(process.execPath, [join(REPO_ROOT, 'dist', 'test', 'env', 'kube-node', 'hold-kube-node.js')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    holder.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = once(holder, 'exit');
    const line = await Promise.race([
      once(holder.stdout, 'data').then(([chunk]) => String(chunk)),
      exited.then(([code]) => assert.fail(`the holder exited (${code}) before its pod ran:\n${stderr.slice(-3000)}`)),
    ]);
    const { workDir, kubeWorkDir } = JSON.parse(line) as { workDir: string; kubeWorkDir: string };
    // The killed process's API server dies with it (pdeathsig), but nothing removes its files.
    t.after(() => rm(kubeWorkDir, { recursive: true, force: true }));
    assert.ok(processesMentioning(workDir).length > 0, 'the held node runs');
    holder.kill('SIGKILL');
    await exited;
    // The node's watchdog holds the machine's node lock until it has restored the host.
    const lock = await acquireFileLock(NODE_LOCK_PATH, { timeoutMs: 60_000 });
    await lock.release();
    assertHostAsBefore(workDir);
  });

  test('a node that finds the state of an earlier, unrestored node restores it before it starts', async () => {
    // As if a node's test process and its watchdog had both been killed: a mount under its
    // directory, a changed sysctl, and the state file that says how things were.
    const staleDir = mkdtempSync('/tmp/skiff-node-stale-');
    await runCommand('mount', ['-t', 'tmpfs', 'tmpfs', staleDir]);
    const forward = '/proc/sys/net/ipv4/ip_forward';
    const stale: HostState = {
      workDir: staleDir,
      containerdSocket: join(staleDir, 'containerd.sock'),
      bridge: 'skiff-cni0',
      bridgeExisted: false,
      sysctls: { [forward]: readFileSync(forward, 'utf8').trim() },
      cgroupRootsWithoutKubepods: [],
      iptablesChains: {},
      fixedPaths: {},
    };
    writeFileSync(NODE_STATE_PATH, JSON.stringify(stale));
    writeFileSync(forward, stale.sysctls[forward] === '1' ? '0' : '1');
    await core.deleteCollectionNamespacedPod({ namespace: NAMESPACE, gracePeriodSeconds: 0 });

    const again = await startKubeNode({ kube });
    try {
      assert.equal(readFileSync(forward, 'utf8').trim(), stale.sysctls[forward]);
      assert.deepEqual(mountPointsUnder(staleDir), []);
      assert.equal(existsSync(staleDir), false);
    } finally {
      await again.stop();
    }
    assert.equal(existsSync(NODE_STATE_PATH), false);
    assertHostAsBefore(again.workDir);
  });
});
