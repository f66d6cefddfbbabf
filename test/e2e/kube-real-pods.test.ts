// The cluster runtime on the real node: kube-apiserver, kubelet, containerd and runc, with the
// steps' and Skiff's own images. What the node-agent tests cannot show: that a real kubelet runs
// Skiff's pods (init, main under the wrapper, wait reporting through its termination message).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { KubeConnection } from '../../src/kube/kube-connection.js';
import { KubeRunStore } from '../../src/kube/kube-run-store.js';
import { serverSideApply } from '../../src/kube/server-side-apply.js';
import { RunDriver } from '../../src/runs/run-driver.js';
import { startController } from '../../src/controller/start-controller.js';
import { createKubeRuntime, type KubeRuntime } from '../../src/runtime/cluster/kube-runtime.js';
import type { KubernetesObject } from '../../src/spec/model/kubernetes.js';
import type { Workflow } from '../../src/spec/model/workflow.js';
import { type KubeEnv, REPO_ROOT, startKubeApiServer } from '../env/kube/index.js';
import { type KubeNode, startKubeNode } from '../env/kube-node/index.js';
import { join } from 'node:path';

const NS = 'real';

describe('the cluster runtime on a real node (kubelet + containerd)', { skip: process.getuid?.() !== 0 ? 'needs root' : false }, () => {
  let kube: KubeEnv;
  let node: KubeNode;
  let client: KubeConnection;
  let runtime: KubeRuntime;

  before(async () => {
    kube = await startKubeApiServer({ realNode: true, crdPaths: [join(REPO_ROOT, 'charts', 'skiff', 'crds')] });
    node = await startKubeNode({ kube });
    client = KubeConnection.load({ kubeconfigPath: kube.kubeconfigPath, env: {} });
    await serverSideApply(client, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    await client.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: NS } } as KubernetesObject);
  });

  after(async () => {
    await runtime?.close();
    await node?.stop();
    await kube?.stop();
  });

  test('steps with a script result and an output parameter run as real pods to Succeeded; a failing step fails the run with its exit code', async () => {
    runtime = createKubeRuntime({ client, executorImage: node.images.skiff, namespaces: [NS] });
    const driver = new RunDriver({ store: new KubeRunStore(client, { namespaces: [NS] }), runtime });
    const workflow = parse(`
metadata: {name: chain, namespace: ${NS}, labels: {workflows.argoproj.io/controller-instanceid: skiff}}
spec:
  entrypoint: main
  # No scheduler runs in the test environment: the pods name their node.
  podSpecPatch: '{"nodeName": "${node.nodeName}"}'
  templates:
  - name: main
    steps:
    - - {name: count, template: count}
    - - {name: say, template: say, arguments: {parameters: [{name: n, value: "{{steps.count.outputs.result}}"}]}}
  - name: count
    script: {image: ${node.images.busybox}, command: [sh], source: "echo 3"}
  - name: say
    inputs: {parameters: [{name: n}]}
    container: {image: ${node.images.busybox}, command: [sh, -c, "echo -n said-{{inputs.parameters.n}} > /tmp/said"]}
    outputs: {parameters: [{name: said, valueFrom: {path: /tmp/said}}]}
`) as Workflow;
    const id = await driver.submit(workflow);
    const status = await driver.wait(id);
    const nodes = Object.values(status.nodes);
    const detail = JSON.stringify(nodes.map((n) => [n.displayName, n.phase, n.message]));
    assert.equal(status.phase, 'Succeeded', detail);
    assert.equal(nodes.find((n) => n.displayName === 'count')?.outputs?.result, '3');
    assert.equal(nodes.find((n) => n.displayName === 'say')?.outputs?.parameters?.[0]?.value, 'said-3');

    const failing = parse(`
metadata: {name: broken, namespace: ${NS}, labels: {workflows.argoproj.io/controller-instanceid: skiff}}
spec:
  entrypoint: main
  podSpecPatch: '{"nodeName": "${node.nodeName}"}'
  templates:
  - name: main
    container: {image: ${node.images.busybox}, command: [sh, -c, "echo going down; exit 7"]}
`) as Workflow;
    const failed = await driver.wait(await driver.submit(failing));
    assert.equal(failed.phase, 'Failed');
    assert.match(JSON.stringify(Object.values(failed.nodes).map((n) => n.message)), /exit code 7/);
  });

  test('the controller drives a Workflow created as kubectl would, through real pods, to Succeeded, with its status in the Workflow', async () => {
    const controllerRuntime = createKubeRuntime({ client, executorImage: node.images.skiff, namespaces: [NS] });
    const lines: string[] = [];
    const controller = startController({
      connection: client,
      runtime: controllerRuntime,
      namespace: NS,
      identity: 'real-node-test',
      leaseNamespace: NS,
      log: (l) => lines.push(l),
    });
    try {
      await client.create({
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Workflow',
        metadata: { name: 'by-kubectl', namespace: NS, labels: { 'workflows.argoproj.io/controller-instanceid': 'skiff' } },
        spec: {
          entrypoint: 'main',
          podSpecPatch: JSON.stringify({ nodeName: node.nodeName }),
          templates: [{ name: 'main', script: { image: node.images.busybox, command: ['sh'], source: 'echo from-a-real-pod' } }],
        },
      } as KubernetesObject);
      const deadline = Date.now() + 120_000;
      let phase: string | undefined;
      while (Date.now() < deadline) {
        const wf = await client.get<KubernetesObject & { status?: { phase?: string } }>({
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Workflow',
          namespace: NS,
          name: 'by-kubectl',
        });
        phase = wf.status?.phase;
        if (phase === 'Succeeded' || phase === 'Failed' || phase === 'Error') break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      assert.equal(phase, 'Succeeded', lines.join('\n'));
      const run = await new KubeRunStore(client, { namespaces: [NS] }).peek(`${NS}/by-kubectl`);
      assert.equal(Object.values(run!.status.nodes).find((n) => n.type === 'Pod')?.outputs?.result, 'from-a-real-pod');
    } finally {
      await controller.close();
      await controllerRuntime.close();
    }
  });
});
