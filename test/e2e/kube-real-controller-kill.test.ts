// `skiff controller` as real processes against kube-apiserver and a real node (kubelet +
// containerd): SIGKILLed at six awkward points of a 20-pod run and started again each time, and
// as two replicas whose leader is SIGKILLed mid-run. Kill points are picked from the controller's
// log lines and the cluster's state (a frozen controller, SIGSTOP, where "after X, before Y" must
// hold), never from sleeps. The run finishes with the right outputs, each
// step's pod is created exactly once (counted by uid with a pod watch of the test's own, from
// before the run exists), and every pod ends owned by the Workflow and named in its status.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { parse } from 'yaml';
import type { NodeStatus } from '../../src/engine/workflow-status.js';
import { KubeConnection } from '../../src/kube/kube-connection.js';
import { NODE_ID_ANNOTATION, NODE_NAME_ANNOTATION, WORKFLOW_LABEL } from '../../src/kube/kube-names.js';
import { KubeRunStore } from '../../src/kube/kube-run-store.js';
import { serverSideApply } from '../../src/kube/server-side-apply.js';
import { WatchObjects } from '../../src/kube/watch-objects.js';
import type { KubernetesObject } from '../../src/spec/model/kubernetes.js';
import type { Workflow } from '../../src/spec/model/workflow.js';
import { type KubeEnv, REPO_ROOT, startKubeApiServer } from '../env/kube/index.js';
import { type KubeNode, startKubeNode } from '../env/kube-node/index.js';
import { ControllerProcess, killControllerProcesses } from '../helpers/controller-process.js';
import { untilWithin } from '../helpers/until.js';

// A short lease, so a restarted or surviving controller takes over within seconds.
const LEASE = ['--lease-duration', '2s', '--renew-deadline', '1500ms', '--retry-period', '500ms'];

type Pod = V1Pod & KubernetesObject;

/**
 * A run of `chain` steps one after the other (each adds one to the last's result), a fan-out of
 * `fan` parallel pods (each multiplies the chain's result by its item), a fan-in summing them, and
 * a steps template with a step, three parallel ones and three more: chain + fan + 8 pods. With
 * `chain: 4, fan: 8`, 20 pods.
 */
function mixedRun(namespace: string, name: string, node: KubeNode, shape: { chain: number; fan: number }): Workflow {
  const chain = Array.from({ length: shape.chain }, (_, i) => ({
    name: `c${i + 1}`,
    template: 'add',
    ...(i > 0 ? { depends: `c${i}` } : {}),
    arguments: { parameters: [{ name: 'n', value: i === 0 ? '1' : `{{tasks.c${i}.outputs.result}}` }] },
  }));
  const items = Array.from({ length: shape.fan }, (_, i) => i + 1);
  return parse(`
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: ${name}, namespace: ${namespace}, labels: {workflows.argoproj.io/controller-instanceid: skiff}}
spec:
  entrypoint: main
  # No scheduler runs in the test environment: the pods name their node.
  podSpecPatch: '{"nodeName": "${node.nodeName}"}'
  templates:
  - name: main
    dag:
      tasks:
${chain.map((task) => `      - ${JSON.stringify(task)}`).join('\n')}
      - {name: fan, template: times, depends: c${shape.chain}, withItems: ${JSON.stringify(items)},
         arguments: {parameters: [{name: n, value: "{{tasks.c${shape.chain}.outputs.result}}"}, {name: by, value: "{{item}}"}]}}
      - {name: gather, template: sum, depends: fan, arguments: {parameters: [{name: values, value: "{{tasks.fan.outputs.result}}"}]}}
      - {name: tail, template: tail, depends: gather, arguments: {parameters: [{name: n, value: "{{tasks.gather.outputs.result}}"}]}}
  - name: tail
    inputs: {parameters: [{name: n}]}
    steps:
    - - {name: s1, template: add, arguments: {parameters: [{name: n, value: "{{inputs.parameters.n}}"}]}}
    - - {name: p, template: add, withItems: [1, 2, 3], arguments: {parameters: [{name: n, value: "{{steps.s1.outputs.result}}"}, {name: by, value: "{{item}}"}]}}
    - - {name: s3, template: sum, arguments: {parameters: [{name: values, value: "{{steps.p.outputs.result}}"}]}}
    - - {name: s4, template: add, arguments: {parameters: [{name: n, value: "{{steps.s3.outputs.result}}"}]}}
    - - {name: last, template: add, arguments: {parameters: [{name: n, value: "{{steps.s4.outputs.result}}"}]}}
  - name: add
    inputs: {parameters: [{name: n}, {name: by, value: "1"}]}
    container: {image: ${node.images.busybox}, command: [sh, -c, "sleep 1; echo $(({{inputs.parameters.n}} + {{inputs.parameters.by}}))"]}
  - name: times
    inputs: {parameters: [{name: n}, {name: by}]}
    container: {image: ${node.images.busybox}, command: [sh, -c, "echo $(({{inputs.parameters.n}} * {{inputs.parameters.by}}))"]}
  - name: sum
    inputs: {parameters: [{name: values}]}
    container: {image: ${node.images.busybox}, command: [sh, -c, "echo '{{inputs.parameters.values}}' | tr -c '0-9' ' ' | awk '{s = 0; for (i = 1; i <= NF; i++) s += $i; print s}'"]}
`) as Workflow;
}

/** The results each step of mixedRun must end with, by display name. */
function expectedResults(shape: { chain: number; fan: number }): Record<string, string> {
  const chained = shape.chain + 1;
  const gathered = (chained * shape.fan * (shape.fan + 1)) / 2;
  const s3 = 3 * (gathered + 1) + 6;
  return {
    [`c${shape.chain}`]: String(chained),
    gather: String(gathered),
    s1: String(gathered + 1),
    s3: String(s3),
    last: String(s3 + 2),
  };
}

const podCount = (shape: { chain: number; fan: number }) => shape.chain + shape.fan + 8;

const until = untilWithin({ timeoutMs: 120_000, pollMs: 25 });

/** A run of the test: its namespace, its name, and the `run "NAME" in namespace "NS"` of the controller's lines. */
interface RunRef {
  namespace: string;
  name: string;
  said: string;
}

const runRef = (namespace: string, name: string): RunRef => ({ namespace, name, said: `run "${name}" in namespace "${namespace}"` });

describe('skiff controller as processes on a real node: SIGKILLed and restarted, and as two replicas', {
  skip: process.getuid?.() !== 0 ? 'needs root' : false,
}, () => {
  let kube: KubeEnv;
  let node: KubeNode;
  let client: KubeConnection;
  /** Every pod seen, by namespace/name: the uids it has had (one per creation), and its latest copy. */
  const uids = new Map<string, Set<string>>();
  const pods = new Map<string, Pod>();
  let podWatch: WatchObjects<Pod>;

  before(async () => {
    kube = await startKubeApiServer({ realNode: true, crdPaths: [join(REPO_ROOT, 'charts', 'skiff', 'crds')] });
    node = await startKubeNode({ kube });
    client = KubeConnection.load({ kubeconfigPath: kube.kubeconfigPath, env: {} });
    for (const name of ['restarted', 'replicas']) {
      await serverSideApply(client, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
      await client.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: name } } as KubernetesObject);
    }
    // The test's own watch of every pod, from before any run exists: each creation is a new uid.
    podWatch = new WatchObjects<Pod>(client, {
      apiVersion: 'v1',
      kind: 'Pod',
      onEvent: ({ object }) => {
        const key = `${object.metadata.namespace}/${object.metadata.name}`;
        if (!uids.has(key)) uids.set(key, new Set());
        if (object.metadata.uid) uids.get(key)!.add(object.metadata.uid);
        pods.set(key, object);
      },
    });
    await podWatch.start();
  });

  after(async () => {
    await killControllerProcesses();
    podWatch?.close();
    await node?.stop();
    await kube?.stop();
  });

  /** A controller process of one namespace, with the short lease; `extra` adds or overrides options. */
  function controller(namespace: string, name: string, ...extra: string[]): ControllerProcess {
    return new ControllerProcess(name, ['--kubeconfig', kube.kubeconfigPath, '-n', namespace, '--executor-image', node.images.skiff, ...LEASE, ...extra]);
  }

  const keyOf = (pod: Pod) => `${pod.metadata.namespace}/${pod.metadata.name}`;
  const runPods = (run: RunRef) => [...pods.values()].filter((p) => p.metadata.namespace === run.namespace && p.metadata.labels?.[WORKFLOW_LABEL] === run.name);
  const nodeNameOf = (pod: Pod) => pod.metadata.annotations?.[NODE_NAME_ANNOTATION] ?? '';
  /** The step a pod is of, as its node's name says after the run's (`c2`, `fan(0:1)`, `tail[1].p(0:1)`). */
  const stepOf = (run: RunRef, pod: Pod) => nodeNameOf(pod).slice(run.name.length + 1);
  const podsOf = (run: RunRef, step: RegExp) => runPods(run).filter((p) => step.test(stepOf(run, p)));
  const readWorkflow = (run: RunRef) =>
    client.get<Workflow>({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', namespace: run.namespace, name: run.name });

  /**
   * What must hold once the run has finished, whatever happened to its controllers: Succeeded with
   * the right results; every pod created exactly once (one uid per name, from the test's own
   * watch); every pod owned by the Workflow, ended, and the pod of a Pod node of its status; and
   * every Pod node with its pod.
   */
  async function assertFinishedOnce(run: RunRef, shape: { chain: number; fan: number }, log: () => string): Promise<void> {
    const phase = await until(`${run.name} to finish`, async () => {
      const now = ((await readWorkflow(run)).status as { phase?: string } | undefined)?.phase;
      return now === 'Succeeded' || now === 'Failed' || now === 'Error' ? now : undefined;
    });
    const stored = await new KubeRunStore(client, { namespaces: [run.namespace] }).peek(`${run.namespace}/${run.name}`);
    assert.ok(stored, `${run.name} is in the cluster`);
    const nodes = Object.values(stored.status.nodes);
    const detail = `${JSON.stringify(nodes.map((n) => [n.displayName, n.phase, n.message]))}\n${log()}`;
    assert.equal(phase, 'Succeeded', detail);
    const resultOf = (name: string) => nodes.find((n) => n.displayName === name && n.type === 'Pod')?.outputs?.result;
    for (const [step, result] of Object.entries(expectedResults(shape))) assert.equal(resultOf(step), result, `${step}'s result\n${detail}`);

    const workflow = await readWorkflow(run);
    // The watch may lag the status a little: wait until it shows every pod ended.
    await until(
      `the pods of ${run.name} to be seen ended`,
      () => runPods(run).every((p) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed'),
      30_000,
    );
    const mine = runPods(run);
    const podNodes = new Map<string, NodeStatus>(nodes.filter((n) => n.type === 'Pod').map((n) => [n.id, n]));
    assert.equal(podNodes.size, podCount(shape), detail);
    assert.equal(mine.length, podCount(shape), `pods: ${mine.map(nodeNameOf).join(' ')}`);
    const creations = (pod: Pod) => uids.get(keyOf(pod))?.size ?? 0;
    const createdTwice = mine.filter((p) => creations(p) !== 1).map((p) => `${nodeNameOf(p)} (${creations(p)} creations)`);
    assert.deepEqual(createdTwice, [], 'every pod is created exactly once');
    for (const pod of mine) {
      const owners = pod.metadata.ownerReferences ?? [];
      assert.ok(
        owners.some((o) => o.kind === 'Workflow' && o.name === run.name && o.uid === workflow.metadata.uid),
        `${pod.metadata.name} is owned by the Workflow: ${JSON.stringify(owners)}`,
      );
      assert.equal(pod.status?.phase, 'Succeeded', `${pod.metadata.name} (${nodeNameOf(pod)})`);
      const nodeId = pod.metadata.annotations?.[NODE_ID_ANNOTATION] ?? '';
      assert.ok(podNodes.has(nodeId), `${pod.metadata.name} belongs to a Pod node of the status (node id ${nodeId})`);
      assert.equal(podNodes.get(nodeId)!.name, nodeNameOf(pod));
      podNodes.delete(nodeId);
    }
    assert.deepEqual(
      [...podNodes.values()].map((n) => n.name),
      [],
      'every Pod node has its pod',
    );
  }

  test('SIGKILLed as it takes the run up, once its first pod exists, while a pod runs, after a pod ended before its successor exists, mid fan-out, and after the last pod ended: the run finishes, each pod created once', async () => {
    const run = runRef('restarted', 'killed-run');
    const shape = { chain: 4, fan: 8 };
    const controllers: ControllerProcess[] = [];
    const start = (name: string, ...extra: string[]) => {
      const started = controller(run.namespace, name, '--lease-name', 'restarted', ...extra);
      controllers.push(started);
      return started;
    };
    const log = () => controllers.map((c) => c.log()).join('\n');
    const points: string[] = [];
    // "started" when nothing of the run was saved yet, "continued" after.
    const takenUp = new RegExp(`${run.said} (started|continued)`);
    try {
      // 1. Killed just after it took the run up: before or while it creates the first pod.
      const first = start('first');
      await first.line(/ leads: driving namespace "restarted"/);
      await client.create(mixedRun(run.namespace, run.name, node, shape));
      await first.line(new RegExp(`${run.said} started`));
      await first.kill();
      points.push(`took the run up (pods then: ${runPods(run).length})`);

      // 2. Killed once the run's first pod exists (whichever of the two created it).
      const second = start('second');
      await second.line(takenUp);
      await until('the first pod', () => runPods(run).length > 0);
      await second.kill();
      points.push(`first pod created (pods then: ${runPods(run).length})`);

      // 3. Killed while a pod of the run runs.
      const third = start('third');
      await third.line(takenUp);
      const running = await until('a pod of the run to run', () => runPods(run).find((p) => p.status?.phase === 'Running'));
      await third.kill();
      points.push(`pod ${stepOf(run, running)} running`);

      // 4. A pod of the chain ended, its successor not created: the controller is frozen while the
      // pod's main container runs (its `sleep 1` first, so the controller cannot have seen the pod
      // end), and killed once the pod has ended.
      const fourth = start('fourth');
      await fourth.line(takenUp);
      const link = await until('a chain pod to run', () =>
        runPods(run).find((p) => /^c\d+$/.test(stepOf(run, p)) && p.status?.containerStatuses?.some((c) => c.name === 'main' && c.state?.running)),
      );
      fourth.freeze();
      const linkStep = Number(stepOf(run, link).slice(1));
      const next = linkStep < shape.chain ? `c${linkStep + 1}` : 'fan';
      await until(`${stepOf(run, link)} to end`, () => pods.get(keyOf(link))?.status?.phase === 'Succeeded');
      assert.deepEqual(podsOf(run, new RegExp(`^${next}($|\\()`)).map(nodeNameOf), [], `no pod of ${next} yet`);
      await fourth.kill();
      points.push(`pod ${stepOf(run, link)} ended, ${next} not created`);

      // 5. Killed in the middle of creating the fan-out: its requests spaced out by a low rate
      // limit (and a longer lease, whose renewals the limit then leaves room for), killed as soon
      // as the first fan-out pod exists.
      const fifth = start('fifth', '--qps', '10', '--burst', '1', '--lease-duration', '4s', '--renew-deadline', '3s', '--retry-period', '1s');
      await fifth.line(takenUp);
      await until('the first fan-out pod', () => podsOf(run, /^fan\(/).length > 0);
      await fifth.kill();
      // A request already sent when the process died may still land: count once the server is done.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const fanned = podsOf(run, /^fan\(/).length;
      assert.ok(fanned > 0 && fanned < shape.fan, `killed mid fan-out: ${fanned} of ${shape.fan} fan-out pods created\n${log()}`);
      points.push(`fan-out ${fanned} of ${shape.fan} pods created`);

      // 6. Killed once the run's last pod has ended, before the run is recorded finished: frozen
      // while that pod's main container runs, killed once the pod has ended.
      const sixth = start('sixth');
      await sixth.line(takenUp);
      // The sixth drives the fan-out, the fan-in and the steps before it: on a busy machine, a while.
      const final = await until(
        'the last pod to run',
        () => podsOf(run, /\.last$/).find((p) => p.status?.containerStatuses?.some((c) => c.name === 'main' && c.state?.running)),
        240_000,
      );
      sixth.freeze();
      await until('the last pod to end', () => pods.get(keyOf(final))?.status?.phase === 'Succeeded');
      assert.equal(((await readWorkflow(run)).status as { phase?: string } | undefined)?.phase, 'Running');
      await sixth.kill();
      points.push('the last pod ended, the run not finished');
      console.log(`killed: ${points.join('; ')}`);

      // The last controller finishes the run, then stops (releasing the lease).
      const last = start('last');
      await assertFinishedOnce(run, shape, log);
      assert.deepEqual(await last.stop(), { code: 0, signal: null }, last.log());
      for (const killed of [first, second, third, fourth, fifth, sixth]) assert.equal((await killed.exited).signal, 'SIGKILL');
    } finally {
      await Promise.all(controllers.map((c) => c.kill()));
    }
  });

  test('two replicas: the leader SIGKILLed mid-run, the other takes over and finishes the run, each pod created once', async () => {
    const run = runRef('replicas', 'handed-over');
    const shape = { chain: 2, fan: 4 };
    // replica-b starts only once replica-a leads: started together, either may create the Lease first.
    const a = controller(run.namespace, 'replica-a', '--lease-name', 'replicas');
    let b: ControllerProcess | undefined;
    const log = () => `${a.log()}\n${b?.log() ?? ''}`;
    try {
      await a.line(/ leads: driving namespace "replicas"/);
      b = controller(run.namespace, 'replica-b', '--lease-name', 'replicas');
      await b.line(/skiff controller .* started: waiting for the lease/);
      await client.create(mixedRun(run.namespace, run.name, node, shape));
      await until('the fan-out to run', () => podsOf(run, /^fan\(/).some((p) => p.status?.phase === 'Running'));
      assert.equal(
        b.lines.some((l) => / leads:/.test(l.text)),
        false,
        `replica-b does not lead while replica-a does\n${log()}`,
      );
      const killedAt = Date.now();
      await a.kill();
      const leads = await b.line(/ leads: driving namespace "replicas"/, 30_000);
      const continued = await b.line(new RegExp(`${run.said} continued`), 30_000);
      console.log(
        `replica-b leads ${leads.at - killedAt} ms after replica-a was killed, and continued the run after ${continued.at - killedAt} ms (lease 2 s)`,
      );
      assert.ok(leads.at - killedAt < 30_000, 'replica-b took over');
      // The Lease says so too, with the duration the option gave.
      const identityOf = async (replica: ControllerProcess) =>
        (await replica.line(/skiff controller (\S+) started/)).text.match(/skiff controller (\S+) started/)![1];
      const lease = await client.get<KubernetesObject & { spec?: { holderIdentity?: string; leaseDurationSeconds?: number; leaseTransitions?: number } }>({
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        namespace: client.namespace,
        name: 'replicas',
      });
      assert.equal(lease.spec?.holderIdentity, await identityOf(b));
      assert.equal(lease.spec?.leaseDurationSeconds, 2);
      assert.equal(lease.spec?.leaseTransitions, 1, `replica-a's lease went to replica-b: ${JSON.stringify(lease.spec)}`);
      await assertFinishedOnce(run, shape, log);
      assert.deepEqual(await b.stop(), { code: 0, signal: null }, b.log());
    } finally {
      await Promise.all([a.kill(), b?.kill()]);
    }
  });
});
