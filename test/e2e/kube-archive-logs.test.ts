// archiveLogs on the cluster runtime: `skiff controller` against a real kube-apiserver, its pods
// run by the node agent, MinIO as the namespace's artifact repository. A step's log is archived
// as main-logs (main.log, as it is) and listed in its outputs; once podGC has deleted its pod,
// `skiff logs --kubeconfig` and the run page's log read that copy instead, and say so. The
// archive is the raw log (a Secret's value stays in it, as in Argo's); the page hides the value.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { makeControllerCommand } from '../../src/cli/commands/controller.js';
import { KubeClusterObjects } from '../../src/kube/kube-cluster-objects.js';
import { KubeConnection } from '../../src/kube/kube-connection.js';
import { KubeNotFoundError } from '../../src/kube/kube-errors.js';
import { kubeRunPageSource } from '../../src/kube/kube-run-page-source.js';
import { KubeRunStore } from '../../src/kube/kube-run-store.js';
import { serverSideApply } from '../../src/kube/server-side-apply.js';
import { runKey } from '../../src/ports/run-key.js';
import { ARCHIVED_LOG_NOTE } from '../../src/runs/archived-log.js';
import { createKubeRuntime } from '../../src/runtime/cluster/kube-runtime.js';
import { localizePod } from '../../src/runtime/local/localize-pod.js';
import { logPage } from '../../src/server/run-page/node-log.js';
import { runSecretRedactor } from '../../src/server/run-page/secret-redactor.js';
import type { KubernetesObject } from '../../src/spec/model/kubernetes.js';
import { skiff, workspace } from '../cli/run-cli.js';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { REPO_ROOT, startKubeApiServer, type KubeEnv } from '../env/kube/index.js';
import { startMinio, type MinioServer } from '../env/minio/start-minio.js';
import { startNodeAgent, type NodeAgent } from '../env/node-agent/start-node-agent.js';
import { createMinioRepository, minioS3Repository } from '../helpers/minio-repository.js';
import { untilWithin } from '../helpers/until.js';

const NS = 'logs';
const EXECUTOR = 'ghcr.io/skiff/skiff:test';
const TOKEN = 'hunter2-very-secret-token';

/** A step that writes to both streams, and a Secret's value; its pod is deleted once it completes. */
const ARCHIVED = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: archived
spec:
  entrypoint: main
  archiveLogs: true
  podGC: {strategy: OnPodCompletion}
  templates:
  - name: main
    container:
      image: busybox
      command: [sh, -c]
      args: ["echo first line; echo on stderr >&2; echo token $TOKEN; echo last line"]
      env:
      - name: TOKEN
        valueFrom: {secretKeyRef: {name: api, key: token}}
`;

/** The same without archiveLogs: its log goes with its pod. */
const LOST = ARCHIVED.replace('name: archived', 'name: lost').replace('  archiveLogs: true\n', '');

const until = untilWithin({ timeoutMs: 60_000, pollMs: 200 });

describe('archiveLogs on a cluster: the log outlives the pod', { timeout: 600_000 }, () => {
  let kube: KubeEnv;
  let client: KubeConnection;
  let agent: NodeAgent;
  let minio: MinioServer;
  let dir: string;
  let stopController: (signal: string) => void;
  let controllerExit: Promise<number>;
  let controllerLog = '';

  before(async () => {
    kube = await startKubeApiServer({ crdPaths: [join(REPO_ROOT, 'charts', 'skiff', 'crds')] });
    client = KubeConnection.load({ kubeconfigPath: kube.kubeconfigPath, env: {} });
    minio = await startMinio();
    await serverSideApply(client, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    await createMinioRepository(client, minio, NS, { minio: minioS3Repository(minio, ['keyFormat: "runs/{{workflow.name}}/{{pod.name}}"']) });
    await client.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'api', namespace: NS }, stringData: { token: TOKEN } } as KubernetesObject);
    agent = await startNodeAgent({
      kubeconfigPath: kube.kubeconfigPath,
      localize: (pod) => localizePod(pod, { projectDir: REPO_ROOT, nodePath: process.execPath, executorImage: EXECUTOR }),
    });
    dir = workspace({ 'archived.yaml': ARCHIVED, 'lost.yaml': LOST });
    const command = makeControllerCommand({
      createRuntime: (connection, options) =>
        createKubeRuntime({ client: connection, executorImage: EXECUTOR, ...(options.warn ? { warn: options.warn } : {}) }),
      stopRequested: () => new Promise((resolve) => (stopController = resolve)),
    });
    controllerExit = command.run(['--kubeconfig', kube.kubeconfigPath], {
      stdout: { write: () => true },
      stderr: { write: (text: string) => (controllerLog += text) },
      cwd: dir,
      env: {},
    });
  });

  after(async () => {
    stopController?.('SIGTERM');
    await controllerExit;
    await agent?.stop();
    await minio?.stop();
    await kube?.stop();
  });

  const cluster = (...args: string[]) => skiff(dir, [...args, '--kubeconfig', kube.kubeconfigPath, '-n', NS]);
  const podGone = (name: string) =>
    until(`pod ${name} deleted by podGC`, () =>
      client.get({ apiVersion: 'v1', kind: 'Pod', namespace: NS, name }).then(
        () => false,
        (error: unknown) => error instanceof KubeNotFoundError,
      ),
    );

  test('archives the step’s log as main-logs in MinIO, and skiff logs reads it once podGC deleted the pod', async () => {
    const submitted = await cluster('submit', 'archived.yaml', '--wait', '-o', 'name');
    assert.equal(submitted.status, 0, `${submitted.stdout}${submitted.stderr}\n${controllerLog}`);
    const got = await cluster('get', 'archived', '-o', 'json');
    assert.equal(got.status, 0, got.stderr);
    const workflow = JSON.parse(got.stdout) as {
      status: { phase: string; nodes: Record<string, { type: string; outputs?: { artifacts?: Array<{ name: string; s3?: { key?: string } }> } }> };
    };
    assert.equal(workflow.status.phase, 'Succeeded');
    const node = Object.values(workflow.status.nodes).find((n) => n.type === 'Pod')!;
    const logs = node.outputs?.artifacts?.find((a) => a.name === 'main-logs');
    assert.match(logs?.s3?.key ?? '', /^runs\/archived\/archived\/main\.log$/);
    const wide = await cluster('get', 'archived', '-o', 'wide');
    assert.match(wide.stdout, /main-logs/, wide.stdout);

    // The raw log, uncompressed, both streams: a Secret's value stays in it, as Argo keeps it.
    const s3 = new S3Client(minio.s3Config());
    const object = await s3.send(new GetObjectCommand({ Bucket: minio.bucket, Key: logs!.s3!.key! }));
    const text = await object.Body!.transformToString();
    s3.destroy();
    assert.deepEqual(text.split('\n').filter(Boolean).sort(), ['first line', 'last line', 'on stderr', `token ${TOKEN}`].sort());

    await podGone('archived');
    const printed = await cluster('logs', 'archived');
    assert.equal(printed.status, 0, printed.stderr);
    assert.match(printed.stderr, /pod archived is gone; its log below is the copy archiveLogs kept/);
    const lines = printed.stdout.split('\n').filter(Boolean);
    assert.ok(
      lines.every((line) => line.startsWith('archived: ')),
      printed.stdout,
    );
    assert.deepEqual(lines.map((line) => line.slice('archived: '.length)).sort(), ['first line', 'last line', 'on stderr', `token ${TOKEN}`].sort());
    assert.equal((await cluster('logs', 'archived', '--tail', '1')).stdout.split('\n').filter(Boolean).length, 1);
    assert.deepEqual((await cluster('logs', 'archived', '--grep', '^first')).stdout, 'archived: first line\n');
  });

  test("skiff cp --kubeconfig downloads a run's artifacts from the repository it recorded, with the cluster's Secret", async () => {
    const out = join(dir, 'copied');
    const copied = await cluster('cp', 'archived', out);
    assert.equal(copied.status, 0, copied.stderr);
    const [line] = copied.stdout.split('\n').filter(Boolean);
    assert.match(line ?? '', /^archived\/main-logs -> /, copied.stdout);
    const file = line!.slice(line!.indexOf(' -> ') + 4);
    assert.ok(file.startsWith(join(out, NS, 'archived')), file);
    const text = await readFile(file, 'utf8');
    assert.deepEqual(text.split('\n').filter(Boolean).sort(), ['first line', 'last line', 'on stderr', `token ${TOKEN}`].sort());
    const none = await cluster('cp', 'archived', out, '--artifact-name', 'nothing-of-that-name');
    assert.equal(none.status, 0, none.stderr);
    assert.equal(none.stdout, '');
  });

  test('the run page reads the archived log of a pod that is gone, says so, and hides the Secret in it', async () => {
    const objects = new KubeClusterObjects(client, { namespace: NS });
    const source = kubeRunPageSource({ client, runs: new KubeRunStore(client, { namespaces: [NS] }), objects });
    const key = runKey(NS, 'archived');
    const run = (await source.readRun(key))!;
    const node = Object.values(run.status.nodes).find((n) => n.type === 'Pod')!;
    const ref = { key, nodeId: node.id, pod: 'archived', container: 'main' };
    const read = await source.readLog(ref, 1 << 20);
    assert.equal(read.note, ARCHIVED_LOG_NOTE);
    assert.match(read.bytes.toString(), /first line/);
    const page = logPage(read, await runSecretRedactor(run, objects, NS), undefined);
    assert.match(page.html, /first line/);
    assert.doesNotMatch(page.html, new RegExp(TOKEN));
    assert.match(page.html, /token \[redacted\]/);
    const streamed: Buffer[] = [];
    for await (const chunk of source.streamLog(ref, { from: 0, follow: false, signal: new AbortController().signal, finished: async () => true }))
      streamed.push(chunk);
    assert.match(Buffer.concat(streamed).toString(), /last line/);
  });

  test('without archiveLogs a pod that podGC deleted takes its log with it, as before', async () => {
    const submitted = await cluster('submit', 'lost.yaml', '--wait', '-o', 'name');
    assert.equal(submitted.status, 0, `${submitted.stdout}${submitted.stderr}\n${controllerLog}`);
    await podGone('lost');
    const printed = await cluster('logs', 'lost');
    assert.equal(printed.status, 0, printed.stderr);
    assert.equal(printed.stdout, '');
    const source = kubeRunPageSource({
      client,
      runs: new KubeRunStore(client, { namespaces: [NS] }),
      objects: new KubeClusterObjects(client, { namespace: NS }),
    });
    const run = (await source.readRun(runKey(NS, 'lost')))!;
    const node = Object.values(run.status.nodes).find((n) => n.type === 'Pod')!;
    const read = await source.readLog({ key: runKey(NS, 'lost'), nodeId: node.id, pod: 'lost', container: 'main' }, 1 << 20);
    assert.match(read.note ?? '', /is gone, and its log with it/);
  });
});
