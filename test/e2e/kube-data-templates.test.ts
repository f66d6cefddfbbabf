// Argo's data template on the cluster runtime, against a real kube-apiserver and MinIO, with the node
// agent running the steps that follow: a source listed from the namespace's artifact repository,
// transformed by expressions, its result fanned out with withParam to steps that read each object.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { parse } from 'yaml';
import type { WorkflowStatus } from '../../src/engine/workflow-status.js';
import type { KubeConnection } from '../../src/kube/kube-connection.js';
import { KubeRunStore } from '../../src/kube/kube-run-store.js';
import { serverSideApply } from '../../src/kube/server-side-apply.js';
import { RunDriver } from '../../src/runs/run-driver.js';
import { createKubeRuntime, type KubeRuntime } from '../../src/runtime/cluster/kube-runtime.js';
import { localizePod } from '../../src/runtime/local/localize-pod.js';
import type { Workflow } from '../../src/spec/model/workflow.js';
import { REPO_ROOT, startSkiffKube, type KubeEnv } from '../env/kube/index.js';
import { startMinio, type MinioServer } from '../env/minio/start-minio.js';
import { startNodeAgent, type NodeAgent } from '../env/node-agent/start-node-agent.js';
import { createMinioRepository } from '../helpers/minio-repository.js';

const NS = 'data';
const EXECUTOR = 'skiff.test/skiff:test';

describe('data templates on the cluster runtime (kube-apiserver, MinIO, node agent)', () => {
  let kube: KubeEnv;
  let client: KubeConnection;
  let minio: MinioServer;
  let agent: NodeAgent;
  let runtime: KubeRuntime;
  let driver: RunDriver;

  before(async () => {
    ({ kube, client } = await startSkiffKube());
    minio = await startMinio();
    await serverSideApply(client, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    await createMinioRepository(client, minio, NS);
    const s3 = new S3Client(minio.s3Config());
    for (const [key, body] of [
      ['logs/a/main.log', 'alpha'],
      ['logs/b/main.log', 'beta'],
      ['logs/b/debug.log', 'noise'],
      ['other/c/main.log', 'elsewhere'],
    ] as const)
      await s3.send(new PutObjectCommand({ Bucket: minio.bucket, Key: key, Body: body }));
    s3.destroy();
    agent = await startNodeAgent({
      kubeconfigPath: kube.kubeconfigPath,
      localize: (pod) => localizePod(pod, { projectDir: REPO_ROOT, nodePath: process.execPath, executorImage: EXECUTOR }),
    });
    runtime = createKubeRuntime({ client, executorImage: EXECUTOR, namespaces: [NS] });
    driver = new RunDriver({ store: new KubeRunStore(client, { namespaces: [NS] }), runtime });
  });

  after(async () => {
    await runtime?.close();
    await agent?.stop();
    await minio?.stop();
    await kube?.stop();
  });

  const run = async (yaml: string): Promise<WorkflowStatus> => {
    const wf = parse(yaml) as Workflow;
    wf.metadata = { ...wf.metadata, namespace: NS, labels: { 'workflows.argoproj.io/controller-instanceid': 'skiff' } };
    return driver.wait(await driver.submit(wf));
  };
  const describeNodes = (status: WorkflowStatus): string => JSON.stringify(Object.values(status.nodes).map((n) => [n.displayName, n.phase, n.message]));

  test("Argo's data-transformations example: the bucket listed, filtered, and each file processed by a step of its own", async () => {
    const status = await run(`
metadata: {name: transformations}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: list-log-files, template: list-log-files}
    - - name: process-logs
        template: process-logs
        withParam: "{{steps.list-log-files.outputs.result}}"
        arguments:
          artifacts: [{name: file, s3: {key: "{{item}}"}}]
          parameters: [{name: file-name, value: "{{item}}"}]
  - name: list-log-files
    data:
      source:
        artifactPaths: {name: test-bucket, s3: {bucket: ${minio.bucket}, key: logs}}
      transformation:
      - expression: 'filter(data, {# endsWith "main.log"})'
  - name: process-logs
    inputs:
      parameters: [{name: file-name}]
      artifacts: [{name: file, path: /file}]
    script: {image: alpine, command: [sh], source: 'echo "{{inputs.parameters.file-name}}=$(cat /file)"'}
`);
    assert.equal(status.phase, 'Succeeded', describeNodes(status));
    const listed = Object.values(status.nodes).find((n) => n.displayName === 'list-log-files');
    assert.equal(listed?.type, 'Pod');
    assert.deepEqual(JSON.parse(listed?.outputs?.result ?? 'null'), ['logs/a/main.log', 'logs/b/main.log']);
    const processed = Object.values(status.nodes)
      .filter((n) => n.displayName.startsWith('process-logs(') && n.type === 'Pod')
      .map((n) => n.outputs?.result)
      .sort();
    assert.deepEqual(processed, ['logs/a/main.log=alpha', 'logs/b/main.log=beta']);
  });

  test('expressions chain, each seeing the last as data; a broken one fails the node saying which and why', async () => {
    const status = await run(`
metadata: {name: chained}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: count, template: count}
    - - {name: broken, template: broken}
  - name: count
    data:
      source: {artifactPaths: {name: all, s3: {bucket: ${minio.bucket}}}}
      transformation:
      - expression: 'filter(data, {# endsWith ".log"})'
      - expression: 'map(data, {split(#, "/")[1]})'
  - name: broken
    data:
      source: {artifactPaths: {name: all, s3: {bucket: ${minio.bucket}}}}
      transformation:
      - expression: 'filter(data, {# endsWith'
`);
    assert.equal(status.phase, 'Failed', describeNodes(status));
    const count = Object.values(status.nodes).find((n) => n.displayName === 'count');
    assert.deepEqual(JSON.parse(count?.outputs?.result ?? 'null'), ['a', 'b', 'b', 'c']);
    const broken = Object.values(status.nodes).find((n) => n.displayName === 'broken');
    assert.equal(broken?.phase, 'Failed');
    assert.match(broken?.message ?? '', /data template "broken": transformation\[0\] "filter\(data, \{# endsWith": /);
  });

  test('a source in a bucket that does not exist fails the node naming the bucket', async () => {
    const status = await run(`
metadata: {name: no-bucket}
spec:
  entrypoint: main
  templates:
  - name: main
    data:
      source: {artifactPaths: {name: nowhere, s3: {bucket: no-such-bucket}}}
      transformation: []
`);
    assert.equal(status.phase, 'Failed', describeNodes(status));
    assert.match(describeNodes(status), /cannot list source.artifactPaths: .*no-such-bucket/);
  });
});
