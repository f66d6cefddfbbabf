// Smoke test of the real-Kubernetes test environment: a kube-apiserver built from the pinned
// Kubernetes release, on etcd, with Skiff's CRDs. Each test checks one behaviour the rest of the
// suite will rely on. The first run on a machine builds the servers (minutes); later runs reuse them.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  ApiException,
  ApiextensionsV1Api,
  AuthenticationV1Api,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  type KubernetesObject,
  type V1ConfigMap,
} from '@kubernetes/client-node';
import { REPO_ROOT, startKubeApiServer, type KubeEnv } from '../env/kube/index.js';
import { httpsGet } from '../env/kube/wait-for-ready.js';

const NAMESPACE = 'default';

describe('real kube-apiserver test environment', () => {
  let kube: KubeEnv;
  let kc: KubeConfig;

  before(async () => {
    kube = await startKubeApiServer({ crdPaths: [join(REPO_ROOT, 'charts', 'skiff', 'crds')] });
    kc = new KubeConfig();
    kc.loadFromFile(kube.kubeconfigPath);
    const t = kube.timings;
    console.log(`kube env ready: certs ${t.certsMs} ms, servers ready ${t.readyMs} ms, CRDs ${t.crdsMs} ms`);
  });

  after(async () => {
    await kube?.stop();
  });

  // Raw HTTPS as the admin, for what the typed client hides: /version, discovery, Table output.
  async function adminGet(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
    const kubeconfig = JSON.parse(await readFile(kube.kubeconfigPath, 'utf8')) as {
      users: { user: { 'client-certificate-data': string; 'client-key-data': string } }[];
    };
    const user = kubeconfig.users[0]?.user;
    assert.ok(user, 'kubeconfig has a user');
    const tls = {
      ca: await readFile(kube.caCertPath),
      cert: Buffer.from(user['client-certificate-data'], 'base64'),
      key: Buffer.from(user['client-key-data'], 'base64'),
    };
    return httpsGet(`${kube.server}${path}`, tls, 5000, headers);
  }

  // A failing assertion carries the servers' last log lines, since the work directory is gone
  // once the suite ends.
  async function withLogs(body: () => Promise<void>): Promise<void> {
    try {
      await body();
    } catch (error) {
      if (error instanceof Error) error.message += `\n${await kube.tailLogs(30)}`;
      throw error;
    }
  }

  test('serves the pinned Kubernetes version', () =>
    withLogs(async () => {
      const { status, body } = await adminGet('/version');
      assert.equal(status, 200);
      const version = JSON.parse(body) as { major: string; minor: string; gitVersion: string };
      assert.equal(version.major, '1');
      assert.equal(version.minor, '36');
      assert.match(version.gitVersion, /^v1\.36\.\d+$/);
    }));

  test('installs the four argoproj.io CRDs with Argo’s names and scopes', () =>
    withLogs(async () => {
      const extensions = kc.makeApiClient(ApiextensionsV1Api);
      const expected: Record<string, { scope: string; shortNames: string[] }> = {
        'workflows.argoproj.io': { scope: 'Namespaced', shortNames: ['wf'] },
        'workflowtemplates.argoproj.io': { scope: 'Namespaced', shortNames: ['wftmpl'] },
        'clusterworkflowtemplates.argoproj.io': { scope: 'Cluster', shortNames: ['clusterwftmpl', 'cwft'] },
        'cronworkflows.argoproj.io': { scope: 'Namespaced', shortNames: ['cwf', 'cronwf'] },
      };
      for (const [name, want] of Object.entries(expected)) {
        const crd = await extensions.readCustomResourceDefinition({ name });
        assert.equal(crd.spec.scope, want.scope, `${name} scope`);
        assert.deepEqual(crd.spec.names.shortNames, want.shortNames, `${name} short names`);
        assert.deepEqual(
          crd.spec.versions.map((v) => v.name),
          ['v1alpha1'],
          `${name} versions`,
        );
        const established = crd.status?.conditions?.find((c) => c.type === 'Established');
        assert.equal(established?.status, 'True', `${name} Established`);
      }
      // kubectl resolves `kubectl get wf` through discovery, so the short names must show there.
      const discovery = await adminGet('/apis/argoproj.io/v1alpha1');
      assert.equal(discovery.status, 200);
      const resources = (JSON.parse(discovery.body) as { resources: { name: string; shortNames?: string[] }[] }).resources;
      assert.deepEqual(resources.find((r) => r.name === 'workflows')?.shortNames, ['wf']);
    }));

  test('server-side apply records field manager skiff with operation Apply', () =>
    withLogs(async () => {
      const objects = KubernetesObjectApi.makeApiClient(kc);
      const desired: V1ConfigMap = {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'artifact-repositories', namespace: NAMESPACE },
        data: { 'default-v1': 's3:\n  bucket: runs\n' },
      };
      await objects.patch(desired, undefined, undefined, 'skiff', true, PatchStrategy.ServerSideApply);
      const live = await kc.makeApiClient(CoreV1Api).readNamespacedConfigMap({ name: 'artifact-repositories', namespace: NAMESPACE });
      assert.equal(live.data?.['default-v1'], 's3:\n  bucket: runs\n');
      const entries = live.metadata?.managedFields ?? [];
      const skiff = entries.filter((f) => f.manager === 'skiff');
      assert.equal(skiff.length, 1, `managedFields: ${JSON.stringify(entries)}`);
      assert.equal(skiff[0]?.operation, 'Apply');
      assert.ok(JSON.stringify(skiff[0]?.fieldsV1).includes('f:default-v1'), 'skiff owns the data key it applied');
    }));

  test('creates and reads back a Workflow, and keeps .status written by an ordinary update', () =>
    withLogs(async () => {
      const objects = KubernetesObjectApi.makeApiClient(kc);
      type Workflow = KubernetesObject & { spec: Record<string, unknown>; status?: Record<string, unknown> };
      const workflow: Workflow = {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Workflow',
        metadata: {
          name: 'hello',
          namespace: NAMESPACE,
          labels: { 'workflows.argoproj.io/controller-instanceid': 'skiff' },
        },
        spec: {
          entrypoint: 'main',
          templates: [{ name: 'main', container: { image: 'busybox', command: ['echo', 'hi'] } }],
          // A field Skiff may not know yet must survive: the schema preserves unknown fields.
          somethingNew: { nested: [1, 2, 3] },
        },
      };
      const created = await objects.create(workflow);
      assert.ok(created.metadata?.uid, 'created object has a uid');

      const read = await objects.read<Workflow>({
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Workflow',
        metadata: { name: 'hello', namespace: NAMESPACE },
      });
      assert.deepEqual(read.spec, workflow.spec);
      assert.equal(read.metadata?.labels?.['workflows.argoproj.io/controller-instanceid'], 'skiff');

      // Argo's CRD has no status subresource, so status goes with the object; ours must match.
      const withStatus = await objects.replace<Workflow>({ ...read, status: { phase: 'Running', startedAt: '2026-11-22T00:00:00Z' } });
      assert.equal(withStatus.status?.phase, 'Running');
      const reread = await objects.read<Workflow>({
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Workflow',
        metadata: { name: 'hello', namespace: NAMESPACE },
      });
      assert.equal(reread.status?.phase, 'Running');

      // What `kubectl get wf` prints: the server's Table, with our printer columns.
      const table = await adminGet(`/apis/argoproj.io/v1alpha1/namespaces/${NAMESPACE}/workflows`, {
        Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io',
      });
      assert.equal(table.status, 200);
      const { columnDefinitions, rows } = JSON.parse(table.body) as {
        columnDefinitions: { name: string }[];
        rows: { cells: unknown[] }[];
      };
      const columns = columnDefinitions.map((c) => c.name);
      assert.deepEqual(columns.slice(0, 3), ['Name', 'Status', 'Age']);
      assert.deepEqual(
        rows.map((r) => r.cells.slice(0, 2)),
        [['hello', 'Running']],
      );
    }));

  test('refuses a request without credentials with 401', () =>
    withLogs(async () => {
      const ca = await readFile(kube.caCertPath);
      const { status } = await httpsGet(`${kube.server}/api/v1/namespaces/${NAMESPACE}/configmaps`, { ca });
      assert.equal(status, 401);
    }));

  test('enforces RBAC for a user outside system:masters', () =>
    withLogs(async () => {
      const userKc = new KubeConfig();
      userKc.loadFromFile(await kube.kubeconfigFor('jane/doe+ci=1', ['developers']));
      // The certificate's names reach the apiserver as written, odd characters included.
      const review = await userKc.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({ body: {} });
      assert.equal(review.status?.userInfo?.username, 'jane/doe+ci=1');
      assert.ok(review.status?.userInfo?.groups?.includes('developers'), JSON.stringify(review.status?.userInfo));
      await assert.rejects(
        userKc.makeApiClient(CoreV1Api).listNamespacedConfigMap({ namespace: NAMESPACE }),
        (error: unknown) => error instanceof ApiException && error.code === 403,
      );
    }));
});
