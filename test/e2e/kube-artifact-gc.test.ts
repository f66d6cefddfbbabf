// Artifact GC on the cluster: `skiff controller` against a real kube-apiserver, its pods run by the
// node agent, MinIO as the namespace's artifact repository. OnWorkflowCompletion artifacts go when
// the run ends; OnWorkflowDeletion ones are held by Argo's artifact-gc finalizer until the Workflow
// is deleted, then deleted with the namespace's credentials before the Workflow goes; a GC that
// cannot delete keeps the Workflow (finalizer and ArtifactGCError condition) until
// forceFinalizerRemoval lets it go.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { join } from 'node:path';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { makeControllerCommand } from '../../src/cli/commands/controller.js';
import { KubeConnection } from '../../src/kube/kube-connection.js';
import { KubeNotFoundError } from '../../src/kube/kube-errors.js';
import { ARTIFACT_GC_FINALIZER } from '../../src/kube/kube-names.js';
import { runChunkSelector } from '../../src/kube/run-node-config-maps.js';
import { workflowRef } from '../../src/kube/run-workflow-object.js';
import { serverSideApply } from '../../src/kube/server-side-apply.js';
import { runKey } from '../../src/ports/run-key.js';
import { createKubeRuntime } from '../../src/runtime/cluster/kube-runtime.js';
import { localizePod } from '../../src/runtime/local/localize-pod.js';
import type { KubernetesObject } from '../../src/spec/model/kubernetes.js';
import type { Workflow } from '../../src/spec/model/workflow.js';
import { skiff, workspace } from '../cli/run-cli.js';
import { REPO_ROOT, startKubeApiServer, type KubeEnv } from '../env/kube/index.js';
import { startMinio, type MinioServer } from '../env/minio/start-minio.js';
import { startNodeAgent, type NodeAgent } from '../env/node-agent/start-node-agent.js';
import { createMinioRepository, minioS3Repository, minioSecret } from '../helpers/minio-repository.js';
import { untilWithin } from '../helpers/until.js';

const NS = 'artgc';
const EXECUTOR = 'ghcr.io/skiff/skiff:test';

/** One step with two output artifacts: `kept` never goes, `out` by the workflow's strategy. */
function gcWorkflow(name: string, strategy: string, extra = ''): string {
  return `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: ${name}
spec:
  entrypoint: main
  artifactGC: {strategy: ${strategy}}
${extra}  templates:
  - name: main
    container:
      image: busybox
      command: [sh, -c]
      args: ["echo out > /tmp/out.txt; echo kept > /tmp/kept.txt"]
    outputs:
      artifacts:
      - {name: out, path: /tmp/out.txt}
      - {name: kept, path: /tmp/kept.txt, artifactGC: {strategy: Never}}
`;
}

interface GCArtifact {
  name: string;
  deleted?: boolean;
  s3?: { key?: string };
}
interface GotWorkflow {
  metadata: { finalizers?: string[] };
  status: {
    phase: string;
    conditions?: Array<{ type: string; message?: string }>;
    artifactGCStatus?: { strategiesProcessed?: Record<string, boolean> };
    nodes: Record<string, { type: string; outputs?: { artifacts?: GCArtifact[] } }>;
  };
}

const until = untilWithin({ timeoutMs: 60_000, pollMs: 200 });

describe('artifact GC on a cluster, with the namespace’s credentials', { timeout: 600_000 }, () => {
  let kube: KubeEnv;
  let client: KubeConnection;
  let agent: NodeAgent;
  let minio: MinioServer;
  let s3: S3Client;
  let dir: string;
  let stopController: (signal: string) => void;
  let controllerExit: Promise<number>;
  let controllerLog = '';

  before(async () => {
    kube = await startKubeApiServer({ crdPaths: [join(REPO_ROOT, 'charts', 'skiff', 'crds')] });
    client = KubeConnection.load({ kubeconfigPath: kube.kubeconfigPath, env: {} });
    minio = await startMinio();
    s3 = new S3Client(minio.s3Config());
    await serverSideApply(client, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    // A namespace with MinIO's credentials but no artifact-repositories ConfigMap: its runs use the controller's default.
    await serverSideApply(client, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'plain' } });
    await client.create(minioSecret(minio, 'plain'));
    // A second repository whose Secret the last test spoils: the others keep working keys.
    const spoilable = minioS3Repository(minio, ['keyFormat: "spoilable/{{workflow.name}}/{{pod.name}}"']).replaceAll('minio-cred', 'spoilable-cred');
    await createMinioRepository(client, minio, NS, {
      minio: minioS3Repository(minio, ['keyFormat: "runs/{{workflow.name}}/{{pod.name}}"']),
      spoilable,
    });
    await client.create(minioSecret(minio, NS, 'spoilable-cred'));
    agent = await startNodeAgent({
      kubeconfigPath: kube.kubeconfigPath,
      localize: (pod) => localizePod(pod, { projectDir: REPO_ROOT, nodePath: process.execPath, executorImage: EXECUTOR }),
    });
    dir = workspace({
      'completion.yaml': gcWorkflow('completion', 'OnWorkflowCompletion'),
      'deletion.yaml': gcWorkflow('deletion', 'OnWorkflowDeletion'),
      'cli-deletion.yaml': gcWorkflow('cli-deletion', 'OnWorkflowDeletion'),
      'unreadable.yaml': gcWorkflow('unreadable', 'OnWorkflowDeletion'),
      'spoiled.yaml': gcWorkflow('spoiled', 'OnWorkflowDeletion', '  artifactRepositoryRef: {key: spoilable}\n'),
      'plain.yaml': gcWorkflow('plain', 'Never'),
    });
    const command = makeControllerCommand({
      createRuntime: (connection, options) =>
        createKubeRuntime({
          client: connection,
          executorImage: EXECUTOR,
          ...(options.warn ? { warn: options.warn } : {}),
          ...(options.defaultRepository ? { defaultRepository: options.defaultRepository } : {}),
        }),
      stopRequested: () => new Promise((resolve) => (stopController = resolve)),
    });
    controllerExit = command.run(['--kubeconfig', kube.kubeconfigPath], {
      stdout: { write: () => true },
      stderr: { write: (text: string) => (controllerLog += text) },
      cwd: dir,
      env: { SKIFF_DEFAULT_ARTIFACT_REPOSITORY: minioS3Repository(minio, ['keyFormat: "controller-default/{{workflow.name}}/{{pod.name}}"']) },
    });
  });

  after(async () => {
    s3?.destroy();
    stopController?.('SIGTERM');
    await controllerExit;
    await agent?.stop();
    await minio?.stop();
    await kube?.stop();
  });

  const cluster = (...args: string[]) => skiff(dir, [...args, '--kubeconfig', kube.kubeconfigPath, '-n', NS]);
  const got = async (name: string): Promise<GotWorkflow> => {
    const printed = await cluster('get', name, '-o', 'json');
    assert.equal(printed.status, 0, printed.stderr);
    return JSON.parse(printed.stdout) as GotWorkflow;
  };
  const artifactsOf = (workflow: GotWorkflow): Map<string, GCArtifact> =>
    new Map(
      Object.values(workflow.status.nodes)
        .filter((n) => n.type === 'Pod')
        .flatMap((n) => n.outputs?.artifacts ?? [])
        .map((a) => [a.name, a]),
    );
  const inMinio = (key: string): Promise<boolean> =>
    s3.send(new HeadObjectCommand({ Bucket: minio.bucket, Key: key })).then(
      () => true,
      (error: { $metadata?: { httpStatusCode?: number } }) => {
        if (error.$metadata?.httpStatusCode === 404) return false;
        throw error;
      },
    );
  const gone = (name: string) =>
    until(`Workflow ${name} gone`, () =>
      client.get(workflowRef(runKey(NS, name))).then(
        () => false,
        (error: unknown) => error instanceof KubeNotFoundError,
      ),
    );
  const submit = async (file: string): Promise<void> => {
    const submitted = await cluster('submit', file, '--wait', '-o', 'name');
    assert.equal(submitted.status, 0, `${submitted.stdout}${submitted.stderr}\n${controllerLog}`);
  };

  test("a namespace that names no repository gets the controller's default ($SKIFF_DEFAULT_ARTIFACT_REPOSITORY), recorded in the run", async () => {
    const submitted = await skiff(dir, ['submit', 'plain.yaml', '--wait', '-o', 'json', '--kubeconfig', kube.kubeconfigPath, '-n', 'plain']);
    assert.equal(submitted.status, 0, `${submitted.stdout}${submitted.stderr}\n${controllerLog}`);
    const run = JSON.parse(submitted.stdout.slice(submitted.stdout.indexOf('{'))) as GotWorkflow & {
      status: { artifactRepositoryRef?: { default?: boolean; artifactRepository?: { s3?: { keyFormat?: string } } } };
    };
    assert.equal(run.status.artifactRepositoryRef?.default, true);
    assert.equal(run.status.artifactRepositoryRef?.artifactRepository?.s3?.keyFormat, 'controller-default/{{workflow.name}}/{{pod.name}}');
    const out = artifactsOf(run).get('out');
    assert.match(out?.s3?.key ?? '', /^controller-default\/plain\//);
    assert.equal(await inMinio(out!.s3!.key!), true, 'stored in the default repository');
  });

  test('OnWorkflowCompletion: the run ends with its artifact gone from MinIO and marked deleted; the Never one stays', async () => {
    await submit('completion.yaml');
    const workflow = await until('the completion GC recorded', async () => {
      const w = await got('completion');
      return w.status.artifactGCStatus?.strategiesProcessed?.OnWorkflowCompletion ? w : undefined;
    });
    assert.equal(workflow.status.phase, 'Succeeded');
    const artifacts = artifactsOf(workflow);
    assert.equal(artifacts.get('out')?.deleted, true, JSON.stringify(workflow.status.nodes));
    assert.notEqual(artifacts.get('kept')?.deleted, true);
    assert.match(artifacts.get('out')?.s3?.key ?? '', /^runs\/completion\//);
    assert.equal(await inMinio(artifacts.get('out')!.s3!.key!), false);
    assert.equal(await inMinio(artifacts.get('kept')!.s3!.key!), true);
    assert.equal(workflow.status.conditions?.some((c) => c.type === 'ArtifactGCError') ?? false, false);
    // Nothing is due on deletion: no finalizer, and the Workflow goes at once.
    const live = await client.get<Workflow>(workflowRef(runKey(NS, 'completion')));
    assert.equal(live.metadata.finalizers, undefined);
  });

  test('OnWorkflowDeletion: the artifact stays until the Workflow is deleted, then goes before the Workflow does', async () => {
    await submit('deletion.yaml');
    const workflow = await got('deletion');
    assert.equal(workflow.status.phase, 'Succeeded');
    const live = await client.get<Workflow>(workflowRef(runKey(NS, 'deletion')));
    assert.deepEqual(live.metadata.finalizers, [ARTIFACT_GC_FINALIZER]);
    const artifacts = artifactsOf(workflow);
    const out = artifacts.get('out')!.s3!.key!;
    const kept = artifacts.get('kept')!.s3!.key!;
    assert.equal(await inMinio(out), true);
    assert.equal(await inMinio(kept), true);
    assert.equal(workflow.status.artifactGCStatus?.strategiesProcessed?.OnWorkflowDeletion ?? false, false);

    // As kubectl deletes: the API server only marks it; the controller collects, then lets it go.
    await client.delete(workflowRef(runKey(NS, 'deletion')), { propagationPolicy: 'Background' });
    await gone('deletion');
    assert.equal(await inMinio(out), false, controllerLog);
    assert.equal(await inMinio(kept), true);
    const chunks = await client.list('v1', 'ConfigMap', NS, { labelSelector: runChunkSelector(live.metadata.uid!) });
    assert.deepEqual(
      chunks.items.map((c) => c.metadata.name),
      [],
    );
    assert.match(controllerLog, /"deletion" in namespace "artgc" deleted, after its artifact garbage collection/);
  });

  test('skiff delete --kubeconfig leaves an OnWorkflowDeletion run to the controller, which collects and deletes it', async () => {
    await submit('cli-deletion.yaml');
    const out = artifactsOf(await got('cli-deletion')).get('out')!.s3!.key!;
    assert.equal(await inMinio(out), true);
    const deleted = await cluster('delete', 'cli-deletion');
    assert.equal(deleted.status, 0, deleted.stderr);
    assert.match(deleted.stdout, /workflow cli-deletion deleted \(namespace artgc\): it goes once the controller has deleted its artifacts/);
    await gone('cli-deletion');
    assert.equal(await inMinio(out), false);
  });

  test('a GC that cannot delete keeps the Workflow, with its finalizer and an ArtifactGCError condition, until forceFinalizerRemoval', async () => {
    await submit('spoiled.yaml');
    const out = artifactsOf(await got('spoiled')).get('out')!.s3!.key!;
    assert.match(out, /^spoilable\/spoiled\//);
    assert.equal(await inMinio(out), true);
    await client.replace({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'spoilable-cred', namespace: NS },
      stringData: { accesskey: minio.accessKey, secretkey: 'not-the-secret-key' },
    } as KubernetesObject);

    await client.delete(workflowRef(runKey(NS, 'spoiled')));
    const failed = await until('the ArtifactGCError condition', async () => {
      const w = await got('spoiled');
      return w.status.conditions?.some((c) => c.type === 'ArtifactGCError') ? w : undefined;
    });
    const condition = failed.status.conditions!.find((c) => c.type === 'ArtifactGCError')!;
    assert.match(condition.message ?? '', /artifact GC could not delete "out"/);
    assert.doesNotMatch(condition.message ?? '', /not-the-secret-key/);
    assert.equal(artifactsOf(failed).get('out')?.deleted ?? false, false);
    const live = await client.get<Workflow>(workflowRef(runKey(NS, 'spoiled')));
    assert.ok(live.metadata.deletionTimestamp, 'marked for deletion');
    assert.deepEqual(live.metadata.finalizers, [ARTIFACT_GC_FINALIZER]);
    assert.equal(await inMinio(out), true);
    assert.match(controllerLog, /"spoiled" in namespace "artgc" is being deleted: kept/);

    // The way out Argo gives: forceFinalizerRemoval lets the Workflow go, its artifact left in place.
    await client.patch(workflowRef(runKey(NS, 'spoiled')), { spec: { artifactGC: { forceFinalizerRemoval: true } } }, 'merge');
    await gone('spoiled');
    assert.equal(await inMinio(out), true);
  });

  test('a run whose node ConfigMaps went first in part (unreadable status) keeps its Workflow until forceFinalizerRemoval, and says why', async () => {
    await submit('unreadable.yaml');
    const out = artifactsOf(await got('unreadable')).get('out')!.s3!.key!;
    const live = await client.get<Workflow>(workflowRef(runKey(NS, 'unreadable')));
    // Its first journal record goes, as a foreground deletion takes dependents first: the rest cannot be read.
    const chunks = await client.list('v1', 'ConfigMap', NS, {
      labelSelector: `${runChunkSelector(live.metadata.uid!)},skiff.dev/run-part=journal,skiff.dev/record=1`,
    });
    assert.equal(chunks.items.length, 1);
    for (const chunk of chunks.items) await client.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace: NS, name: chunk.metadata.name! });

    await client.delete(workflowRef(runKey(NS, 'unreadable')));
    await until(`the controller to say why it keeps it, in:\n${controllerLog}`, async () =>
      /"unreadable" in namespace "artgc" is being deleted: its artifacts cannot be garbage collected/.test(controllerLog),
    );
    const held = await client.get<Workflow>(workflowRef(runKey(NS, 'unreadable')));
    assert.deepEqual(held.metadata.finalizers, [ARTIFACT_GC_FINALIZER]);
    await client.patch(workflowRef(runKey(NS, 'unreadable')), { spec: { artifactGC: { forceFinalizerRemoval: true } } }, 'merge');
    await gone('unreadable');
    assert.equal(await inMinio(out), true, 'nothing said where it was: it stays');
  });
});
