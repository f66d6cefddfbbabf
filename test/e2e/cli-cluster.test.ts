// The run commands against a real kube-apiserver (--kubeconfig, -n), with `skiff controller` running
// in process over a test runtime (SharedPods): submit --wait prints what it prints locally, get and
// list show the run, stop patches spec.shutdown and the controller obeys, wait waits, resubmit makes
// a new run, delete removes the Workflow and its node ConfigMaps; `skiff controller` without a
// cluster runtime refuses with a message.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { makeControllerCommand } from '../../src/cli/commands/controller.js';
import type { KubeConnection } from '../../src/kube/kube-connection.js';
import type { Lease } from '../../src/kube/lease-leader-election.js';
import { serverSideApply } from '../../src/kube/server-side-apply.js';
import type { ConfigMap } from '../../src/spec/model/kubernetes.js';
import type { Workflow } from '../../src/spec/model/workflow.js';
import { HELLO, skiff, workspace } from '../cli/run-cli.js';
import { startSkiffKube, type KubeEnv } from '../env/kube/index.js';
import { SharedPods } from '../helpers/shared-pods.js';
import { halfwayWorkflow } from '../helpers/halfway-workflow.js';
import { untilWithin } from '../helpers/until.js';

const HELD = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: held-
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: wait-here
        template: slow
  - name: slow
    container:
      image: busybox
      command: [sleep, "60"]
`;

const APPROVAL = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: approval-
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: approve
        template: approve
    - - name: ship
        template: ship
  - name: approve
    suspend: {}
  - name: ship
    container:
      image: busybox
      command: ["true"]
`;

const until = untilWithin({ timeoutMs: 15_000, pollMs: 50 });

/** The shape of a run's output: its header fields and its tree's columns, without names, times or durations. */
function shapeOf(output: string): string[] {
  return output
    .split('\n')
    .map((line) => line.match(/^([A-Za-z][A-Za-z ]*):/)?.[1] ?? (/^STEP\s/.test(line) ? line.split(/\s+/).join(' ') : undefined))
    .filter((key): key is string => key !== undefined);
}

describe('the run commands against a cluster', () => {
  let kube: KubeEnv;
  let client: KubeConnection;
  let dir: string;
  let stopController: (signal: string) => void;
  let controllerExit: Promise<number>;
  let controllerLog = '';
  const pods = new SharedPods({ held: ['slow'], failing: ['flaky'] });

  before(async () => {
    ({ kube, client } = await startSkiffKube());
    await serverSideApply(client, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ci' } });
    dir = workspace({ 'hello.yaml': HELLO, 'held.yaml': HELD, 'flaky.yaml': halfwayWorkflow('flaky', 'flaky'), 'approval.yaml': APPROVAL });
    const command = makeControllerCommand({
      createRuntime: () => pods.runtime(),
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
    await kube?.stop();
  });

  const cluster = (...args: string[]) => skiff(dir, [...args, '--kubeconfig', kube.kubeconfigPath]);

  test('skiff controller leads and says so', async () => {
    await until('the controller to lead', () => controllerLog.includes(' leads: driving every namespace'));
  });

  test('submit --wait against the cluster prints what it prints locally', async () => {
    const remote = await cluster('submit', 'hello.yaml', '-n', 'ci', '--wait');
    assert.equal(remote.status, 0, remote.stderr);
    const local = await skiff(dir, ['submit', 'hello.yaml', '--wait']);
    assert.equal(local.status, 0, local.stderr);
    assert.deepEqual(shapeOf(remote.stdout), shapeOf(local.stdout));
    assert.ok(shapeOf(remote.stdout).includes('Status') && shapeOf(remote.stdout).some((k) => k.startsWith('STEP ')), shapeOf(remote.stdout).join('|'));
    assert.match(remote.stdout, /Namespace:\s+ci\n/);
    assert.match(remote.stdout, /Status:\s+Succeeded\n/);
    const name = remote.stdout.match(/Name:\s+(hello-[a-z0-9]{5})\n/)?.[1];
    assert.ok(name, remote.stdout);
    const live = await client.get<Workflow>({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', namespace: 'ci', name });
    assert.equal(live.metadata.labels?.['workflows.argoproj.io/controller-instanceid'], 'skiff');
    assert.equal(live.metadata.labels?.['workflows.argoproj.io/completed'], 'true');

    const got = await cluster('get', name, '-n', 'ci');
    assert.equal(got.status, 0, got.stderr);
    assert.deepEqual(shapeOf(got.stdout), shapeOf((await skiff(dir, ['get', '@latest'])).stdout));
    const listed = await cluster('list', '-n', 'ci');
    assert.match(listed.stdout, /^NAME\s+STATUS\s+AGE\s+DURATION\s+MESSAGE\n/);
    assert.match(listed.stdout, new RegExp(`\\n${name}\\s+Succeeded\\s`));
    assert.equal((await cluster('list', '-n', 'elsewhere', '-o', 'name')).stdout, '');
    assert.equal((await cluster('get', 'no-such-run', '-n', 'ci')).status, 1);

    const again = await cluster('resubmit', name, '-n', 'ci', '--wait', '-o', 'name');
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /^hello-[a-z0-9]{5}\n$/);
    assert.notEqual(again.stdout.trim(), name);
  });

  test('stop patches spec.shutdown and the controller stops the run; wait waits for its end; delete removes it and its ConfigMaps', async () => {
    const submitted = await cluster('submit', 'held.yaml', '-n', 'ci');
    assert.equal(submitted.status, 0, submitted.stderr);
    const name = submitted.stdout.trim();
    assert.match(name, /^held-[a-z0-9]{5}$/);
    await until('the held pod to run', () => pods.running.some((pod) => pod.startsWith(`ci/${name}`)));

    const stopped = await cluster('stop', name, '-n', 'ci', '--message', 'not today');
    assert.equal(stopped.status, 0, stopped.stderr);
    assert.equal(stopped.stdout, `${name} stopped\n`);
    const waited = await cluster('wait', name, '-n', 'ci');
    assert.equal(waited.status, 1, 'a stopped run did not succeed');
    assert.match(waited.stdout, /Status:\s+Failed\n/);
    assert.match(waited.stdout, /not today/);
    const live = await client.get<Workflow>({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', namespace: 'ci', name });
    assert.equal(live.spec.shutdown, 'Stop');
    assert.equal((await cluster('stop', name, '-n', 'ci')).status, 1, 'a finished run cannot be stopped');

    const uid = live.metadata.uid!;
    const chunks = () => client.list<ConfigMap>('v1', 'ConfigMap', 'ci', { labelSelector: `skiff.dev/run-uid=${uid}` });
    assert.ok((await chunks()).items.length > 0, 'the run keeps its nodes in ConfigMaps');
    const deleted = await cluster('delete', name, '-n', 'ci');
    assert.equal(deleted.status, 0, deleted.stderr);
    assert.equal(deleted.stdout, `workflow ${name} deleted (namespace ci)\n`);
    assert.equal((await chunks()).items.length, 0);
    const gone = await cluster('get', name, '-n', 'ci');
    assert.equal(gone.status, 1);
    assert.match(gone.stderr, new RegExp(`run "${name}" in namespace "ci" not found`));
  });

  test('retry: the controller deletes the pod of the failed step and runs that step again; the step that succeeded does not run again', async () => {
    const failed = await cluster('submit', 'flaky.yaml', '-n', 'ci', '--wait');
    assert.equal(failed.status, 1, failed.stderr);
    assert.match(failed.stdout, /Status:\s+Failed\n/);
    const name = failed.stdout.match(/Name:\s+(flaky-[a-z0-9]{5})\n/)?.[1];
    assert.ok(name, failed.stdout);
    pods.failing.clear();
    const retried = await cluster('retry', name, '-n', 'ci', '--wait');
    assert.equal(retried.status, 0, `${retried.stdout}${retried.stderr}`);
    assert.match(retried.stdout, /Status:\s+Succeeded\n/);
    const startsOf = (step: string) => [...pods.starts].filter(([pod]) => pod.startsWith(`ci/${name}-${step}`)).map(([, starts]) => starts);
    assert.deepEqual(startsOf('ok'), [1], 'the step that had succeeded did not run again');
    assert.deepEqual(startsOf('flaky'), [2], 'the failed step ran again, in a new pod');
    const live = await client.get<Workflow>({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', namespace: 'ci', name });
    assert.equal(live.metadata.annotations?.['skiff.dev/retried-pods'], undefined, 'the note is removed once done');
    assert.match(controllerLog, new RegExp(`run "${name}" in namespace "ci" retried: deleted the pods of 1 step`));
    const again = await cluster('retry', name, '-n', 'ci');
    assert.equal(again.status, 1);
    assert.match(again.stderr, /cannot retry/);
  });

  test('resume resumes a suspended step through the Workflow; watch follows the run to its end; terminate ends a run', async () => {
    const submitted = await cluster('submit', 'approval.yaml', '-n', 'ci');
    assert.equal(submitted.status, 0, submitted.stderr);
    const name = submitted.stdout.trim();
    await until('the run to wait at its suspend step', async () => (await cluster('get', name, '-n', 'ci', '-o', 'json')).stdout.includes('"approve"'));
    const resumed = await cluster('resume', name, '-n', 'ci');
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.equal(resumed.stdout, `${name} resumed\n`);
    const watched = await cluster('watch', name, '-n', 'ci');
    assert.equal(watched.status, 0, watched.stderr);
    assert.match(watched.stdout, /Status:\s+Succeeded\n/);

    const held = (await cluster('submit', 'held.yaml', '-n', 'ci')).stdout.trim();
    await until('the held pod to run', () => pods.running.some((pod) => pod.startsWith(`ci/${held}`)));
    const terminated = await cluster('terminate', held, '-n', 'ci');
    assert.equal(terminated.stdout, `${held} terminated\n`);
    const ended = await cluster('wait', held, '-n', 'ci');
    assert.equal(ended.status, 1);
    assert.match(ended.stdout, /Status:\s+Failed\n/);
    assert.match(ended.stdout, /Stopped with strategy 'Terminate'/);
  });

  test('logs of no such run, followed or not, says so; a bad --qps or --resource-steps-as is a usage error', async () => {
    // (logs from the pods themselves: cli-cluster-flags.test.ts, where the pods run on the node agent)
    const logs = await cluster('logs', 'anything', '-n', 'ci');
    assert.equal(logs.status, 1);
    assert.match(logs.stderr, /run "anything" in namespace "ci" not found/);
    const follow = await cluster('logs', 'anything', '-n', 'ci', '--follow');
    assert.equal(follow.status, 1);
    assert.match(follow.stderr, /run "anything" in namespace "ci" not found/);
    const badQps = await skiff(dir, ['controller', '--kubeconfig', kube.kubeconfigPath, '--qps', 'lots']);
    assert.equal(badQps.status, 2);
    assert.match(badQps.stderr, /--qps lots: expected a positive number/);
    const badActor = await skiff(dir, ['controller', '--kubeconfig', kube.kubeconfigPath, '--resource-steps-as', 'root']);
    assert.equal(badActor.status, 2);
    assert.match(badActor.stderr, /--resource-steps-as root: expected service-account or controller/);
  });

  test('SIGTERM: skiff controller releases the lease and exits 0', async () => {
    stopController('SIGTERM');
    assert.equal(await controllerExit, 0);
    assert.match(controllerLog, /SIGTERM: releasing the lease and stopping/);
    const lease = await client.get<Lease>({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      namespace: 'default',
      name: 'skiff-controller',
    });
    assert.equal(lease.spec?.holderIdentity, '');
  });
});
