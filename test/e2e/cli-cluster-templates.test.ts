// skiff template and skiff cron against a real kube-apiserver (--kubeconfig, -n, -A): create, list,
// get, delete, cron suspend/resume read back from the API, with the output they have locally; a
// missing object is one clear line and exit 1; a file naming another namespace than -n is refused
// before anything is created.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { load } from 'js-yaml';
import { kubeCronPorts } from '../../src/controller/kube-cron-ports.js';
import type { KubeConnection } from '../../src/kube/kube-connection.js';
import { KubeRunStore } from '../../src/kube/kube-run-store.js';
import { KubeNotFoundError } from '../../src/kube/kube-errors.js';
import { serverSideApply } from '../../src/kube/server-side-apply.js';
import type { KubernetesObject } from '../../src/spec/model/kubernetes.js';
import type { CronWorkflow, Workflow, WorkflowTemplate } from '../../src/spec/model/workflow.js';
import { CLUSTER_WORKFLOW_TEMPLATE_LABEL, CONTROLLER_INSTANCE_ID_LABEL, CRON_WORKFLOW_LABEL, WORKFLOW_TEMPLATE_LABEL } from '../../src/kube/kube-names.js';
import { skiff, workspace } from '../cli/run-cli.js';
import { startSkiffKube, type KubeEnv } from '../env/kube/index.js';

const TEMPLATE = `apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata: {name: build}
spec:
  entrypoint: main
  templates:
  - name: main
    container: {image: busybox, command: [echo, hi]}
`;

const CRON = `apiVersion: argoproj.io/v1alpha1
kind: CronWorkflow
metadata: {name: hourly}
spec:
  schedule: "@every 1h"
  timezone: Europe/Paris
  workflowSpec:
    entrypoint: main
    templates:
    - name: main
      container: {image: busybox, command: [echo, hi]}
`;

/** A file that puts its template in namespace `other`, with server fields and a status of its own. */
const ELSEWHERE = `apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata: {name: planted, namespace: other, uid: 00000000-0000-0000-0000-000000000001, resourceVersion: "1"}
spec:
  entrypoint: main
  templates:
  - name: main
    container: {image: busybox, command: [echo, hi]}
`;

/** Two templates: the first for -n's namespace, the second naming another. */
const MIXED = `${TEMPLATE}---
${ELSEWHERE}`;

/** A CronWorkflow that says it is another controller's and brings a status saying it has just run. */
const CRON_ELSEWHERE = CRON.replace(
  'metadata: {name: hourly}',
  `metadata: {name: planted-cron, namespace: other, labels: {workflows.argoproj.io/controller-instanceid: someone-else}}
status: {lastScheduledTime: "2999-01-01T00:00:00Z"}`,
);

/** Each line of a `get` with its value blanked: the fields shown, in order. */
function fieldsOf(output: string): string[] {
  return output.split('\n').map((line) => line.match(/^([A-Za-z ]+):/)?.[1] ?? line);
}

describe('skiff template and skiff cron against a cluster', () => {
  let kube: KubeEnv;
  let client: KubeConnection;
  let dir: string;
  const ref = (kind: string, namespace: string, name: string) => ({ apiVersion: 'argoproj.io/v1alpha1', kind, namespace, name });

  before(async () => {
    ({ kube, client } = await startSkiffKube());
    for (const name of ['ci', 'other']) await serverSideApply(client, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    dir = workspace({
      'build.yaml': TEMPLATE,
      'cron.yaml': CRON,
      'elsewhere.yaml': ELSEWHERE,
      'mixed.yaml': MIXED,
      'cron-elsewhere.yaml': CRON_ELSEWHERE,
    });
  });

  after(async () => {
    await kube?.stop();
  });

  const cluster = (...args: string[]) => skiff(dir, [...args, '--kubeconfig', kube.kubeconfigPath]);

  test('template create, list (-n, -A), get -o yaml and delete work on the WorkflowTemplates of the cluster, printed as locally', async () => {
    const created = await cluster('template', 'create', 'build.yaml', '-n', 'ci');
    assert.equal(created.status, 0, created.stderr);
    assert.match(created.stdout, /^Name:\s+build\nNamespace:\s+ci\nCreated:\s+\S+Z \(\d+s ago\)\n$/);
    const local = await skiff(dir, ['template', 'create', 'build.yaml']);
    assert.equal(local.status, 0, local.stderr);
    assert.deepEqual(fieldsOf(created.stdout), fieldsOf(local.stdout));
    const live = await client.get<WorkflowTemplate>(ref('WorkflowTemplate', 'ci', 'build'));
    assert.equal(live.spec.entrypoint, 'main');

    const again = await cluster('template', 'create', 'build.yaml', '-n', 'ci');
    assert.equal(again.status, 1);
    assert.equal(again.stderr, 'WorkflowTemplate "build" already exists in namespace ci; kubectl apply updates it\n');

    const listed = await cluster('template', 'list', '-n', 'ci');
    assert.equal(listed.status, 0, listed.stderr);
    assert.equal(listed.stdout, 'NAME\nbuild\n');
    assert.equal(listed.stdout, (await skiff(dir, ['template', 'list'])).stdout);
    assert.equal((await cluster('template', 'list', '-n', 'other')).stdout, 'NAME\n');
    const everywhere = await cluster('template', 'list', '-A');
    assert.equal(everywhere.status, 0, everywhere.stderr);
    assert.match(everywhere.stdout, /^NAMESPACE\s+NAME\nci\s+build\n$/);
    assert.equal((await cluster('template', 'list', '-A', '-o', 'name')).stdout, 'build\n');

    const yaml = await cluster('template', 'get', 'build', '-n', 'ci', '-o', 'yaml');
    assert.equal(yaml.status, 0, yaml.stderr);
    const shown = load(yaml.stdout) as WorkflowTemplate & { metadata: { managedFields?: unknown } };
    assert.equal(shown.kind, 'WorkflowTemplate');
    assert.equal(shown.metadata.namespace, 'ci');
    assert.equal(shown.metadata.uid, live.metadata.uid);
    assert.equal(shown.metadata.managedFields, undefined, 'managed fields are left out, as locally');
    assert.equal(shown.spec.templates?.[0]?.name, 'main');
    const plain = await cluster('template', 'get', 'build', '-n', 'ci');
    assert.deepEqual(fieldsOf(plain.stdout), fieldsOf((await skiff(dir, ['template', 'get', 'build'])).stdout));

    const deleted = await cluster('template', 'delete', 'build', '-n', 'ci');
    assert.equal(deleted.status, 0, deleted.stderr);
    assert.equal(deleted.stdout, "WorkflowTemplate 'build' deleted\n");
    await assert.rejects(client.get(ref('WorkflowTemplate', 'ci', 'build')), KubeNotFoundError);
    assert.equal((await skiff(dir, ['template', 'get', 'build'])).status, 0, 'the local one is another store, left alone');
  });

  test('a template or CronWorkflow that does not exist: one clear line, exit 1', async () => {
    for (const args of [
      ['template', 'get', 'nowhere', '-n', 'ci'],
      ['template', 'delete', 'nowhere', '-n', 'ci'],
      ['cron', 'get', 'nowhere', '-n', 'ci'],
      ['cron', 'delete', 'nowhere', '-n', 'ci'],
      ['cron', 'suspend', 'nowhere', '-n', 'ci'],
      ['cron', 'resume', 'nowhere', '-n', 'ci'],
    ]) {
      const result = await cluster(...args);
      assert.equal(result.status, 1, args.join(' '));
      const kind = args[0] === 'template' ? 'WorkflowTemplate' : 'CronWorkflow';
      assert.equal(result.stderr, `${kind} "nowhere" not found in namespace ci\n`, args.join(' '));
      assert.equal(result.stdout, '');
    }
  });

  test('cron create labels the CronWorkflow for skiff controller; list prints the local columns; suspend and resume set spec.suspend', async () => {
    const created = await cluster('cron', 'create', 'cron.yaml', '-n', 'ci', '-o', 'name');
    assert.equal(created.status, 0, created.stderr);
    assert.equal(created.stdout, 'hourly\n');
    const live = await client.get<CronWorkflow>(ref('CronWorkflow', 'ci', 'hourly'));
    assert.equal(live.metadata.labels?.['workflows.argoproj.io/controller-instanceid'], 'skiff');
    // What skiff controller's scheduler lists (kube-controller.test.ts shows it runs what it lists).
    const scheduled = await kubeCronPorts({ client, store: new KubeRunStore(client), namespaces: ['ci'], instanceId: 'skiff', log: () => {} }).listCrons();
    assert.deepEqual(
      scheduled.map((c) => c.metadata.name),
      ['hourly'],
    );

    const listed = await cluster('cron', 'list', '-n', 'ci');
    assert.equal(listed.status, 0, listed.stderr);
    const local = await skiff(dir, ['cron', 'list']);
    const header = (text: string) => text.split('\n')[0]!.split(/\s{2,}/);
    assert.match(listed.stdout.split('\n')[0]!, /^NAME\s+AGE\s+LAST RUN\s+NEXT RUN\s+SCHEDULE\s+TIMEZONE\s+SUSPENDED$/);
    assert.deepEqual(header(listed.stdout), header(local.stdout));
    assert.match(listed.stdout, /^hourly\s+\d+s\s+N\/A\s+(1h 0m|59m \d+s)\s+@every 1h\s+Europe\/Paris\s+false$/m);
    assert.match(
      (await cluster('cron', 'list', '-A')).stdout,
      /^NAMESPACE\s+NAME\s+AGE\s+LAST RUN\s+NEXT RUN\s+SCHEDULE\s+TIMEZONE\s+SUSPENDED\nci\s+hourly\s/,
    );

    const suspended = await cluster('cron', 'suspend', 'hourly', '-n', 'ci');
    assert.equal(suspended.status, 0, suspended.stderr);
    assert.equal(suspended.stdout, "CronWorkflow 'hourly' suspended\n");
    assert.equal((await client.get<CronWorkflow>(ref('CronWorkflow', 'ci', 'hourly'))).spec.suspend, true);
    assert.match((await cluster('cron', 'get', 'hourly', '-n', 'ci')).stdout, /^Suspended:\s+true$/m);
    assert.match((await cluster('cron', 'list', '-n', 'ci')).stdout, /\strue\n$/);

    const resumed = await cluster('cron', 'resume', 'hourly', '-n', 'ci');
    assert.equal(resumed.stdout, "CronWorkflow 'hourly' resumed\n");
    const resumedLive = await client.get<CronWorkflow>(ref('CronWorkflow', 'ci', 'hourly'));
    assert.equal(resumedLive.spec.suspend, false);
    assert.equal(resumedLive.spec.schedule, '@every 1h', 'the patch changes spec.suspend only');
    assert.equal(resumedLive.metadata.labels?.['workflows.argoproj.io/controller-instanceid'], 'skiff');
    const got = await cluster('cron', 'get', 'hourly', '-n', 'ci');
    assert.match(got.stdout, /^Namespace:\s+ci$/m);
    assert.match(got.stdout, /^Schedule:\s+@every 1h$/m);
    assert.match(got.stdout, /^Suspended:\s+false$/m);
    assert.match(got.stdout, /^NextScheduledTime:\s+\S+Z \(in [^)]+\)$/m);

    // Backfill creates a Workflow per missed time, labelled for skiff controller and for its CronWorkflow.
    const window = ['--start', '2024-01-01T00:00:00Z', '--end', '2024-01-01T03:30:00Z'];
    const backfill = await cluster('cron', 'backfill', 'hourly', '-n', 'ci', ...window);
    assert.equal(backfill.status, 0, backfill.stderr);
    const made = backfill.stdout.trim().split('\n');
    assert.equal(made.length, 3, backfill.stdout);
    const workflows = (
      await client.list<KubernetesObject>('argoproj.io/v1alpha1', 'Workflow', 'ci', { labelSelector: 'workflows.argoproj.io/cron-workflow=hourly' })
    ).items;
    assert.deepEqual(workflows.map((w) => w.metadata.name).sort(), [...made].sort());
    for (const w of workflows) assert.equal(w.metadata.labels?.['workflows.argoproj.io/controller-instanceid'], 'skiff');
    const again = await cluster('cron', 'backfill', 'hourly', '-n', 'ci', ...window);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(again.stdout, '');
    assert.equal(again.stderr.split('\n').filter((l) => l.endsWith('already ran; left alone')).length, 3, again.stderr);

    assert.equal((await cluster('cron', 'delete', 'hourly', '-n', 'ci')).stdout, "CronWorkflow 'hourly' deleted\n");
    await assert.rejects(client.get(ref('CronWorkflow', 'ci', 'hourly')), KubeNotFoundError);
  });

  test('attacker: a file naming another namespace than -n is refused before anything is created; without -n it goes where it says, with no server fields or status of its own', async () => {
    const names = async (kind: string, namespace: string) =>
      (await client.list<KubernetesObject>('argoproj.io/v1alpha1', kind, namespace)).items.map((o) => o.metadata.name);

    const refused = await cluster('template', 'create', 'elsewhere.yaml', '-n', 'ci');
    assert.equal(refused.status, 1);
    assert.equal(refused.stderr, 'skiff template: elsewhere.yaml: WorkflowTemplate "planted" is in namespace "other" but -n says "ci"; nothing was created\n');
    const mixed = await cluster('template', 'create', 'mixed.yaml', '-n', 'ci');
    assert.equal(mixed.status, 1);
    assert.match(mixed.stderr, /WorkflowTemplate "planted" is in namespace "other" but -n says "ci"; nothing was created/);
    const cron = await cluster('cron', 'create', 'cron-elsewhere.yaml', '-n', 'ci');
    assert.equal(cron.status, 1);
    assert.match(cron.stderr, /CronWorkflow "planted-cron" is in namespace "other" but -n says "ci"/);
    for (const namespace of ['ci', 'other']) {
      assert.deepEqual(await names('WorkflowTemplate', namespace), [], `no template in ${namespace}`);
      assert.deepEqual(await names('CronWorkflow', namespace), [], `no CronWorkflow in ${namespace}`);
    }

    // Without -n a file's namespace is where it goes, as argo template create places it.
    const placed = await cluster('template', 'create', 'elsewhere.yaml');
    assert.equal(placed.status, 0, placed.stderr);
    assert.match(placed.stdout, /^Namespace:\s+other$/m);
    const planted = await client.get<WorkflowTemplate>(ref('WorkflowTemplate', 'other', 'planted'));
    assert.notEqual(planted.metadata.uid, '00000000-0000-0000-0000-000000000001', 'the server gives the uid');
    const plantedCron = await cluster('cron', 'create', 'cron-elsewhere.yaml', '-n', 'other');
    assert.equal(plantedCron.status, 0, plantedCron.stderr);
    const liveCron = await client.get<CronWorkflow & { status?: unknown }>(ref('CronWorkflow', 'other', 'planted-cron'));
    assert.equal(liveCron.metadata.labels?.['workflows.argoproj.io/controller-instanceid'], 'skiff');
    assert.equal(liveCron.status, undefined, 'a file cannot say when the CronWorkflow last ran');

    const cleared = await cluster('template', 'delete', '--all', '-n', 'other');
    assert.equal(cleared.stdout, "WorkflowTemplate 'planted' deleted\n");
    assert.deepEqual(await names('CronWorkflow', 'other'), ['planted-cron'], 'delete --all of templates leaves CronWorkflows alone');
  });

  test("submit --from runs the cluster's WorkflowTemplate, ClusterWorkflowTemplate or CronWorkflow, as argo submit --from", async () => {
    const template = load(TEMPLATE) as WorkflowTemplate;
    await serverSideApply(client, { ...template, metadata: { name: 'from-tmpl', namespace: 'ci' } });
    await serverSideApply(client, { ...template, kind: 'ClusterWorkflowTemplate', metadata: { name: 'shared' } });
    const cron = load(CRON) as CronWorkflow;
    await serverSideApply(client, { ...cron, metadata: { name: 'from-cron', namespace: 'ci' } });
    const submit = async (from: string): Promise<Workflow> => {
      const submitted = await cluster('submit', '--from', from, '-n', 'ci', '-o', 'name');
      assert.equal(submitted.status, 0, submitted.stderr);
      return client.get<Workflow>(ref('Workflow', 'ci', submitted.stdout.trim()));
    };

    const fromTemplate = await submit('wftmpl/from-tmpl');
    assert.match(fromTemplate.metadata.name!, /^from-tmpl-[a-z0-9]{5}$/);
    assert.deepEqual(fromTemplate.spec.workflowTemplateRef, { name: 'from-tmpl' });
    assert.equal(fromTemplate.metadata.labels?.[WORKFLOW_TEMPLATE_LABEL], 'from-tmpl');
    assert.equal(fromTemplate.metadata.labels?.[CONTROLLER_INSTANCE_ID_LABEL], 'skiff', 'for skiff controller');

    const fromShared = await submit('clusterworkflowtemplate/shared');
    assert.deepEqual(fromShared.spec.workflowTemplateRef, { name: 'shared', clusterScope: true });
    assert.equal(fromShared.metadata.labels?.[CLUSTER_WORKFLOW_TEMPLATE_LABEL], 'shared');

    const fromCron = await submit('cwf/from-cron');
    assert.equal(fromCron.spec.entrypoint, 'main');
    assert.equal(fromCron.metadata.labels?.[CRON_WORKFLOW_LABEL], 'from-cron');

    // Only the cluster's objects count: a template of that name stored here with skiff apply does not.
    assert.equal((await skiff(dir, ['template', 'get', 'build'])).status, 0);
    const missing = await cluster('submit', '--from', 'wftmpl/build', '-n', 'ci');
    assert.equal(missing.status, 1);
    assert.equal(missing.stderr, 'skiff submit: --from wftmpl/build: no WorkflowTemplate "build" in namespace ci in the cluster\n');
  });
});
