// The cluster runtime on the real node: kube-apiserver, kubelet, containerd and runc, with the
// steps' and Skiff's own images, and MinIO as an artifact repository the pods reach over the pod
// bridge. What the node-agent tests cannot show: that a real kubelet runs Skiff's pods (init, main
// under the wrapper, wait reporting through its termination message, artifacts moved by the
// executor inside the pods, a claim's volume mounted by the kubelet).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
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
import { type ClaimBinder, type KubeNode, startClaimBinder, startKubeNode } from '../env/kube-node/index.js';
import { startMinio, type MinioServer } from '../env/minio/start-minio.js';
import { assertFullRun, fullRunWorkflow } from '../helpers/full-run-workflow.js';
import { createMinioRepository } from '../helpers/minio-repository.js';
import { join } from 'node:path';

const NS = 'real';
/** The namespace whose artifact repository is MinIO. */
const ARTIFACTS_NS = 'real-artifacts';

describe('the cluster runtime on a real node (kubelet + containerd)', { skip: process.getuid?.() !== 0 ? 'needs root' : false }, () => {
  let kube: KubeEnv;
  let node: KubeNode;
  let client: KubeConnection;
  let runtime: KubeRuntime;
  let minio: MinioServer;
  let binder: ClaimBinder;

  before(async () => {
    kube = await startKubeApiServer({ realNode: true, crdPaths: [join(REPO_ROOT, 'charts', 'skiff', 'crds')] });
    node = await startKubeNode({ kube });
    // Pods on the bridge reach the host only at its gateway address; this process reaches it too.
    minio = await startMinio({ host: node.podNetwork.gateway });
    binder = startClaimBinder({ kubeconfigPath: kube.kubeconfigPath, dir: join(node.workDir, 'volumes') });
    client = KubeConnection.load({ kubeconfigPath: kube.kubeconfigPath, env: {} });
    for (const namespace of [NS, ARTIFACTS_NS]) {
      await serverSideApply(client, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
      await client.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace } } as KubernetesObject);
    }
    await createMinioRepository(client, minio, ARTIFACTS_NS);
  });

  after(async () => {
    await runtime?.close();
    await binder?.close();
    await minio?.stop();
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

  test('steps, a DAG, a loop with fan-in, a script result, a retry and S3 artifacts run through real pods to Succeeded with the right outputs; the claim is made before the first pod and deleted after success', {
    timeout: 10 * 60_000,
  }, async () => {
    // The timeout only turns a hang into a failure: a pod whose claim is never bound stays Pending,
    // as in any cluster. What the runtime asks of the API server, in order: claims once created, pods as asked for, and
    // the run's phase as the cluster holds it when a claim is deleted.
    const order: string[] = [];
    const recording: KubeConnection = Object.create(client);
    recording.create = async (object, options) => {
      if (object.kind === 'Pod') order.push(`pod ${object.metadata.name}`);
      const created = await client.create(object, options);
      if (object.kind === 'PersistentVolumeClaim') order.push(`claim ${object.metadata.name}`);
      return created;
    };
    recording.delete = async (ref, options) => {
      if (ref.kind === 'PersistentVolumeClaim') {
        const run = await client.get<Workflow & { status?: { phase?: string } }>({
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Workflow',
          namespace: ARTIFACTS_NS,
          name: 'full',
        });
        order.push(`delete claim ${ref.name} (run ${run.status?.phase})`);
      }
      return client.delete(ref, options);
    };
    const fullRuntime = createKubeRuntime({ client: recording, executorImage: node.images.skiff, namespaces: [ARTIFACTS_NS] });
    const s3 = new S3Client(minio.s3Config());
    try {
      const driver = new RunDriver({ store: new KubeRunStore(client, { namespaces: [ARTIFACTS_NS] }), runtime: fullRuntime });
      const id = await driver.submit(fullRunWorkflow({ name: 'full', namespace: ARTIFACTS_NS, image: node.images.busybox, nodeName: node.nodeName }));
      const status = await driver.wait(id);
      const key = assertFullRun(status);

      // The executor in the pod uploaded the loop's first output to MinIO: a tar+gzip of the file.
      const stored = await s3.send(new GetObjectCommand({ Bucket: minio.bucket, Key: key }));
      const archive = Buffer.from(await stored.Body!.transformToByteArray());
      assert.equal(execFileSync('tar', ['-tzf', '-'], { input: archive, encoding: 'utf8' }), 'out\n');
      assert.equal(execFileSync('tar', ['-xzOf', '-', 'out'], { input: archive, encoding: 'utf8' }), '1\n');

      // The kubelet mounted the claim bound to its volume (the DAG's tasks read what gen wrote there).
      assert.deepEqual(binder.bound, [`${ARTIFACTS_NS}/full-work`], binder.lastError());
      const firstPod = order.findIndex((line) => line.startsWith('pod '));
      assert.equal(order.indexOf('claim full-work'), 0, order.join('\n'));
      assert.ok(firstPod > 0, order.join('\n'));
      // volumeClaimGC's default (OnWorkflowSuccess): deleted once the run is Succeeded. Deleted: gone,
      // or held by the pvc-protection finalizer that no controller-manager here removes.
      const deadline = Date.now() + 30_000;
      const claims = async () => (await client.list('v1', 'PersistentVolumeClaim', ARTIFACTS_NS)).items;
      while ((await claims()).some((c) => c.metadata.deletionTimestamp === undefined)) {
        if (Date.now() > deadline) assert.fail(`the claim is not deleted: ${order.join('\n')}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      assert.deepEqual(
        order.filter((line) => line.startsWith('delete ')),
        ['delete claim full-work (run Succeeded)'],
      );
    } finally {
      s3.destroy();
      await fullRuntime.close();
    }
  });
});
