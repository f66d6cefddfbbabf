// The chart's RBAC for `skiff serve` on a cluster with its embedded controller, on a real
// kube-apiserver with RBAC authorization: the rendered ServiceAccount, Roles and bindings are
// applied, and serve's cluster side (its run launcher and embedded controller, limited to the
// managed namespace as `serve -n` limits them) connected as that ServiceAccount starts, follows and
// drives a run with every call recorded: none is refused, none reaches another namespace or every
// namespace. A run for another namespace is refused before anything is created, and what serve
// must not do (list Secrets, read other namespaces) is refused by the server.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { openClusterTarget } from '../../src/cli/cluster-target.js';
import { openServeCluster, type ServeCluster } from '../../src/cli/serve-cluster.js';
import { KubeConnection } from '../../src/kube/kube-connection.js';
import { KubeForbiddenError } from '../../src/kube/kube-errors.js';
import { serverSideApply } from '../../src/kube/server-side-apply.js';
import type { KubernetesObject } from '../../src/spec/model/kubernetes.js';
import type { Workflow } from '../../src/spec/model/workflow.js';
import { REPO_ROOT, startSkiffKube, type KubeEnv } from '../env/kube/index.js';
import { runCommand } from '../env/tools/run-command.js';
import { helmPath } from '../env/tools/tool-paths.js';
import { RecordingKubeClient } from '../helpers/recording-kube-client.js';
import { untilWithin } from '../helpers/until.js';

const CHART = join(REPO_ROOT, 'charts', 'skiff');
const RELEASE_NS = 'skiff-system';
const MANAGED = 'team-a';
const ELSEWHERE = 'team-b';
const ACCOUNT = `system:serviceaccount:${RELEASE_NS}:skiff`;
const WF_API = 'argoproj.io/v1alpha1';

async function rendered(values: string, namespace: string): Promise<KubernetesObject[]> {
  const result = await runCommand(helmPath(), ['template', 'skiff', CHART, '--namespace', namespace, '-f', join(CHART, 'ci', values)]);
  assert.equal(result.code, 0, result.stderr);
  return parseAllDocuments(result.stdout)
    .map((d) => d.toJS() as KubernetesObject | null)
    .filter((o): o is KubernetesObject => o !== null);
}

const until = untilWithin({ timeoutMs: 30_000, pollMs: 100 });

describe("the chart's skiff serve RBAC (cluster, embedded controller) on a real kube-apiserver", () => {
  let kube: KubeEnv;
  let admin: KubeConnection;
  let asServe: KubeConnection;
  let recording: RecordingKubeClient;
  let serve: ServeCluster | undefined;
  let log = '';

  before(async () => {
    ({ kube, client: admin } = await startSkiffKube());
    for (const name of [RELEASE_NS, MANAGED, ELSEWHERE]) await serverSideApply(admin, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    for (const object of await rendered('serve-embedded-values.yaml', RELEASE_NS)) {
      const clusterScoped = object.kind.startsWith('Cluster');
      await serverSideApply(admin, {
        ...object,
        metadata: { ...object.metadata, ...(clusterScoped ? {} : { namespace: object.metadata.namespace ?? RELEASE_NS }) },
      });
    }
    // What resource steps of team-a may do: they act as team-a's `default` service account.
    await admin.create({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'steps', namespace: MANAGED },
      rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'create'] }],
    } as KubernetesObject);
    await admin.create({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'steps', namespace: MANAGED },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'steps' },
      subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: MANAGED }],
    } as KubernetesObject);
    const kubeconfigPath = await kube.kubeconfigFor(ACCOUNT, ['system:serviceaccounts', `system:serviceaccounts:${RELEASE_NS}`]);
    asServe = KubeConnection.load({ kubeconfigPath, env: {} });
    recording = new RecordingKubeClient(asServe);
    const io = { stdout: { write: () => true }, stderr: { write: () => true }, cwd: REPO_ROOT, env: {} };
    // serve's cluster target, as `serve --in-cluster -n team-a` opens it, its calls recorded.
    const target = {
      ...openClusterTarget(io, { kubeconfig: kubeconfigPath, namespace: MANAGED }),
      client: recording as unknown as ReturnType<typeof openClusterTarget>['client'],
    };
    serve = openServeCluster(target, {
      controller: 'embedded',
      namespaces: [MANAGED],
      identity: 'serve-rbac-test',
      lease: { leaseNamespace: RELEASE_NS, leaseDurationSeconds: 2, retryPeriodMs: 200, renewDeadlineMs: 1500 },
      log: (line) => void (log += `${line}\n`),
    });
  });

  after(async () => {
    await serve?.close();
    await kube?.stop();
  });

  test('serve starts, follows and drives a run in its namespace as the chart’s ServiceAccount, no call refused, none outside it', async () => {
    const launcher = serve!.launcher;
    const workflow = {
      apiVersion: WF_API,
      kind: 'Workflow',
      metadata: { name: 'resources', namespace: MANAGED },
      spec: {
        entrypoint: 'main',
        templates: [
          { name: 'main', steps: [[{ name: 'make', template: 'make' }]] },
          { name: 'make', resource: { action: 'create', manifest: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: made}\ndata: {ready: "yes"}\n' } },
        ],
      },
    } as unknown as Workflow;
    const key = await launcher.submit(workflow, { 'skiff.dev/commit': 'abc' });
    const changes = launcher.changes(key);
    const phase = await until('the run ends', async () => {
      await changes.next(500);
      const run = await launcher.read(key);
      const now = run?.status.phase;
      return now === 'Succeeded' || now === 'Failed' || now === 'Error' ? now : undefined;
    });
    changes.close();
    assert.equal(phase, 'Succeeded', log);
    assert.deepEqual(
      (await launcher.find({ 'skiff.dev/commit': 'abc' })).map((run) => run.key),
      [key],
    );

    const refused = recording.calls.filter((c) => c.error?.startsWith('KubeForbiddenError'));
    assert.deepEqual(refused, [], JSON.stringify(refused, null, 1));
    const made = (verb: string, kind: string) => recording.calls.some((c) => c.verb === verb && c.kind === kind && c.namespace === MANAGED);
    for (const [verb, kind] of [
      ['watch', 'Workflow'],
      ['list', 'Workflow'],
      ['update', 'Workflow'],
    ] as const)
      assert.ok(made(verb, kind), `${verb} ${kind} in ${MANAGED}\n${JSON.stringify(recording.calls.map((c) => `${c.verb} ${c.kind} ${c.namespace}`))}`);
    assert.ok(
      recording.calls.some((c) => c.verb === 'get' && c.kind === 'Lease' && c.namespace === RELEASE_NS),
      'the lease, in the release namespace',
    );
    const outside = recording.calls.filter((c) => c.kind !== 'Lease' && c.namespace !== MANAGED && !c.kind.startsWith('Cluster') && c.verb !== 'impersonate');
    assert.deepEqual(outside, [], 'no call outside the managed namespace, nor across every namespace');
  });

  test('a run for a namespace serve does not manage is refused before anything is created, saying why', async () => {
    const workflow = {
      apiVersion: WF_API,
      kind: 'Workflow',
      metadata: { name: 'elsewhere', namespace: ELSEWHERE },
      spec: { entrypoint: 'main', templates: [{ name: 'main', container: { image: 'alpine' } }] },
    } as unknown as Workflow;
    await assert.rejects(serve!.launcher.submit(workflow, {}), /namespace "team-b" is not one this server runs workflows in \("team-a"\)/);
    assert.deepEqual((await admin.list(WF_API, 'Workflow', ELSEWHERE)).items, []);
  });

  test('serve is refused what it must not do: list Secrets, read or watch other namespaces or every namespace', async () => {
    const refusedCall = async (what: string, call: () => Promise<unknown>): Promise<void> => {
      await assert.rejects(call(), (error: unknown) => error instanceof KubeForbiddenError, what);
    };
    await refusedCall('list secrets', () => asServe.list('v1', 'Secret', MANAGED));
    await refusedCall('list workflows elsewhere', () => asServe.list(WF_API, 'Workflow', ELSEWHERE));
    await refusedCall('workflows of every namespace', () => asServe.list(WF_API, 'Workflow', undefined));
    await refusedCall('pods elsewhere', () => asServe.list('v1', 'Pod', ELSEWHERE));
    await refusedCall('impersonate a service account elsewhere', () =>
      asServe.impersonating(`system:serviceaccount:${ELSEWHERE}:default`).list('v1', 'ConfigMap', ELSEWHERE),
    );
  });
});
