// The chart's RBAC for `skiff controller`, on a real kube-apiserver with RBAC authorization: the
// rendered ServiceAccount, Roles and bindings are applied, and a controller connected as that
// ServiceAccount drives runs (resource steps acting as their own service account, a pod step with a
// PersistentVolumeClaim and a WorkflowTemplate, terminated) with every call recorded: none is
// refused. What no run here reaches (CronWorkflow writes, Secrets by name) is asked of the server
// as a SubjectAccessReview. And what the controller must not do (list or create Secrets, act in a
// namespace it does not drive, impersonate there) is refused.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { type Controller, startController } from '../../src/controller/start-controller.js';
import { createControllerRuntime } from '../../src/controller/create-controller-runtime.js';
import { KubeConnection } from '../../src/kube/kube-connection.js';
import { KubeForbiddenError } from '../../src/kube/kube-errors.js';
import { serverSideApply } from '../../src/kube/server-side-apply.js';
import type { KubeRuntime } from '../../src/runtime/cluster/kube-runtime.js';
import type { KubernetesObject } from '../../src/spec/model/kubernetes.js';
import type { Workflow } from '../../src/spec/model/workflow.js';
import { REPO_ROOT, startSkiffKube, type KubeEnv } from '../env/kube/index.js';
import { runCommand } from '../env/tools/run-command.js';
import { helmPath } from '../env/tools/tool-paths.js';
import { RecordingKubeClient } from '../helpers/recording-kube-client.js';
import { untilWithin } from '../helpers/until.js';

const CHART = join(REPO_ROOT, 'charts', 'skiff');
const RELEASE_NS = 'skiff-system';
const DRIVEN = 'team-a';
const ELSEWHERE = 'team-b';
const ACCOUNT = `system:serviceaccount:${RELEASE_NS}:skiff-controller`;
const INSTANCE = { 'workflows.argoproj.io/controller-instanceid': 'skiff' };
const WF_API = 'argoproj.io/v1alpha1';

async function rendered(values: string, namespace: string): Promise<KubernetesObject[]> {
  const result = await runCommand(helmPath(), ['template', 'skiff', CHART, '--namespace', namespace, '-f', join(CHART, 'ci', values)]);
  assert.equal(result.code, 0, result.stderr);
  return parseAllDocuments(result.stdout)
    .map((d) => d.toJS() as KubernetesObject | null)
    .filter((o): o is KubernetesObject => o !== null);
}

const until = untilWithin({ timeoutMs: 30_000, pollMs: 100 });

describe("the chart's controller RBAC on a real kube-apiserver", () => {
  let kube: KubeEnv;
  let admin: KubeConnection;
  let asController: KubeConnection;
  let recording: RecordingKubeClient;
  let controller: Controller | undefined;
  let runtime: KubeRuntime | undefined;

  /** Applies every rendered object for real, in the release namespace unless it names its own. */
  const install = async (objects: KubernetesObject[], namespace: string): Promise<void> => {
    for (const object of objects) {
      const clusterScoped = object.kind.startsWith('Cluster');
      await serverSideApply(admin, {
        ...object,
        metadata: { ...object.metadata, ...(clusterScoped ? {} : { namespace: object.metadata.namespace ?? namespace }) },
      });
    }
  };
  const connectionAs = async (user: string, namespace: string): Promise<KubeConnection> =>
    KubeConnection.load({ kubeconfigPath: await kube.kubeconfigFor(user, ['system:serviceaccounts', `system:serviceaccounts:${namespace}`]), env: {} });
  /** Asks the server whether `user` may do this (what `kubectl auth can-i --as` asks). */
  const allowed = async (
    user: string,
    namespace: string | undefined,
    verb: string,
    group: string,
    resource: string,
    subresource?: string,
  ): Promise<boolean> => {
    const review = await admin.create<KubernetesObject & { status?: { allowed?: boolean } }>({
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      metadata: {},
      spec: {
        user,
        groups: ['system:serviceaccounts', `system:serviceaccounts:${user.split(':')[2]}`, 'system:authenticated'],
        resourceAttributes: { verb, group, resource, ...(namespace ? { namespace } : {}), ...(subresource ? { subresource } : {}) },
      },
    } as KubernetesObject);
    return review.status?.allowed === true;
  };
  const phaseOf = async (name: string): Promise<string | undefined> => {
    const wf = await admin.get<Workflow>({ apiVersion: WF_API, kind: 'Workflow', namespace: DRIVEN, name });
    const phase = (wf.status as { phase?: string } | undefined)?.phase;
    return phase === 'Succeeded' || phase === 'Failed' || phase === 'Error' ? phase : undefined;
  };

  before(async () => {
    ({ kube, client: admin } = await startSkiffKube());
    for (const name of [RELEASE_NS, DRIVEN, ELSEWHERE, 'skiff-ops']) await serverSideApply(admin, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    await install(await rendered('controller-values.yaml', RELEASE_NS), RELEASE_NS);
    // What resource steps of team-a may do: they act as team-a's `default` service account.
    await admin.create({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'steps', namespace: DRIVEN },
      rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'create'] }],
    } as KubernetesObject);
    await admin.create({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'steps', namespace: DRIVEN },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'steps' },
      subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: DRIVEN }],
    } as KubernetesObject);
    asController = await connectionAs(ACCOUNT, RELEASE_NS);
    recording = new RecordingKubeClient(asController);
  });

  after(async () => {
    await controller?.close();
    await runtime?.close();
    await kube?.stop();
  });

  test('a controller connected as the chart’s ServiceAccount drives runs with no call refused', async () => {
    runtime = createControllerRuntime(recording, { namespace: DRIVEN });
    controller = startController({
      connection: recording,
      runtime,
      namespace: DRIVEN,
      leaseNamespace: RELEASE_NS,
      leaseName: 'skiff-controller',
      identity: 'rbac-test',
      leaseDurationSeconds: 2,
      retryPeriodMs: 200,
      renewDeadlineMs: 1500,
    });
    await admin.create({
      apiVersion: WF_API,
      kind: 'WorkflowTemplate',
      metadata: { name: 'shared', namespace: DRIVEN },
      spec: { templates: [{ name: 'work', container: { image: 'alpine', command: ['true'], volumeMounts: [{ name: 'scratch', mountPath: '/s' }] } }] },
    } as KubernetesObject);
    await admin.create({
      apiVersion: WF_API,
      kind: 'Workflow',
      metadata: { name: 'resources', namespace: DRIVEN, labels: INSTANCE },
      spec: {
        entrypoint: 'main',
        templates: [
          { name: 'main', steps: [[{ name: 'make', template: 'make' }], [{ name: 'read', template: 'read' }]] },
          { name: 'make', resource: { action: 'create', manifest: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: made}\ndata: {ready: "yes"}\n' } },
          {
            name: 'read',
            resource: { action: 'get', successCondition: 'data.ready == yes', manifest: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: made}\n' },
            outputs: { parameters: [{ name: 'ready', valueFrom: { jsonPath: '{.data.ready}' } }] },
          },
        ],
      },
    } as KubernetesObject);
    await admin.create({
      apiVersion: WF_API,
      kind: 'Workflow',
      metadata: { name: 'pods', namespace: DRIVEN, labels: INSTANCE },
      spec: {
        entrypoint: 'main',
        volumeClaimGC: { strategy: 'OnWorkflowCompletion' },
        volumeClaimTemplates: [{ metadata: { name: 'scratch' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Mi' } } } }],
        templates: [{ name: 'main', steps: [[{ name: 'work', templateRef: { name: 'shared', template: 'work' } }]] }],
      },
    } as KubernetesObject);

    assert.equal(await until('the resource run ends', () => phaseOf('resources')), 'Succeeded');
    // No node runs the pod here: it stays Pending until the run is terminated, which deletes it.
    await until('the step pod exists', async () => (await admin.list('v1', 'Pod', DRIVEN)).items[0]);
    await until('the claim exists', async () => (await admin.list('v1', 'PersistentVolumeClaim', DRIVEN)).items[0]);
    await admin.patch({ apiVersion: WF_API, kind: 'Workflow', namespace: DRIVEN, name: 'pods' }, { spec: { shutdown: 'Terminate' } }, 'merge');
    assert.equal(await until('the pod run ends', () => phaseOf('pods')), 'Failed');
    await until('the pod is deleted', async () => ((await admin.list('v1', 'Pod', DRIVEN)).items.length === 0 ? true : undefined));
    await until('the claim is deleted', async () =>
      (await admin.list('v1', 'PersistentVolumeClaim', DRIVEN)).items.every((c) => c.metadata.deletionTimestamp !== undefined) ? true : undefined,
    );

    const refused = recording.calls.filter((c) => c.error?.startsWith('KubeForbiddenError'));
    assert.deepEqual(refused, [], JSON.stringify(refused, null, 1));
    const made = (verb: string, kind: string, as?: string) => recording.calls.some((c) => c.verb === verb && c.kind === kind && c.as === as);
    // The calls this test exists for were made (and allowed), by the controller or as the step's service account.
    for (const [verb, kind] of [
      ['watch', 'Workflow'],
      ['update', 'Workflow'],
      ['watch', 'Pod'],
      ['create', 'Pod'],
      ['delete', 'Pod'],
      ['create', 'PersistentVolumeClaim'],
      ['delete', 'PersistentVolumeClaim'],
      ['get', 'WorkflowTemplate'],
      ['create', 'ConfigMap'],
      ['get', 'Lease'],
    ] as const)
      assert.ok(made(verb, kind), `${verb} ${kind} was made\n${JSON.stringify(recording.calls.map((c) => `${c.verb} ${c.kind}`))}`);
    assert.ok(made('create', 'ConfigMap', `system:serviceaccount:${DRIVEN}:default`), 'the resource step created its ConfigMap as its service account');
    assert.ok(made('impersonate', 'ServiceAccount'));
  });

  test('what no run here reaches is allowed too (CronWorkflow writes, Secrets by name); what it never calls is not', async () => {
    for (const [verb, group, resource] of [
      ['create', 'argoproj.io', 'workflows'],
      ['delete', 'argoproj.io', 'workflows'],
      ['patch', 'argoproj.io', 'cronworkflows'],
      ['list', 'argoproj.io', 'cronworkflows'],
      ['get', 'argoproj.io', 'workflowtemplates'],
      ['get', '', 'secrets'],
      ['update', '', 'configmaps'],
      ['delete', '', 'configmaps'],
      ['impersonate', '', 'serviceaccounts'],
    ] as const)
      assert.equal(await allowed(ACCOUNT, DRIVEN, verb, group, resource), true, `${verb} ${group}/${resource} in ${DRIVEN}`);
    assert.equal(await allowed(ACCOUNT, undefined, 'get', 'argoproj.io', 'clusterworkflowtemplates'), true);
    // Nothing more than it calls: no logs, no events, no pod exec, no Secret lists.
    for (const [verb, resource, subresource] of [
      ['get', 'pods', 'log'],
      ['create', 'pods', 'exec'],
      ['create', 'events', undefined],
      ['watch', 'secrets', undefined],
      ['patch', 'pods', undefined],
    ] as const)
      assert.equal(await allowed(ACCOUNT, DRIVEN, verb, '', resource, subresource), false, `${verb} ${resource}${subresource ? `/${subresource}` : ''}`);
    assert.equal(await allowed(ACCOUNT, RELEASE_NS, 'update', 'coordination.k8s.io', 'leases'), true);
  });

  test('the controller is refused what it must not do: list or create Secrets, act in a namespace it does not drive, reach cluster-wide', async () => {
    const refusedCall = async (what: string, call: () => Promise<unknown>): Promise<void> => {
      await assert.rejects(call(), (error: unknown) => error instanceof KubeForbiddenError, what);
    };
    await refusedCall('list secrets', () => asController.list('v1', 'Secret', DRIVEN));
    await refusedCall('create a secret', () =>
      asController.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x', namespace: DRIVEN } } as KubernetesObject),
    );
    await refusedCall('list pods elsewhere', () => asController.list('v1', 'Pod', ELSEWHERE));
    await refusedCall('list workflows elsewhere', () => asController.list(WF_API, 'Workflow', ELSEWHERE));
    await refusedCall('pods of every namespace', () => asController.list('v1', 'Pod', undefined));
    await refusedCall('config maps of kube-system', () => asController.list('v1', 'ConfigMap', 'kube-system'));
    await refusedCall('create a ClusterRoleBinding', () =>
      asController.create({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: 'escalate' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
        subjects: [{ kind: 'ServiceAccount', name: 'skiff-controller', namespace: RELEASE_NS }],
      } as KubernetesObject),
    );
    await refusedCall('impersonate a service account elsewhere', () =>
      asController.impersonating(`system:serviceaccount:${ELSEWHERE}:default`).list('v1', 'ConfigMap', ELSEWHERE),
    );
    await refusedCall('impersonate a person', () => asController.impersonating('alice').list('v1', 'ConfigMap', DRIVEN));
    await refusedCall('the lease of another namespace', () =>
      asController.create({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'x', namespace: DRIVEN } } as KubernetesObject),
    );
    // A resource step as team-a's default account gets no more than that account's Role.
    const asStep = asController.impersonating(`system:serviceaccount:${DRIVEN}:default`);
    await refusedCall('a step deleting a config map', () => asStep.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace: DRIVEN, name: 'made' }));
    await refusedCall('a step reading a secret', () => asStep.get({ apiVersion: 'v1', kind: 'Secret', namespace: DRIVEN, name: 'any' }));
  });

  test('cluster scope: a controller with the ClusterRole drives a run of another namespace, its resource step acting with resourceRules; no impersonation, still no Secrets listed', async () => {
    await install(await rendered('controller-cluster-values.yaml', 'skiff-ops'), 'skiff-ops');
    const account = 'system:serviceaccount:skiff-ops:skiff-controller';
    const cluster = await connectionAs(account, 'skiff-ops');
    // The namespace-scoped controller goes first: two leaders of one instance id would both drive team-a.
    await controller?.close();
    await runtime?.close();
    const calls = new RecordingKubeClient(cluster);
    runtime = createControllerRuntime(calls, { resourceStepsAs: 'controller' });
    controller = startController({
      connection: calls,
      runtime,
      leaseNamespace: 'skiff-ops',
      identity: 'rbac-cluster',
      leaseDurationSeconds: 2,
      retryPeriodMs: 200,
      renewDeadlineMs: 1500,
    });
    await admin.create({
      apiVersion: WF_API,
      kind: 'Workflow',
      metadata: { name: 'job-maker', namespace: ELSEWHERE, labels: INSTANCE },
      spec: {
        entrypoint: 'make',
        templates: [
          {
            name: 'make',
            resource: {
              action: 'create',
              manifest:
                'apiVersion: batch/v1\nkind: Job\nmetadata: {name: made}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: c, image: alpine}]\n',
            },
          },
        ],
      },
    } as KubernetesObject);
    const ended = await until('the run in team-b ends', async () => {
      const wf = await admin.get<Workflow>({ apiVersion: WF_API, kind: 'Workflow', namespace: ELSEWHERE, name: 'job-maker' });
      const phase = (wf.status as { phase?: string } | undefined)?.phase;
      return phase === 'Succeeded' || phase === 'Failed' || phase === 'Error' ? phase : undefined;
    });
    assert.equal(ended, 'Succeeded');
    assert.ok(await admin.get({ apiVersion: 'batch/v1', kind: 'Job', namespace: ELSEWHERE, name: 'made' }));
    const refused = calls.calls.filter((c) => c.error?.startsWith('KubeForbiddenError'));
    assert.deepEqual(refused, [], JSON.stringify(refused, null, 1));
    assert.ok(
      calls.calls.some((c) => c.verb === 'watch' && c.kind === 'Workflow' && c.namespace === undefined),
      'Workflows watched in every namespace',
    );
    assert.ok(!calls.calls.some((c) => c.verb === 'impersonate'), 'no impersonation with resourceStepsAs controller');
    assert.ok(Array.isArray((await cluster.list(WF_API, 'Workflow', ELSEWHERE)).items));
    assert.equal(await allowed(account, ELSEWHERE, 'create', 'batch', 'jobs'), true);
    assert.equal(await allowed(account, ELSEWHERE, 'impersonate', '', 'serviceaccounts'), false);
    assert.equal(await allowed(account, ELSEWHERE, 'list', '', 'secrets'), false);
    assert.equal(await allowed(account, ELSEWHERE, 'create', '', 'secrets'), false);
    assert.equal(await allowed(account, undefined, 'create', 'rbac.authorization.k8s.io', 'clusterrolebindings'), false);
  });
});
