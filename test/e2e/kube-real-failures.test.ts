// The cluster runtime on the real node when things go wrong: bad input ends its node with a message
// a person can act on (never a hung run), and a run survives its API server restarting and its pod
// watch expiring (410 Gone) without any step running twice.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import type { WorkflowStatus } from '../../src/engine/workflow-status.js';
import type { KubeClient, WatchHandle } from '../../src/kube/kube-client.js';
import { KubeConnection } from '../../src/kube/kube-connection.js';
import { KubeRunStore } from '../../src/kube/kube-run-store.js';
import { serverSideApply } from '../../src/kube/server-side-apply.js';
import { RunDriver } from '../../src/runs/run-driver.js';
import { createKubeRuntime, type KubeRuntime } from '../../src/runtime/cluster/kube-runtime.js';
import type { KubernetesObject } from '../../src/spec/model/kubernetes.js';
import type { Workflow } from '../../src/spec/model/workflow.js';
import { type KubeEnv, REPO_ROOT, startKubeApiServer } from '../env/kube/index.js';
import { type KubeNode, startKubeNode } from '../env/kube-node/index.js';

const NS = 'failing';
const KUBECTL = join(REPO_ROOT, '.cache', 'bin', 'kubectl');
const run = promisify(execFile);

/**
 * The real client, with two hooks a test needs: every pod it creates is counted by name, and
 * `expirePodWatch()` ends the pod watch and makes the next one start from the first version, which
 * the server (with etcd compacted by the test) answers with a real 410 Gone.
 */
function instrumented(client: KubeClient): { client: KubeClient; podsCreated: Map<string, number>; expirePodWatch(): boolean } {
  const podsCreated = new Map<string, number>();
  let podWatch: { handle: WatchHandle; onEnd: (error?: never) => void } | undefined;
  let expireNext = false;
  const wrapped: KubeClient = Object.create(client);
  wrapped.create = async (object, options) => {
    const created = await client.create(object, options);
    if (object.kind === 'Pod') {
      const key = `${object.metadata.labels?.['workflows.argoproj.io/workflow']}/${object.metadata.name}`;
      podsCreated.set(key, (podsCreated.get(key) ?? 0) + 1);
    }
    return created;
  };
  wrapped.watch = async (apiVersion, kind, namespace, options, onEvent, onEnd) => {
    if (kind !== 'Pod') return client.watch(apiVersion, kind, namespace, options, onEvent, onEnd);
    const from = expireNext ? { ...options, resourceVersion: '1' } : options;
    expireNext = false;
    const handle = await client.watch(apiVersion, kind, namespace, from, onEvent, onEnd);
    podWatch = { handle, onEnd };
    return handle;
  };
  return {
    client: wrapped,
    podsCreated,
    expirePodWatch() {
      if (!podWatch) return false;
      const { handle, onEnd } = podWatch;
      podWatch = undefined;
      expireNext = true;
      handle.close();
      // As if the server had closed the stream: the watcher watches again from its last version.
      onEnd();
      return true;
    },
  };
}

async function kubectl(kube: KubeEnv, ...args: string[]): Promise<string> {
  const { stdout } = await run(KUBECTL, ['--kubeconfig', kube.kubeconfigPath, ...args]);
  return stdout;
}

function workflow(yaml: string): Workflow {
  return parse(yaml) as Workflow;
}

function describeNodes(status: WorkflowStatus): string {
  return JSON.stringify(Object.values(status.nodes).map((n) => [n.displayName, n.phase, n.message]));
}

function podMessages(status: WorkflowStatus): string {
  return Object.values(status.nodes)
    .filter((n) => n.type === 'Pod')
    .map((n) => n.message ?? '')
    .join('\n');
}

describe('the cluster runtime on a real node, when things go wrong', { skip: process.getuid?.() !== 0 ? 'needs root' : false }, () => {
  let kube: KubeEnv;
  let node: KubeNode;
  let connection: KubeConnection;
  let hooks: ReturnType<typeof instrumented>;
  let runtime: KubeRuntime;
  let driver: RunDriver;
  const warnings: string[] = [];

  before(async () => {
    kube = await startKubeApiServer({
      realNode: true,
      crdPaths: [join(REPO_ROOT, 'charts', 'skiff', 'crds')],
      // The ServiceAccount admission plugin back on, as in every real cluster: it refuses a pod that
      // names a missing ServiceAccount, and mounts a token (with the kube-root-ca.crt ConfigMap) in each.
      serviceAccountAdmission: true,
      // Pod watches served by etcd rather than the API server's watch cache, so that compacting etcd
      // makes an old version answer 410 Gone at once (a watch cache forgets a version only once
      // enough later events have pushed it out, which a test cannot time).
      extraApiServerArgs: ['--watch-cache-sizes=pods#0'],
    });
    node = await startKubeNode({ kube });
    connection = KubeConnection.load({ kubeconfigPath: kube.kubeconfigPath, env: {} });
    await serverSideApply(connection, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    await connection.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: NS } } as KubernetesObject);
    // What kube-controller-manager's root-ca-cert-publisher would create in each namespace.
    await connection.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'kube-root-ca.crt', namespace: NS },
      data: { 'ca.crt': await import('node:fs/promises').then((fs) => fs.readFile(kube.caCertPath, 'utf8')) },
    } as KubernetesObject);
    hooks = instrumented(connection);
    runtime = createKubeRuntime({
      client: hooks.client,
      executorImage: node.images.skiff,
      namespaces: [NS],
      stuckAfterMs: 5000,
      warn: (message) => warnings.push(message),
    });
    driver = new RunDriver({ store: new KubeRunStore(hooks.client, { namespaces: [NS] }), runtime });
  });

  after(async () => {
    await runtime?.close();
    await node?.stop();
    await kube?.stop();
  });

  const header = (name: string): string => `
metadata: {name: ${name}, namespace: ${NS}, labels: {workflows.argoproj.io/controller-instanceid: skiff}}
spec:
  entrypoint: main
  podSpecPatch: '{"nodeName": "${node.nodeName}"}'`;

  test('bad input ends each node with a message saying what is wrong: a missing ServiceAccount, images that never pull, no artifact repository', async () => {
    const runs = {
      account: workflow(`${header('no-account')}
  serviceAccountName: nobody-made-me
  templates:
  - name: main
    container: {image: ${node.images.busybox}, command: ["true"]}
`),
      neverPull: workflow(`${header('never-pull')}
  templates:
  - name: main
    container: {image: skiff.test/not-on-this-node:1.0, imagePullPolicy: Never, command: ["true"]}
`),
      unreachable: workflow(`${header('unreachable-registry')}
  templates:
  - name: main
    container: {image: 127.0.0.1:1/nothing/here:1.0, imagePullPolicy: IfNotPresent, command: ["true"]}
`),
      noRepository: workflow(`${header('no-repository')}
  templates:
  - name: main
    container: {image: ${node.images.busybox}, command: [sh, -c, "echo hi > /tmp/out"]}
    outputs: {artifacts: [{name: out, path: /tmp/out}]}
`),
    };
    const ids = Object.fromEntries(await Promise.all(Object.entries(runs).map(async ([k, wf]) => [k, await driver.submit(wf)] as const)));
    const ended = Object.fromEntries(await Promise.all(Object.entries(ids).map(async ([k, id]) => [k, await driver.wait(id)] as const)));

    for (const [name, status] of Object.entries(ended)) {
      assert.notEqual(status.phase, 'Succeeded', `${name}: ${describeNodes(status)}`);
      assert.notEqual(status.phase, 'Running', `${name}: ${describeNodes(status)}`);
    }
    assert.match(podMessages(ended.account!), /serviceaccount "nobody-made-me" not found/i, describeNodes(ended.account!));
    assert.match(podMessages(ended.account!), /serviceAccountName "nobody-made-me" names no ServiceAccount in namespace "failing"; create it/);
    assert.match(podMessages(ended.neverPull!), /ErrImageNeverPull/, describeNodes(ended.neverPull!));
    assert.match(podMessages(ended.neverPull!), /skiff\.test\/not-on-this-node:1\.0/);
    assert.match(podMessages(ended.unreachable!), /(ErrImagePull|ImagePullBackOff).*\(for 5s\)/s, describeNodes(ended.unreachable!));
    assert.match(podMessages(ended.unreachable!), /127\.0\.0\.1:1\/nothing\/here:1\.0/);
    assert.match(podMessages(ended.noRepository!), new RegExp(`${NS}/artifact-repositories`), describeNodes(ended.noRepository!));
    assert.match(podMessages(ended.noRepository!), /create ConfigMap artifact-repositories in namespace "failing"/);
    // A pod that could never start is not left behind.
    for (const name of ['never-pull', 'unreachable-registry']) {
      const left = await connection.list('v1', 'Pod', NS, { labelSelector: `workflows.argoproj.io/workflow=${name}` });
      assert.deepEqual(
        left.items.filter((p) => !p.metadata.deletionTimestamp).map((p) => p.metadata.name),
        [],
        `${name} left its pod`,
      );
    }
  });

  test('a pod deleted by someone else (kubectl delete) or evicted (the Eviction API, as a drain does) mid-run ends its node saying which', async () => {
    const sleeper = (name: string): Workflow =>
      workflow(`${header(name)}
  templates:
  - name: main
    container: {image: ${node.images.busybox}, command: [sleep, "300"]}
`);
    const [deletedId, evictedId] = await Promise.all([driver.submit(sleeper('deleted-pod')), driver.submit(sleeper('evicted-pod'))]);
    const [deletedPod, evictedPod] = await Promise.all([runningPodOf('deleted-pod'), runningPodOf('evicted-pod')]);
    await kubectl(kube, 'delete', 'pod', '-n', NS, deletedPod, '--wait=false');
    const kc = new KubeConfig();
    kc.loadFromFile(kube.kubeconfigPath);
    await kc.makeApiClient(CoreV1Api).createNamespacedPodEviction({
      name: evictedPod,
      namespace: NS,
      body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: evictedPod, namespace: NS } },
    });
    const [deleted, evicted] = await Promise.all([driver.wait(deletedId), driver.wait(evictedId)]);
    assert.equal(deleted.phase, 'Error', describeNodes(deleted));
    assert.match(podMessages(deleted), /deleted before it finished \(by something other than Skiff\)/, describeNodes(deleted));
    assert.equal(evicted.phase, 'Error', describeNodes(evicted));
    assert.match(podMessages(evicted), /was evicted through the Eviction API .* before it finished/, describeNodes(evicted));
  });

  test('a run survives its API server restarting mid-run: it finishes, and no step runs twice', async () => {
    const id = await driver.submit(
      workflow(`${header('restarted-api')}
  templates:
  - name: main
    steps:
    - - {name: one, template: nap}
    - - {name: two, template: nap}
    - - {name: three, template: nap}
  - name: nap
    script: {image: ${node.images.busybox}, command: [sh], source: "sleep 3; echo rested"}
`),
    );
    await runningPodOf('restarted-api');
    const before = warnings.length;
    await kube.restartApiServer();
    // The restart happened mid-run: the run is still going, and the runtime saw its watch break.
    const mid = await connection.get<Workflow>({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', namespace: NS, name: 'restarted-api' });
    assert.equal(mid.status?.phase, 'Running');
    const status = await driver.wait(id);
    assert.equal(status.phase, 'Succeeded', describeNodes(status));
    assert.match(warnings.slice(before).join('\n'), /watching pods: /, 'the pod watch broke with the server');
    assertEachPodCreatedOnce('restarted-api', status, 3);
  });

  test('a run survives a 410 Gone on the pod watch: the runtime lists again, the run finishes, no step runs twice', async (t) => {
    const before = warnings.length;
    const id = await driver.submit(
      workflow(`${header('gone-watch')}
  templates:
  - name: main
    steps:
    - - {name: one, template: nap}
    - - {name: two, template: nap}
  - name: nap
    script: {image: ${node.images.busybox}, command: [sh], source: "sleep 3; echo rested"}
`),
    );
    await runningPodOf('gone-watch');
    // History before now is gone from etcd: a watch from an old version gets 410 Gone.
    await kube.compactEtcd();
    assert.ok(hooks.expirePodWatch(), 'the runtime watches pods');
    const status = await driver.wait(id);
    assert.equal(status.phase, 'Succeeded', describeNodes(status));
    // The server answered the expired watch with 410, and the runtime said so before it relisted.
    const seen = warnings.slice(before).join('\n');
    t.diagnostic(seen);
    assert.match(seen, /watching pods: .*(410|Gone|too old)/i, warnings.join('\n'));
    assertEachPodCreatedOnce('gone-watch', status, 2);
  });

  function assertEachPodCreatedOnce(workflowName: string, status: WorkflowStatus, expected: number): void {
    const pods = Object.values(status.nodes).filter((n) => n.type === 'Pod');
    assert.equal(pods.length, expected, describeNodes(status));
    const names = [...hooks.podsCreated.keys()].filter((key) => key.startsWith(`${workflowName}/`));
    assert.equal(names.length, expected, `pods created: ${JSON.stringify([...hooks.podsCreated])}`);
    for (const name of names) assert.equal(hooks.podsCreated.get(name), 1, `pod ${name} created ${hooks.podsCreated.get(name)} times`);
  }

  /** The name of the run's first pod, once its main container runs. */
  async function runningPodOf(workflowName: string): Promise<string> {
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      const pods = await connection.list<KubernetesObject & { status?: { containerStatuses?: Array<{ name: string; state?: { running?: unknown } }> } }>(
        'v1',
        'Pod',
        NS,
        { labelSelector: `workflows.argoproj.io/workflow=${workflowName}` },
      );
      const running = pods.items.find((p) => p.status?.containerStatuses?.some((c) => c.name === 'main' && c.state?.running));
      if (running) return running.metadata.name!;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`no pod of ${workflowName} ran within 90 s:\n${await node.tailLogs()}`);
  }
});
