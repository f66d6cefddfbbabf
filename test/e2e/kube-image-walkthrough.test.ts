// README's "Run on Kubernetes" walkthrough on the real node (kubelet + containerd): the image
// `npm run image` writes is imported into the node's containerd, `helm install` puts the chart (with
// the controller on, pointed at that image) into an RBAC-enabled API server, the controller runs as
// a pod with the chart's ServiceAccount and in-cluster config, the namespace gets an artifact
// repository (MinIO) with the README's kubectl commands, and `skiff submit --kubeconfig --wait` of a
// two-step workflow passing an artifact ends Succeeded through real step pods that controller creates.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { KubeConnection } from '../../src/kube/kube-connection.js';
import type { KubernetesObject } from '../../src/spec/model/kubernetes.js';
import { ensureKubeBinaries, type KubeEnv, REPO_ROOT, startKubeApiServer } from '../env/kube/index.js';
import { startTcpRelay, type TcpRelay } from '../env/kube-node/api-relay.js';
import { type KubeNode, startKubeNode } from '../env/kube-node/index.js';
import { type MinioServer, startMinio } from '../env/minio/start-minio.js';
import { type CommandResult, runCommand } from '../env/tools/run-command.js';
import { helmPath } from '../env/tools/tool-paths.js';

const NS = 'skiff';
const CHART = join(REPO_ROOT, 'charts', 'skiff');
// The README's example name; containerd keeps it as docker.io/library/skiff:walkthrough, which is what
// the kubelet asks for when a pod names `skiff:walkthrough`.
const IMAGE_REPOSITORY = 'skiff';
const IMAGE_TAG = 'walkthrough';

interface PodSpec {
  nodeName?: string;
  serviceAccountName?: string;
  containers: { name: string; image: string; args?: string[]; env?: { name: string; value?: string }[] }[];
}
type Pod = KubernetesObject & { spec: PodSpec; status?: { phase?: string; containerStatuses?: { ready?: boolean; state?: unknown }[] } };
type Deployment = KubernetesObject & { spec: { template: { metadata: { labels?: Record<string, string> }; spec: PodSpec } } };

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, detail: () => Promise<string>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}\n${await detail()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('the README walkthrough: npm run image, helm install, the controller as a pod, skiff submit', {
  skip: process.getuid?.() !== 0 ? 'needs root' : false,
}, () => {
  let scratch: string;
  let kube: KubeEnv;
  let node: KubeNode;
  let admin: KubeConnection;
  let helmEnv: NodeJS.ProcessEnv;
  let minio: MinioServer;
  let minioForPods: TcpRelay;
  let kubectl: string;
  const skiff = (args: string[]): Promise<CommandResult> =>
    runCommand(process.execPath, [join(REPO_ROOT, 'bin', 'skiff.js'), ...args], {
      env: { ...process.env, SKIFF_STATE_DIR: join(scratch, 'state'), NO_COLOR: '1' },
      timeoutMs: 240_000,
    });
  const controllerLog = async (): Promise<string> => {
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of admin.podLog(NS, 'skiff-controller-0', 'controller')) chunks.push(chunk);
    } catch (error) {
      return `(no controller log: ${(error as Error).message})`;
    }
    return Buffer.concat(chunks).toString('utf8');
  };

  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'skiff-walkthrough-'));
    helmEnv = {
      PATH: process.env.PATH,
      HOME: scratch,
      HELM_CACHE_HOME: join(scratch, 'helm/cache'),
      HELM_CONFIG_HOME: join(scratch, 'helm/config'),
      HELM_DATA_HOME: join(scratch, 'helm/data'),
    };
    // The ServiceAccount admission plugin on, as in a real cluster: it mounts each pod's token (and
    // the kube-root-ca.crt ConfigMap) at /var/run/secrets/kubernetes.io/serviceaccount, where the
    // controller's in-cluster config reads it. No CRDs are preinstalled: helm installs the chart's.
    kube = await startKubeApiServer({ realNode: true, serviceAccountAdmission: true });
    node = await startKubeNode({ kube });
    admin = KubeConnection.load({ kubeconfigPath: kube.kubeconfigPath, env: {} });
    kubectl = (await ensureKubeBinaries()).kubectl;
    // MinIO listens on loopback; pods on the node's bridge reach it through a relay at the gateway.
    minio = await startMinio();
    const { port } = new URL(minio.endpoint);
    minioForPods = await startTcpRelay(node.podNetwork.gateway, { host: '127.0.0.1', port: Number(port) });
  });

  after(async () => {
    await minioForPods?.close();
    await minio?.stop();
    await node?.stop();
    await kube?.stop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  test('a two-step workflow submitted with skiff submit --wait runs to Succeeded, driven by the controller pod', async () => {
    // 1. Build the image. scripts/build-image.sh compiles and then runs this entry; the test run has
    // compiled already, so the entry is called directly.
    const archive = join(scratch, 'skiff-image.tar');
    const built = await runCommand(
      process.execPath,
      [join(REPO_ROOT, 'dist', 'build', 'image', 'main.js'), '--output', archive, '--tag', `${IMAGE_REPOSITORY}:${IMAGE_TAG}`],
      {
        timeoutMs: 600_000,
      },
    );
    assert.equal(built.code, 0, built.stderr);
    assert.match(built.stdout, new RegExp(`ctr -n k8s.io images import ${archive}`));
    assert.match(built.stdout, new RegExp(`skopeo copy oci-archive:${archive} docker://REGISTRY/skiff:${IMAGE_TAG}`));

    // 2. Load it into the node's containerd (`ctr -n k8s.io images import FILE` against its socket).
    await node.importImage(archive);
    const images = await node.ctr(['images', 'list', '--quiet']);
    assert.match(images.stdout, new RegExp(`^docker\\.io/library/${IMAGE_REPOSITORY}:${IMAGE_TAG}$`, 'm'));

    // 3. helm install, as the README says, on the RBAC-enabled API server.
    const kubeconfig = kube.kubeconfigPath;
    const install = await runCommand(
      helmPath(),
      [
        'install',
        'skiff',
        CHART,
        '--kubeconfig',
        kubeconfig,
        '--namespace',
        NS,
        '--create-namespace',
        '--set',
        'serve.enabled=false',
        '--set',
        'controller.enabled=true',
        '--set',
        'controller.replicaCount=1',
        '--set',
        `image.repository=${IMAGE_REPOSITORY}`,
        '--set',
        `image.tag=${IMAGE_TAG}`,
      ],
      { env: helmEnv, timeoutMs: 180_000 },
    );
    assert.equal(install.code, 0, install.stderr);

    // What kube-controller-manager does in a real cluster: the namespace's `default` ServiceAccount
    // (the step pods run as it) and the kube-root-ca.crt ConfigMap the token volume carries.
    await admin.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: NS } } as KubernetesObject);
    await admin.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'kube-root-ca.crt', namespace: NS },
      data: { 'ca.crt': await readFile(kube.caCertPath, 'utf8') },
    } as KubernetesObject);

    // 4. The controller as a pod. The test environment runs no kube-controller-manager (so no
    // ReplicaSet is made from the Deployment) and no scheduler (so nothing sets a pod's node): the
    // Deployment helm installed is read back and its pod template created as a Pod on the node.
    const deployment = await admin.get<Deployment>({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: NS, name: 'skiff-controller' });
    const template = deployment.spec.template;
    const container = template.spec.containers[0]!;
    assert.equal(container.image, `${IMAGE_REPOSITORY}:${IMAGE_TAG}`);
    assert.ok(container.args?.includes(`--executor-image=${IMAGE_REPOSITORY}:${IMAGE_TAG}`), JSON.stringify(container.args));
    // No kube-proxy either: the `kubernetes` Service's address, which the kubelet puts in
    // KUBERNETES_SERVICE_HOST/PORT, does not route. The pod is pointed at the node's relay to the API
    // server instead; everything else (token, CA, namespace) is the in-cluster config a real pod gets.
    const api = new URL(node.apiServerForPods);
    container.env = [...(container.env ?? []), { name: 'KUBERNETES_SERVICE_HOST', value: api.hostname }, { name: 'KUBERNETES_SERVICE_PORT', value: api.port }];
    await admin.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'skiff-controller-0', namespace: NS, labels: template.metadata.labels },
      spec: { ...template.spec, nodeName: node.nodeName },
    } as Pod);
    await until(
      'the controller pod to run',
      async () => {
        const pod = await admin.get<Pod>({ apiVersion: 'v1', kind: 'Pod', namespace: NS, name: 'skiff-controller-0' });
        if (pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded')
          assert.fail(`the controller pod ended: ${JSON.stringify(pod.status)}\n${await controllerLog()}`);
        return pod.status?.containerStatuses?.[0]?.state && pod.status.phase === 'Running' ? pod : undefined;
      },
      120_000,
      async () => `${node.tailLogs(30)}\n${await controllerLog()}`,
    );

    // 5. The artifact repository, with the README's commands.
    const kubectlRun = async (args: string[], input?: string): Promise<void> => {
      const result = await runCommand(kubectl, ['--kubeconfig', kubeconfig, '-n', NS, ...args], input === undefined ? {} : { input });
      assert.equal(result.code, 0, `kubectl ${args.join(' ')}: ${result.stderr}`);
    };
    await kubectlRun([
      'create',
      'secret',
      'generic',
      'my-s3-cred',
      `--from-literal=accesskey=${minio.accessKey}`,
      `--from-literal=secretkey=${minio.secretKey}`,
    ]);
    await kubectlRun(
      ['apply', '-f', '-'],
      `apiVersion: v1
kind: ConfigMap
metadata:
  name: artifact-repositories
  annotations:
    workflows.argoproj.io/default-artifact-repository: default
data:
  default: |
    s3:
      bucket: ${minio.bucket}
      endpoint: ${node.podNetwork.gateway}:${minioForPods.port}
      insecure: true
      accessKeySecret: {name: my-s3-cred, key: accesskey}
      secretKeySecret: {name: my-s3-cred, key: secretkey}
`,
    );

    // 6. skiff submit --kubeconfig ... --wait, from outside the cluster: examples/hello-world.yaml with
    // the test node's busybox image in both steps (no registry here).
    const workflow = join(scratch, 'hello.yaml');
    await writeFile(
      workflow,
      `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: hello-
spec:
  entrypoint: main
  # No scheduler runs in the test environment: the step pods name their node.
  podSpecPatch: '{"nodeName": "${node.nodeName}"}'
  arguments:
    parameters:
    - {name: greeting, value: hello from a pod}
  templates:
  - name: main
    steps:
    - - name: say
        template: say
        arguments: {parameters: [{name: message, value: "{{workflow.parameters.greeting}}"}]}
    - - name: shout
        template: shout
        arguments: {artifacts: [{name: text, from: "{{steps.say.outputs.artifacts.text}}"}]}
  - name: say
    inputs: {parameters: [{name: message}]}
    container:
      image: ${node.images.busybox}
      command: [sh, -c]
      args: ["echo '{{inputs.parameters.message}}' | tee /tmp/text.txt"]
    outputs: {artifacts: [{name: text, path: /tmp/text.txt}]}
  - name: shout
    inputs: {artifacts: [{name: text, path: /in/text.txt}]}
    script: {image: ${node.images.busybox}, command: [sh], source: "tr a-z A-Z < /in/text.txt"}
`,
    );
    const submitted = await skiff(['submit', '--kubeconfig', kubeconfig, '-n', NS, '--wait', '-o', 'name', workflow]);
    assert.equal(submitted.code, 0, `${submitted.stdout}\n${submitted.stderr}\n${await controllerLog()}`);
    const name = submitted.stdout.trim().split('\n')[0]!;
    assert.match(name, /^hello-/);

    // 7. skiff get and skiff logs show the run and what its steps wrote.
    const got = await skiff(['get', '--kubeconfig', kubeconfig, '-n', NS, name]);
    assert.equal(got.code, 0, got.stderr);
    assert.match(got.stdout, /Succeeded/);
    assert.match(got.stdout, /say/);
    assert.match(got.stdout, /shout/);
    const logs = await skiff(['logs', '--kubeconfig', kubeconfig, '-n', NS, '--no-color', name]);
    assert.equal(logs.code, 0, logs.stderr);
    assert.match(logs.stdout, /hello from a pod/);
    // The second step read the first one's artifact back from MinIO.
    assert.match(logs.stdout, /HELLO FROM A POD/);

    // The run was driven by the controller in the pod, as the chart's ServiceAccount: its log names
    // the run, and the step pods are on the node.
    const log = await controllerLog();
    assert.match(log, new RegExp(name), log);
    const pods = await admin.list<Pod>('v1', 'Pod', NS, { labelSelector: `workflows.argoproj.io/workflow=${name}` });
    assert.equal(pods.items.length, 2, JSON.stringify(pods.items.map((p) => p.metadata.name)));
    for (const pod of pods.items) {
      assert.equal(pod.spec.nodeName, node.nodeName);
      assert.equal(pod.status?.phase, 'Succeeded');
    }
  });
});
