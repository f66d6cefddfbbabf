// Conformance on the cluster runtime: the Workflows of Argo's examples that the local corpus runs
// (test/e2e/local-corpus.test.ts, the same cases read by test/helpers/corpus-cases.ts) run here
// through RunDriver + KubeRunStore + KubeRuntime against a real kube-apiserver, with the node agent
// standing in for a kubelet (each pod's containers in the local sandbox) and a real MinIO as the
// namespace's artifact repository, and each ends in its pinned phase. The corpus's
// WorkflowTemplates, ClusterWorkflowTemplates and ConfigMaps are created in the cluster first and
// read from it, as the controller reads them for a Workflow it picks up. KUBE_EXCLUDED says why a
// file does not run here; the file prints how many ran and how many were excluded. The local
// corpus's own exclusions (LOCAL_EXCLUDED: two examples that take over 250 s by design) are not run
// here either.
import assert from 'node:assert/strict';
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { KubeConnection } from '../../src/kube/kube-connection.js';
import { KubeClusterObjects } from '../../src/kube/kube-cluster-objects.js';
import { KubeRunStore } from '../../src/kube/kube-run-store.js';
import { serverSideApply } from '../../src/kube/server-side-apply.js';
import { RunDriver } from '../../src/runs/run-driver.js';
import { loadRunConfigMaps } from '../../src/runs/load-run-config-maps.js';
import { loadTemplateRefs } from '../../src/runs/load-template-refs.js';
import { createKubeRuntime, type KubeRuntime } from '../../src/runtime/cluster/kube-runtime.js';
import { ensureHostShims } from '../../src/runtime/local/host-shims.js';
import { localizePod } from '../../src/runtime/local/localize-pod.js';
import type { KubernetesObject } from '../../src/spec/model/kubernetes.js';
import type { Workflow } from '../../src/spec/model/workflow.js';
import { REPO_ROOT, startSkiffKube, type KubeEnv } from '../env/kube/index.js';
import { startMinio, type MinioServer } from '../env/minio/start-minio.js';
import { startNodeAgent, type NodeAgent } from '../env/node-agent/start-node-agent.js';
import {
  CORPUS_URL,
  LOCAL_EXCLUDED,
  type CorpusOutcome,
  type Loopback,
  loopbackFor,
  outcomeOf,
  RANDOM_BY_DESIGN,
  readCorpus,
  runPooled,
} from '../helpers/corpus-cases.js';
import { createMinioRepository, minioS3Repository } from '../helpers/minio-repository.js';

const NS = 'default';
const EXECUTOR = 'ghcr.io/skiff/skiff:test';
/** Runs at a time: the node agent's sandboxes share this machine's cores with the API server and MinIO. */
const CONCURRENCY = 4;

/** Corpus files that run locally but not on the cluster here, each with the reason. */
export const KUBE_EXCLUDED: Record<string, string> = {
  'examples/variables-showcase.yaml':
    'two of its daemons listen on port 9999 at once; a real node gives each pod its own IP, the node agent gives every pod 127.0.0.1 (the host network), so the second cannot bind',
};

const { cases, templateObjects, configMaps } = readCorpus();
const runnable = cases.filter((c) => !LOCAL_EXCLUDED[c.file] && !KUBE_EXCLUDED[c.file]);

describe('Argo example corpus on the cluster runtime (kube-apiserver, node agent, MinIO)', () => {
  let kube: KubeEnv;
  let client: KubeConnection;
  let agent: NodeAgent;
  let minio: MinioServer;
  let runtime: KubeRuntime;
  let http: Loopback;
  let shims: string | undefined;
  let outcomes = new Map<string, Promise<CorpusOutcome>>();

  before(async () => {
    ({ kube, client } = await startSkiffKube());
    minio = await startMinio();
    http = await loopbackFor(CORPUS_URL);
    await serverSideApply(client, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    for (const template of templateObjects) {
      const namespace = template.kind === 'WorkflowTemplate' ? NS : undefined;
      await client.create({ ...template, metadata: { ...template.metadata, ...(namespace ? { namespace } : {}) } });
    }
    for (const cm of configMaps) await client.create({ ...cm, metadata: { ...cm.metadata, namespace: NS } } as KubernetesObject);
    // The namespace's default repository is MinIO; artifact-repository-ref.yaml names key my-key.
    const s3 = (prefix: string) => minioS3Repository(minio, [`keyFormat: "${prefix}/{{workflow.name}}/{{pod.name}}"`]);
    await createMinioRepository(client, minio, NS, { minio: s3('default'), 'my-key': s3('my-key') });
    // The node's stand-in for images: the host's programs, with the `python` a python image has
    // (this host has only python3), as the local runtime provides it.
    shims = await mkdtemp(join(tmpdir(), 'skiff-kube-corpus-'));
    await chmod(shims, 0o755); // the sandbox's user must reach the shims
    const shimsDir = await ensureHostShims(shims);
    agent = await startNodeAgent({
      kubeconfigPath: kube.kubeconfigPath,
      localize: (pod) => localizePod(pod, { projectDir: REPO_ROOT, nodePath: process.execPath, executorImage: EXECUTOR, ...(shimsDir ? { shimsDir } : {}) }),
    });
    runtime = createKubeRuntime({ client, executorImage: EXECUTOR, namespaces: [NS], httpClient: http.client });
    const objects = new KubeClusterObjects(client, { namespace: NS });
    const driver = new RunDriver({ store: new KubeRunStore(client, { namespaces: [NS] }), runtime, configMaps: objects });
    // Each run is submitted as the controller takes up a Workflow: its templates and ConfigMaps read from the cluster.
    outcomes = runPooled(runnable, CONCURRENCY, async (c) => {
      const workflow: Workflow = {
        ...c.workflow,
        metadata: { ...c.workflow.metadata, namespace: NS, labels: { ...c.workflow.metadata?.labels, 'workflows.argoproj.io/controller-instanceid': 'skiff' } },
      };
      const referenced = await loadTemplateRefs(workflow, objects);
      const read = await loadRunConfigMaps(workflow, referenced, objects);
      const key = await driver.submit(workflow, { ...(referenced.length > 0 ? { referenced } : {}), ...read });
      return outcomeOf(await driver.wait(key));
    });
  });

  after(async () => {
    await runtime?.close();
    await agent?.stop();
    await minio?.stop();
    await kube?.stop();
    await http?.close();
    if (shims) await rm(shims, { recursive: true, force: true });
  });

  for (const c of runnable) {
    it(`${c.file} ends ${c.expected}`, { timeout: 360_000 }, async () => {
      const outcome = await outcomes.get(c.file)!;
      if (RANDOM_BY_DESIGN.has(c.file) && outcome.phase === 'Failed' && outcome.exhausted) return;
      assert.equal(outcome.phase, c.expected, outcome.detail);
    });
  }

  it('runs the lifecycle hooks of both examples, each once, with their http templates', async () => {
    const wfLevel = await outcomes.get('examples/life-cycle-hooks-wf-level.yaml')!;
    const tmplLevel = await outcomes.get('examples/life-cycle-hooks-tmpl-level.yaml')!;
    assert.deepEqual(wfLevel.hooks, ['.hooks.running:HTTP:Succeeded', '.onExit:HTTP:Succeeded']);
    assert.deepEqual(tmplLevel.hooks, [
      '[0].step-1.hooks.running:HTTP:Succeeded',
      '[0].step-1.hooks.success:HTTP:Succeeded',
      '[1].step2.hooks.running:HTTP:Succeeded',
      '[1].step2.hooks.success:HTTP:Succeeded',
    ]);
    assert.ok(http.requests() >= 6);
  });

  it("keeps the outputs in MinIO: artifact-repository-ref's under its my-key repository, the others under the namespace's default", async () => {
    const ref = await outcomes.get('examples/artifact-repository-ref.yaml')!;
    const passing = await outcomes.get('examples/artifact-passing.yaml')!;
    assert.ok(ref.s3Keys.length > 0 && ref.s3Keys.every((k) => k.startsWith('my-key/')), ref.s3Keys.join(', '));
    assert.ok(passing.s3Keys.length > 0 && passing.s3Keys.every((k) => k.startsWith('default/')), passing.s3Keys.join(', '));
    const s3 = new S3Client(minio.s3Config());
    try {
      for (const key of [...ref.s3Keys, ...passing.s3Keys]) await s3.send(new HeadObjectCommand({ Bucket: minio.bucket, Key: key }));
    } finally {
      s3.destroy();
    }
  });

  it("archives the main container's log of both archiveLogs examples as main.log in MinIO", async () => {
    const s3 = new S3Client(minio.s3Config());
    try {
      for (const file of ['examples/archive-location.yaml', 'examples/workflow-template/workflow-archive-logs.yaml']) {
        const outcome = await outcomes.get(file)!;
        const logs = outcome.s3Keys.filter((k) => k.endsWith('/main.log'));
        assert.equal(logs.length, 1, `${file}: ${outcome.s3Keys.join(', ')}`);
        const object = await s3.send(new GetObjectCommand({ Bucket: minio.bucket, Key: logs[0]! }));
        assert.match(await object.Body!.transformToString(), /hello world/, file);
      }
    } finally {
      s3.destroy();
    }
  });

  it('runs on the cluster every corpus workflow that runs locally, but the excluded ones', () => {
    const local = cases.filter((c) => !LOCAL_EXCLUDED[c.file]);
    const excluded = local.filter((c) => KUBE_EXCLUDED[c.file]);
    process.stdout.write(`kube corpus: ${runnable.length} of ${local.length} locally runnable workflows run on the cluster, ${excluded.length} excluded\n`);
    for (const c of excluded) process.stdout.write(`  excluded ${c.file}: ${KUBE_EXCLUDED[c.file]}\n`);
    assert.equal(runnable.length + excluded.length, local.length);
    assert.ok(runnable.length >= 60, `only ${runnable.length} of ${local.length} corpus workflows run on the cluster`);
  });
});
