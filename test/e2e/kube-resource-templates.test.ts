// Resource templates on the cluster runtime against a real kube-apiserver: Argo's k8s-* and
// resource-* examples run as they are (objects really created, patched, read and deleted), with the
// test playing the part of the controllers this API server lacks (it writes a Job's or a child
// Workflow's status through the status subresource). No pod runs: resource steps act from the
// controller, impersonating the step's service account; manifestFrom reads raw and S3 (MinIO)
// artifacts. Also: a step can do no more than that
// account, a run cannot reach another namespace, and a restarted runtime does not create a step's
// object twice.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { BatchV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { parse } from 'yaml';
import type { WorkflowStatus } from '../../src/engine/workflow-status.js';
import type { PodRequest } from '../../src/engine/engine-events.js';
import type { KubeConnection } from '../../src/kube/kube-connection.js';
import { KubeRunStore } from '../../src/kube/kube-run-store.js';
import { serverSideApply } from '../../src/kube/server-side-apply.js';
import type { RuntimeEvent } from '../../src/ports/runtime.js';
import { RunDriver } from '../../src/runs/run-driver.js';
import { createKubeRuntime, type KubeRuntime } from '../../src/runtime/cluster/kube-runtime.js';
import type { KubernetesObject } from '../../src/spec/model/kubernetes.js';
import type { Template, Workflow } from '../../src/spec/model/workflow.js';
import { startSkiffKube, type KubeEnv } from '../env/kube/index.js';
import { startMinio, type MinioServer } from '../env/minio/start-minio.js';
import { argoCorpusDir } from '../helpers/paths.js';
import { createMinioRepository } from '../helpers/minio-repository.js';

const NS = 'rt';
const OTHER = 'rt-other';
const WF_API = 'argoproj.io/v1alpha1';

describe('resource templates on KubeRuntime against a real kube-apiserver', () => {
  let kube: KubeEnv;
  let client: KubeConnection;
  let minio: MinioServer;
  const runtimes: KubeRuntime[] = [];
  let driver: RunDriver;

  const example = (file: string): Workflow => {
    // k8s-patch-json-workflow.yaml has `annotations` twice under metadata; the later one wins, as it would for Argo's tests.
    const wf = parse(readFileSync(join(argoCorpusDir, 'examples', file), 'utf8'), { uniqueKeys: false }) as Workflow;
    wf.metadata = { ...wf.metadata, namespace: NS, labels: { ...wf.metadata.labels, 'workflows.argoproj.io/controller-instanceid': 'skiff' } };
    return wf;
  };
  const inline = (yaml: string): Workflow => {
    const wf = parse(yaml) as Workflow;
    wf.metadata = { ...wf.metadata, namespace: NS, labels: { 'workflows.argoproj.io/controller-instanceid': 'skiff' } };
    return wf;
  };
  const nodes = (status: WorkflowStatus) => Object.values(status.nodes).filter((n) => n.type === 'Pod');
  const detail = (status: WorkflowStatus): string => JSON.stringify(nodes(status).map((n) => [n.displayName, n.phase, n.message]));
  const until = async <T>(what: string, find: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = await find();
      if (found !== undefined) return found;
      if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const listed = async (apiVersion: string, kind: string, namespace: string, prefix: string) =>
    (await client.list(apiVersion, kind, namespace)).items.filter((o) => o.metadata.name?.startsWith(prefix));
  /** What a job controller would write: the Job's status, through its status subresource. */
  const setJobStatus = async (name: string, status: Record<string, unknown>): Promise<void> => {
    const kc = new KubeConfig();
    kc.loadFromFile(kube.kubeconfigPath);
    await kc
      .makeApiClient(BatchV1Api)
      .patchNamespacedJobStatus(
        { name, namespace: NS, body: { status: { startTime: new Date().toISOString(), ...status } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
  };
  const runUid = async (id: string): Promise<string> =>
    (await client.get({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', namespace: NS, name: id.split('/')[1]! })).metadata.uid ?? '';

  before(async () => {
    ({ kube, client } = await startSkiffKube());
    for (const name of [NS, OTHER]) await serverSideApply(client, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    minio = await startMinio();
    await createMinioRepository(client, minio, NS);
    // Resource steps act as their service account (here the namespace's `default`): what it may do, they may.
    await client.create({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'resource-steps', namespace: NS },
      rules: [
        { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'create', 'update', 'patch', 'delete'] },
        { apiGroups: [''], resources: ['pods'], verbs: ['get', 'patch'] },
        { apiGroups: ['batch'], resources: ['jobs'], verbs: ['get', 'list', 'create'] },
        { apiGroups: ['argoproj.io'], resources: ['workflows'], verbs: ['get', 'list', 'create', 'patch'] },
      ],
    } as KubernetesObject);
    await client.create({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'resource-steps', namespace: NS },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'resource-steps' },
      subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: NS }],
    } as KubernetesObject);
    const runtime = createKubeRuntime({ client, namespaces: [NS], resourcePollMs: 100 });
    runtimes.push(runtime);
    driver = new RunDriver({ store: new KubeRunStore(client, { namespaces: [NS] }), runtime });
  });

  after(async () => {
    driver?.close();
    for (const runtime of runtimes) await runtime.close();
    await minio?.stop();
    await kube?.stop();
  });

  test('k8s-set-owner-reference: the ConfigMap is created in the run namespace, owned by the run', async () => {
    const id = await driver.submit(example('k8s-set-owner-reference.yaml'));
    const status = await driver.wait(id);
    assert.equal(status.phase, 'Succeeded', detail(status));
    const [owned, ...more] = await listed('v1', 'ConfigMap', NS, 'owned-eg-');
    assert.equal(more.length, 0);
    assert.deepEqual((owned as KubernetesObject & { data?: Record<string, string> }).data, { some: 'value' });
    const owners = owned!.metadata.ownerReferences as Array<{ kind: string; name: string; uid: string; blockOwnerDeletion?: boolean }>;
    assert.deepEqual(
      owners.map((o) => [o.kind, o.name, o.uid, o.blockOwnerDeletion]),
      [['Workflow', id.split('/')[1], await runUid(id), true]],
    );
  });

  test('k8s-jobs: waits for status.succeeded > 2 (written here, as a job controller would) and outputs the name by jsonPath and the object by jqFilter', async () => {
    const id = await driver.submit(example('k8s-jobs.yaml'));
    const job = await until('the Job exists', async () => (await listed('batch/v1', 'Job', NS, 'rand-num-'))[0]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(driver.status(id)?.phase, 'Running', 'the step waits while no pod of the Job has succeeded');
    await setJobStatus(job.metadata.name!, { succeeded: 3 });
    const status = await driver.wait(id);
    assert.equal(status.phase, 'Succeeded', detail(status));
    const outputs = nodes(status)[0]?.outputs?.parameters ?? [];
    assert.equal(outputs.find((p) => p.name === 'job-name')?.value, job.metadata.name);
    const object = JSON.parse(String(outputs.find((p) => p.name === 'job-obj')?.value)) as KubernetesObject & { status?: { succeeded?: number } };
    assert.equal(object.kind, 'Job');
    assert.equal(object.status?.succeeded, 3);
  });

  test('a failure condition that holds fails the step, naming the condition and the object', async () => {
    const wf = example('k8s-jobs.yaml');
    wf.metadata = { ...wf.metadata, name: 'jobs-failing' };
    const id = await driver.submit(wf);
    const job = await until('the Job exists', async () =>
      (await listed('batch/v1', 'Job', NS, 'rand-num-')).find((j) => (j.metadata.ownerReferences as Array<{ name: string }>)?.[0]?.name === 'jobs-failing'),
    );
    await setJobStatus(job.metadata.name!, { failed: 2 });
    const status = await driver.wait(id);
    assert.equal(status.phase, 'Failed', detail(status));
    assert.equal(nodes(status)[0]?.message, `failure condition "status.failed > 1" holds for Job ${NS}/${job.metadata.name}`);
  });

  test('k8s-wait-wf: a child Workflow is created, then awaited with get until its phase is Succeeded', async () => {
    const id = await driver.submit(example('k8s-wait-wf.yaml'));
    const child = await until('the child Workflow exists', async () => (await listed('argoproj.io/v1alpha1', 'Workflow', NS, 'sleep-'))[0]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(driver.status(id)?.phase, 'Running');
    const ref = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', namespace: NS, name: child.metadata.name! };
    // Argo's Workflow CRD has no status subresource: status is written with the object.
    await client.patch(ref, { status: { phase: 'Succeeded' } }, 'merge');
    const status = await driver.wait(id);
    assert.equal(status.phase, 'Succeeded', detail(status));
  });

  test('workflow-of-workflows: each child Workflow is created and awaited until its phase says Succeeded', async () => {
    const id = await driver.submit(example('workflow-of-workflows.yaml'));
    for (const prefix of ['workflow-of-workflows-1-', 'workflow-of-workflows-2-']) {
      const child = await until(`${prefix}* exists`, async () => (await listed(WF_API, 'Workflow', NS, prefix))[0]);
      if (prefix.endsWith('2-'))
        assert.deepEqual((child as KubernetesObject & { spec: { arguments?: unknown } }).spec.arguments, {
          parameters: [{ name: 'message', value: 'Welcome Argo' }],
        });
      await client.patch({ apiVersion: WF_API, kind: 'Workflow', namespace: NS, name: child.metadata.name! }, { status: { phase: 'Succeeded' } }, 'merge');
    }
    const status = await driver.wait(id);
    assert.equal(status.phase, 'Succeeded', detail(status));
  });

  test('k8s-patch-json-workflow (json patch by flags) and k8s-owner-reference run as in Argo', async () => {
    const patched = await driver.wait(await driver.submit(example('k8s-patch-json-workflow.yaml')));
    assert.equal(patched.phase, 'Succeeded', detail(patched));
    const wf = (await listed('argoproj.io/v1alpha1', 'Workflow', NS, 'k8s-patch-json-workflow-'))[0];
    assert.equal(wf?.metadata.labels?.foo, 'bar');
    const owning = await driver.submit(example('k8s-owner-reference.yaml'));
    assert.equal((await driver.wait(owning)).phase, 'Succeeded');
    const owned = await listed('argoproj.io/v1alpha1', 'Workflow', NS, 'owned-eg-');
    assert.equal(owned.length, 1);
    assert.equal((owned[0]!.metadata.ownerReferences as Array<{ uid: string }>)[0]?.uid, await runUid(owning));
  });

  test('resource-delete-with-flags: the ConfigMap is created, then deleted by --selector', async () => {
    const id = await driver.submit(example('resource-delete-with-flags.yaml'));
    const status = await driver.wait(id);
    assert.equal(status.phase, 'Succeeded', detail(status));
    assert.deepEqual((await client.list('v1', 'ConfigMap', NS, { labelSelector: 'cleanup=true' })).items, []);
    assert.ok(nodes(status).some((n) => n.displayName === 'submit-resource' && n.phase === 'Succeeded'));
  });

  test('apply, strategic patch, replace and get on one ConfigMap, with outputs', async () => {
    const id = await driver.submit(
      inline(`
metadata: {name: crud}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: apply, template: apply}
      - {name: apply-other, template: apply-other}
    - - {name: patch, template: patch}
    - - {name: replace, template: replace}
    - - {name: get, template: get}
  - name: apply
    resource: {action: apply, manifest: "apiVersion: v1\\nkind: ConfigMap\\nmetadata: {name: crud-cm}\\ndata: {a: '1'}\\n"}
  - name: apply-other
    resource: {action: apply, manifest: "apiVersion: v1\\nkind: ConfigMap\\nmetadata: {name: crud-other}\\ndata: {a: '1'}\\n"}
  - name: patch
    resource: {action: patch, manifest: "apiVersion: v1\\nkind: ConfigMap\\nmetadata: {name: crud-cm, labels: {stage: patched}}\\ndata: {b: '2'}\\n"}
  - name: replace
    resource: {action: replace, manifest: "apiVersion: v1\\nkind: ConfigMap\\nmetadata: {name: crud-cm, labels: {stage: replaced}}\\ndata: {c: '3'}\\n"}
  - name: get
    resource:
      action: get
      successCondition: metadata.labels.stage == replaced, data.c = 3
      manifest: "apiVersion: v1\\nkind: ConfigMap\\nmetadata: {name: crud-cm}\\n"
    outputs:
      parameters:
      - {name: data, valueFrom: {jsonPath: '{.data}'}}
      - {name: ref, valueFrom: {jsonPath: '{.kind}/{.metadata.name}'}}
`),
    );
    const status = await driver.wait(id);
    assert.equal(status.phase, 'Succeeded', detail(status));
    const live = await client.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: NS, name: 'crud-other' });
    assert.ok(
      (live.metadata.managedFields as Array<{ manager: string }>).some((f) => f.manager === 'skiff-resource-step'),
      'applied by a field manager of its own, not the sync’s',
    );
    const get = nodes(status).find((n) => n.displayName === 'get');
    assert.deepEqual(
      get?.outputs?.parameters?.map((p) => [p.name, p.value]),
      [
        ['data', '{"c":"3"}'],
        ['ref', 'ConfigMap/crud-cm'],
      ],
    );
  });

  test('manifestFrom.artifact: a raw input artifact is the manifest; http, git or local ones are not fetched by the controller', async () => {
    const id = await driver.submit(
      inline(`
metadata: {name: from-artifact}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: raw, template: raw}
      - {name: http, template: http, continueOn: {failed: true}}
      - {name: missing, template: missing, continueOn: {failed: true}}
  - name: raw
    inputs:
      artifacts:
      - name: manifest
        path: /tmp/manifest.yaml
        raw: {data: "apiVersion: v1\\nkind: ConfigMap\\nmetadata: {name: from-raw}\\ndata: {k: v}\\n"}
    resource: {action: create, manifestFrom: {artifact: {name: manifest}}}
    outputs: {parameters: [{name: k, valueFrom: {jsonPath: '{.data.k}'}}]}
  - name: http
    inputs:
      artifacts:
      - {name: manifest, path: /tmp/m.yaml, http: {url: "http://169.254.169.254/latest/meta-data/"}}
    resource: {action: create, manifestFrom: {artifact: {name: manifest}}}
  - name: missing
    resource: {action: create, manifestFrom: {artifact: {name: nowhere}}}
`),
    );
    const status = await driver.wait(id);
    const byName = (name: string) => nodes(status).find((n) => n.displayName === name);
    assert.equal(byName('raw')?.phase, 'Succeeded', detail(status));
    assert.equal(byName('raw')?.outputs?.parameters?.[0]?.value, 'v');
    assert.match(byName('http')?.message ?? '', /must be raw or in S3: Skiff reads it from the controller, which fetches no http, git or local artifacts/);
    assert.match(byName('missing')?.message ?? '', /names "nowhere", which is not an input artifact of the step/);
  });

  test('manifestFrom.artifact in the run’s S3 repository (a key only) is read with the namespace’s credentials', async () => {
    const s3 = new S3Client(minio.s3Config());
    await s3.send(
      new PutObjectCommand({
        Bucket: minio.bucket,
        Key: 'manifests/cm.yaml',
        Body: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-s3}\ndata: {k: s3}\n',
      }),
    );
    s3.destroy();
    const id = await driver.submit(
      inline(`
metadata: {name: from-s3}
spec:
  entrypoint: make
  templates:
  - name: make
    inputs: {artifacts: [{name: manifest, path: /tmp/m.yaml, s3: {key: manifests/cm.yaml}}]}
    resource: {action: create, manifestFrom: {artifact: {name: manifest}}}
`),
    );
    const status = await driver.wait(id);
    assert.equal(status.phase, 'Succeeded', detail(status));
    const made = await client.get<KubernetesObject & { data?: Record<string, string> }>({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: NS,
      name: 'from-s3',
    });
    assert.deepEqual(made.data, { k: 's3' });
  });

  test("Argo's examples that patch the step's own pod fail clearly: a resource step has no pod on Skiff", async () => {
    for (const file of ['k8s-patch-pod.yaml', 'k8s-patch-merge-pod.yaml', 'k8s-patch-json-pod.yaml']) {
      const status = await driver.wait(await driver.submit(example(file)));
      assert.equal(status.phase, 'Failed', `${file}: ${detail(status)}`);
      assert.match(nodes(status)[0]?.message ?? '', /resource patch failed: Pod rt\/k8s-patch-.* not found/, file);
    }
  });

  test('resource-flags: a kind the server does not serve fails each step with a message naming it', async () => {
    const status = await driver.wait(await driver.submit(example('resource-flags.yaml')));
    assert.equal(status.phase, 'Failed', detail(status));
    assert.equal(nodes(status).length, 2);
    for (const node of nodes(status)) assert.match(node.message ?? '', /serves no Route in route.openshift.io\/v1/);
  });

  test('attacker: a run cannot create, read, patch or delete in another namespace', async () => {
    await client.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'victim', namespace: OTHER }, data: { keep: 'me' } } as KubernetesObject);
    const id = await driver.submit(
      inline(`
metadata: {name: escape}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: create, template: create, continueOn: {failed: true}}
      - {name: read, template: read, continueOn: {failed: true}}
      - {name: delete, template: delete, continueOn: {failed: true}}
      - {name: patch, template: patch, continueOn: {failed: true}}
  - name: create
    resource: {action: create, manifest: "apiVersion: v1\\nkind: ConfigMap\\nmetadata: {name: planted, namespace: ${OTHER}}\\n"}
  - name: read
    resource: {action: get, manifest: "apiVersion: v1\\nkind: ConfigMap\\nmetadata: {name: victim, namespace: ${OTHER}}\\n"}
    outputs: {parameters: [{name: stolen, valueFrom: {jsonPath: '{.data.keep}'}}]}
  - name: delete
    resource: {action: delete, flags: [configmap, victim, -n, ${OTHER}]}
  - name: patch
    resource: {action: patch, mergeStrategy: merge, flags: [configmap, victim, "--namespace=${OTHER}"], manifest: "data: {keep: changed}"}
`),
    );
    const status = await driver.wait(id);
    for (const node of nodes(status)) {
      assert.equal(node.phase, 'Failed', detail(status));
      assert.match(node.message ?? '', /act in the run's namespace "rt" only/);
      assert.equal(node.outputs?.parameters, undefined);
    }
    const victim = await client.get<KubernetesObject & { data?: Record<string, string> }>({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: OTHER,
      name: 'victim',
    });
    assert.deepEqual(victim.data, { keep: 'me' });
    assert.deepEqual(await listed('v1', 'ConfigMap', OTHER, 'planted'), []);
  });

  test("a step acts as its service account: what the account may not do, the step cannot, whatever the controller's rights", async () => {
    const id = await driver.submit(
      inline(`
metadata: {name: as-account}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: secret, template: secret, continueOn: {failed: true}}
      - {name: other-account, template: other-account, continueOn: {failed: true}}
      - {name: allowed, template: allowed}
  - name: secret
    resource: {action: create, manifest: "apiVersion: v1\\nkind: Secret\\nmetadata: {name: minted}\\nstringData: {a: b}\\n"}
  - name: other-account
    serviceAccountName: builder
    resource: {action: create, manifest: "apiVersion: v1\\nkind: ConfigMap\\nmetadata: {name: by-builder}\\n"}
  - name: allowed
    resource: {action: create, manifest: "apiVersion: v1\\nkind: ConfigMap\\nmetadata: {name: by-default}\\n"}
`),
    );
    const status = await driver.wait(id);
    const byName = (name: string) => nodes(status).find((n) => n.displayName === name);
    assert.equal(byName('allowed')?.phase, 'Succeeded', detail(status));
    assert.equal(byName('secret')?.phase, 'Failed');
    assert.match(byName('secret')?.message ?? '', /forbidden.*system:serviceaccount:rt:default.*secrets/i);
    assert.match(byName('other-account')?.message ?? '', /forbidden.*system:serviceaccount:rt:builder.*configmaps/i);
    await assert.rejects(client.get({ apiVersion: 'v1', kind: 'Secret', namespace: NS, name: 'minted' }), /not found/);
  });

  test('a step killed while it waits (its deadline) ends Failed, and its runtime reports nothing more', async () => {
    const id = await driver.submit(
      inline(`
metadata: {name: never}
spec:
  entrypoint: wait
  templates:
  - name: wait
    activeDeadlineSeconds: 1
    resource:
      action: create
      successCondition: status.phase == Never
      manifest: "apiVersion: v1\\nkind: ConfigMap\\nmetadata: {generateName: never-}\\n"
`),
    );
    const status = await driver.wait(id);
    assert.equal(status.phase, 'Failed', detail(status));
    assert.match(nodes(status)[0]?.message ?? '', /deadline/i);
  });

  test('a runtime that takes over a create step after a restart finds its object instead of making a second', async () => {
    await client.create({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Workflow',
      metadata: { name: 'restarted', namespace: NS },
      spec: { entrypoint: 'make', templates: [] },
    } as KubernetesObject);
    const template: Template = { name: 'make', resource: { action: 'create', manifest: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {generateName: once-}\n' } };
    template.outputs = { parameters: [{ name: 'name', valueFrom: { jsonPath: '{.metadata.name}' } }] };
    const request: PodRequest = { workflowName: 'restarted', workflowNamespace: NS, nodeId: 'restarted-1', podName: 'restarted-make-1', template, inputs: {} };
    const runOnce = async (asked: PodRequest): Promise<RuntimeEvent> => {
      const runtime = createKubeRuntime({ client, namespaces: [NS] });
      runtimes.push(runtime);
      const ended = new Promise<RuntimeEvent>((resolve) =>
        runtime.run(asked, (event) => {
          if (event.type === 'pod-finished' || event.type === 'pod-error') resolve(event);
        }),
      );
      const event = await ended;
      await runtime.close();
      return event;
    };
    const first = await runOnce(request);
    const second = await runOnce({ ...request, askedBefore: new Date().toISOString() });
    const name = (event: RuntimeEvent) => (event.type === 'pod-finished' ? event.outputs?.parameters?.[0]?.value : JSON.stringify(event));
    assert.match(String(name(first)), /^once-/);
    assert.equal(name(second), name(first));
    assert.equal((await listed('v1', 'ConfigMap', NS, 'once-')).length, 1);
  });
});
