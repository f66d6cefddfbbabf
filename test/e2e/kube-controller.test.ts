// The controller against a real kube-apiserver, with a test runtime standing for the cluster's pods
// (SharedPods: shared by every controller, as pods are; a pod asked for again is reattached, never
// started twice): Workflows created as kubectl creates them are driven to their end, unlabelled ones
// are left alone, spec.shutdown and resume requests are obeyed, only the lease holder drives, and a
// run goes on after its leader dies or its controller restarts, with no pod started twice.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Controller, startController } from '../../src/controller/start-controller.js';
import type { KubeConnection } from '../../src/kube/kube-connection.js';
import { KubeRunControl } from '../../src/kube/kube-run-control.js';
import { KubeRunStore } from '../../src/kube/kube-run-store.js';
import { runFields } from '../../src/ports/run-store.js';
import { serverSideApply } from '../../src/kube/server-side-apply.js';
import type { Workflow } from '../../src/spec/model/workflow.js';
import { startSkiffKube, type KubeEnv } from '../env/kube/index.js';
import { SharedPods } from '../helpers/shared-pods.js';
import { untilWithin } from '../helpers/until.js';

const INSTANCE = { 'workflows.argoproj.io/controller-instanceid': 'skiff' };
const LEASE = { leaseDurationSeconds: 2, retryPeriodMs: 200, renewDeadlineMs: 1500 };

function workflow(name: string, namespace: string, labels: Record<string, string> = INSTANCE): Workflow {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: { name, namespace, labels },
    spec: {
      entrypoint: 'main',
      templates: [
        { name: 'main', steps: [[{ name: 'one', template: 'quick' }], [{ name: 'two', template: 'slow' }], [{ name: 'three', template: 'quick' }]] },
        { name: 'quick', container: { image: 'alpine', command: ['true'] } },
        { name: 'slow', container: { image: 'alpine', command: ['sleep', '1'] } },
      ],
    },
  };
}

const until = untilWithin({ timeoutMs: 15_000, pollMs: 50 });

describe('the controller against kube-apiserver', () => {
  let kube: KubeEnv;
  let client: KubeConnection;
  const controllers: Controller[] = [];

  before(async () => {
    ({ kube, client } = await startSkiffKube());
  });

  after(async () => {
    for (const controller of controllers) await controller.close();
    await kube?.stop();
  });

  async function namespace(name: string): Promise<string> {
    await serverSideApply(client, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    return name;
  }

  function controller(ns: string, identity: string, pods: SharedPods, lines: string[] = []): Controller {
    const started = startController({
      connection: client,
      runtime: pods.runtime(),
      namespace: ns,
      leaseNamespace: ns,
      identity,
      ...LEASE,
      log: (line) => lines.push(`${identity}: ${line}`),
    });
    controllers.push(started);
    return started;
  }

  const read = (ns: string, name: string) => client.get<Workflow>({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', namespace: ns, name });
  const phaseOf = async (ns: string, name: string) => ((await read(ns, name)).status as { phase?: string } | undefined)?.phase;
  const finished = (ns: string, name: string) =>
    until(`${ns}/${name} to finish`, async () => {
      const phase = await phaseOf(ns, name);
      return phase === 'Succeeded' || phase === 'Failed' || phase === 'Error' ? phase : undefined;
    });

  test('a Workflow created as kubectl creates it is driven to Succeeded; one without Skiff’s instance id is left alone', async () => {
    const ns = await namespace('created');
    const pods = new SharedPods();
    const lines: string[] = [];
    const running = controller(ns, 'only', pods, lines);
    await client.create(workflow('argo-owned', ns, {}));
    await client.create(workflow('by-kubectl', ns));
    assert.equal(await finished(ns, 'by-kubectl'), 'Succeeded');
    const live = await read(ns, 'by-kubectl');
    assert.equal(live.metadata.labels?.['workflows.argoproj.io/completed'], 'true');
    assert.equal(live.metadata.labels?.['workflows.argoproj.io/phase'], 'Succeeded');
    assert.equal(pods.starts.size, 3, 'three pods ran');
    assert.equal(pods.mostStarts, 1);
    assert.equal((await read(ns, 'argo-owned')).status, undefined, 'the unlabelled Workflow is untouched');
    assert.ok(
      lines.some((l) => l.includes('run "by-kubectl" in namespace "created" started')),
      lines.join('\n'),
    );
    assert.ok(
      lines.some((l) => l.includes('run "by-kubectl" in namespace "created" Succeeded')),
      lines.join('\n'),
    );
    await running.close();
  });

  test('spec.shutdown: Stop set by a patch stops the run; a resume request resumes a suspended step and is taken', async () => {
    const ns = await namespace('signals');
    const pods = new SharedPods({ held: ['slow'] });
    const running = controller(ns, 'only', pods);
    await client.create(workflow('stopped', ns));
    await until('the slow pod to run', () => pods.running.some((p) => p.startsWith(`${ns}/stopped`)));
    await client.patch({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', namespace: ns, name: 'stopped' }, { spec: { shutdown: 'Stop' } }, 'merge');
    assert.equal(await finished(ns, 'stopped'), 'Failed');
    assert.match(String((await read(ns, 'stopped')).status?.message), /Stopped with strategy 'Stop'/);
    assert.equal(pods.running.filter((p) => p.startsWith(`${ns}/stopped`)).length, 0, 'the running pod was killed');

    const suspended: Workflow = {
      ...workflow('suspended', ns),
      spec: {
        entrypoint: 'main',
        templates: [
          { name: 'main', steps: [[{ name: 'approve', template: 'approve' }], [{ name: 'after', template: 'quick' }]] },
          { name: 'approve', suspend: {} },
          { name: 'quick', container: { image: 'alpine', command: ['true'] } },
        ],
      },
    };
    await client.create(suspended);
    await until('the run to wait at its suspend step', async () => (await read(ns, 'suspended')).status?.phase === 'Running');
    const sent = await new KubeRunControl(client).send(`${ns}/suspended`, { op: 'resume' });
    assert.equal(await sent.taken(10_000), true, 'the controller took the resume request');
    assert.equal(await finished(ns, 'suspended'), 'Succeeded');
    assert.equal((await read(ns, 'suspended')).metadata.annotations?.['skiff.dev/resume-requested'], undefined);
    await running.close();
  });

  test('of two controllers only the leader drives; when it dies mid-run the other takes over within the lease and nothing runs twice', async () => {
    const ns = await namespace('takeover');
    const pods = new SharedPods({ held: ['slow'] });
    const lines: string[] = [];
    const a = controller(ns, 'replica-a', pods, lines);
    await until('replica-a to lead', () => a.isLeader);
    const b = controller(ns, 'replica-b', pods, lines);
    await client.create(workflow('handed-over', ns));
    await until('the slow pod to run', () => pods.running.some((p) => p.startsWith(`${ns}/handed-over`)));
    assert.equal(b.isLeader, false);
    assert.equal(b.term, undefined, 'the replica not leading drives nothing');

    // replica-a dies: it stops renewing without releasing the lease.
    const died = Date.now();
    await a.close({ release: false });
    await until('replica-b to lead', () => b.isLeader);
    assert.ok(Date.now() - died < LEASE.leaseDurationSeconds * 1000 + 2000, `took over after ${Date.now() - died} ms`);
    pods.release();
    assert.equal(await finished(ns, 'handed-over'), 'Succeeded');
    assert.equal(pods.starts.size, 3);
    assert.equal(pods.mostStarts, 1, `a pod started twice: ${JSON.stringify([...pods.starts])}`);
    assert.ok(
      lines.some((l) => l.startsWith('replica-b: run "handed-over" in namespace "takeover" continued')),
      lines.join('\n'),
    );
  });

  test('a controller restarted mid-run finishes the run from the cluster, with no step run twice', async () => {
    const ns = await namespace('restarted');
    const pods = new SharedPods({ held: ['slow'] });
    const first = controller(ns, 'first', pods);
    await client.create(workflow('restarted-run', ns));
    await until('the slow pod to run', () => pods.running.some((p) => p.startsWith(`${ns}/restarted-run`)));
    await first.close();
    // A new process: a new runtime object over the same pods, a new driver, nothing in memory.
    const second = controller(ns, 'second', pods);
    await until('the new controller to lead', () => second.isLeader);
    await until('the new controller to take the run up', () => second.term?.driver.drives(`${ns}/restarted-run`));
    pods.release();
    assert.equal(await finished(ns, 'restarted-run'), 'Succeeded');
    assert.equal(pods.mostStarts, 1, `a pod started twice: ${JSON.stringify([...pods.starts])}`);
    await second.close();
  });

  test('a Workflow deleted while it runs is no longer driven', async () => {
    const ns = await namespace('deleted');
    const pods = new SharedPods({ held: ['slow'] });
    const lines: string[] = [];
    const running = controller(ns, 'only', pods, lines);
    await client.create(workflow('gone', ns));
    await until('the slow pod to run', () => pods.running.some((p) => p.startsWith(`${ns}/gone`)));
    assert.equal(running.term?.driver.drives(`${ns}/gone`), true);
    await client.delete({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', namespace: ns, name: 'gone' });
    await until('the run to be dropped', () => running.term?.driver.drives(`${ns}/gone`) === false);
    assert.ok(
      lines.some((l) => l.includes('run "gone" in namespace "deleted" deleted')),
      lines.join('\n'),
    );
    pods.release();
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(pods.starts.size, 2, 'nothing after the deletion started');
    await running.close();
  });

  test('hostile Workflows: a templateRef to another namespace finds nothing there; a malformed spec fails with a message; the controller goes on', async () => {
    const ns = await namespace('tenant-a');
    await namespace('tenant-b');
    const template = (namespace: string, image: string) => ({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'WorkflowTemplate',
      metadata: { name: 'shared-steps', namespace },
      spec: { templates: [{ name: 'step', container: { image, command: ['true'] } }] },
    });
    await client.create(template('tenant-b', 'tenant-b-secret-image'));
    const pods = new SharedPods();
    const started: string[] = [];
    const runtime = pods.runtime();
    const watched = {
      ...runtime,
      run: (...args: Parameters<typeof runtime.run>) => (started.push(String(args[0].template.container?.image)), runtime.run(...args)),
    };
    const running = startController({ connection: client, runtime: watched, namespace: ns, leaseNamespace: ns, identity: 'only', ...LEASE });
    controllers.push(running);
    const referring = (name: string): Workflow => ({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Workflow',
      metadata: { name, namespace: ns, labels: INSTANCE },
      spec: { entrypoint: 'main', templates: [{ name: 'main', steps: [[{ name: 'use', templateRef: { name: 'shared-steps', template: 'step' } }]] }] },
    });
    await client.create(referring('cross-namespace'));
    assert.equal(await finished(ns, 'cross-namespace'), 'Failed');
    const nodes = Object.values((await new KubeRunStore(client).peek(`${ns}/cross-namespace`))?.status.nodes ?? {});
    assert.ok(
      nodes.some((node) => /WorkflowTemplate "shared-steps" not found/.test(node.message ?? '')),
      nodes.map((n) => n.message).join('; '),
    );
    assert.deepEqual(started, [], "nothing of tenant-b's template ran");

    await client.create({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Workflow',
      metadata: { name: 'malformed', namespace: ns, labels: INSTANCE },
      spec: { entrypoint: 'nowhere', templates: 'not a list' },
    } as unknown as Workflow);
    assert.match(String(await finished(ns, 'malformed')), /^(Error|Failed)$/);
    assert.ok(String((await read(ns, 'malformed')).status?.message).length > 0, 'the run says why');

    // Its own namespace's template is read when the controller takes the run up, and runs.
    await client.create(template(ns, 'tenant-a-image'));
    await client.create(referring('same-namespace'));
    assert.equal(await finished(ns, 'same-namespace'), 'Succeeded');
    assert.deepEqual(started, ['tenant-a-image']);
    await running.close();
  });

  test('a write by another writer (a deposed leader finishing a write) makes the leader take the run up again; it finishes, no pod twice', async () => {
    const ns = await namespace('fenced');
    const pods = new SharedPods({ held: ['slow'] });
    const lines: string[] = [];
    const running = controller(ns, 'only', pods, lines);
    await client.create(workflow('contested', ns));
    await until('the slow pod to run', () => pods.running.some((p) => p.startsWith(`${ns}/contested`)));
    const key = `${ns}/contested`;
    const deposed = new KubeRunStore(client);
    const run = (await deposed.load(key))!;
    await deposed.append(key, { nodes: [], run: runFields(run.status) });
    pods.release();
    assert.equal(await finished(ns, 'contested'), 'Succeeded');
    assert.equal(pods.mostStarts, 1, `a pod started twice: ${JSON.stringify([...pods.starts])}`);
    assert.equal(pods.starts.size, 3);
    assert.ok(
      lines.some((l) => l.includes('taking the run up again from the cluster')),
      lines.join('\n'),
    );
    await running.close();
  });

  test('the leader runs the CronWorkflows of its instance id on their schedules and records their status; others are left alone', async () => {
    const ns = await namespace('crons');
    const pods = new SharedPods();
    const lines: string[] = [];
    const cron = (name: string, labels: Record<string, string>) => ({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'CronWorkflow',
      metadata: { name, namespace: ns, labels },
      spec: {
        schedule: '@every 1s',
        concurrencyPolicy: 'Forbid',
        successfulJobsHistoryLimit: 2,
        workflowSpec: { entrypoint: 'main', templates: [{ name: 'main', container: { image: 'alpine', command: ['true'] } }] },
      },
    });
    await client.create(cron('ticking', INSTANCE));
    await client.create(cron('argos', {}));
    const running = controller(ns, 'only', pods, lines);
    const runsOf = async (name: string) =>
      (await client.list<Workflow>('argoproj.io/v1alpha1', 'Workflow', ns, { labelSelector: `workflows.argoproj.io/cron-workflow=${name}` })).items;
    const done = await until('a scheduled run to succeed', async () => {
      const succeeded = (await runsOf('ticking')).filter((w) => (w.status as { phase?: string } | undefined)?.phase === 'Succeeded');
      return succeeded.length > 0 ? succeeded : undefined;
    });
    assert.equal(done[0]!.metadata.labels?.['workflows.argoproj.io/controller-instanceid'], 'skiff');
    assert.match(done[0]!.metadata.annotations?.['workflows.argoproj.io/scheduled-time'] ?? '', /^\d{4}-\d\d-\d\dT/);
    const status = await until('the CronWorkflow status to be recorded', async () => {
      const live = await client.get<{ apiVersion: string; kind: string; metadata: { name: string }; status?: { lastScheduledTime?: string } }>({
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'CronWorkflow',
        namespace: ns,
        name: 'ticking',
      });
      return live.status?.lastScheduledTime;
    });
    assert.match(status, /^\d{4}-\d\d-\d\dT/);
    assert.deepEqual(await runsOf('argos'), [], 'a CronWorkflow without the instance id is not scheduled');
    await running.close();
    await client.delete({ apiVersion: 'argoproj.io/v1alpha1', kind: 'CronWorkflow', namespace: ns, name: 'ticking' });
  });
});
