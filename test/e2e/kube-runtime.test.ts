// The cluster runtime against a real kube-apiserver, with the node agent standing in for a kubelet
// (it runs each pod's containers in the local sandbox, Skiff's executor image as this project's
// executor) and a real MinIO: runs driven by the RunDriver on KubeRunStore + KubeRuntime, outputs
// carried by the wait container's termination message, pods deleted by others, stop, and a new
// driver and runtime taking over mid-run without creating any pod twice.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { parse } from 'yaml';
import type { WorkflowStatus } from '../../src/engine/workflow-status.js';
import type { KubeConnection } from '../../src/kube/kube-connection.js';
import { KubeRunStore } from '../../src/kube/kube-run-store.js';
import { serverSideApply } from '../../src/kube/server-side-apply.js';
import { WatchObjects } from '../../src/kube/watch-objects.js';
import { RunDriver } from '../../src/runs/run-driver.js';
import { createKubeRuntime, type KubeRuntime } from '../../src/runtime/cluster/kube-runtime.js';
import { localizePod } from '../../src/runtime/local/localize-pod.js';
import type { KubernetesObject } from '../../src/spec/model/kubernetes.js';
import type { Workflow } from '../../src/spec/model/workflow.js';
import { REPO_ROOT, startSkiffKube, type KubeEnv } from '../env/kube/index.js';
import { startMinio, type MinioServer } from '../env/minio/start-minio.js';
import { startNodeAgent, type NodeAgent } from '../env/node-agent/start-node-agent.js';
import { assertFullRun, fullRunWorkflow } from '../helpers/full-run-workflow.js';
import { createMinioRepository } from '../helpers/minio-repository.js';

const NS = 'kr';
const BARE = 'kr-bare';
const EXECUTOR = 'ghcr.io/skiff/skiff:test';
type Pod = V1Pod & KubernetesObject;

describe('KubeRuntime on a real kube-apiserver with the node agent and MinIO', () => {
  let kube: KubeEnv;
  let client: KubeConnection;
  let agent: NodeAgent;
  let minio: MinioServer;
  let podWatch: WatchObjects<Pod>;
  /** Every pod uid seen per pod name: one each, or a pod was created twice. */
  const uids = new Map<string, Set<string>>();
  const live = new Map<string, Pod>();
  /** Every runtime started, closed at the end even when a test failed before closing its own. */
  const runtimes: KubeRuntime[] = [];

  const start = (): { driver: RunDriver; runtime: KubeRuntime } => {
    const runtime = createKubeRuntime({ client, executorImage: EXECUTOR, namespaces: [NS, BARE] });
    runtimes.push(runtime);
    return { driver: new RunDriver({ store: new KubeRunStore(client, { namespaces: [NS, BARE] }), runtime }), runtime };
  };
  const workflow = (yaml: string, namespace = NS): Workflow => {
    const wf = parse(yaml) as Workflow;
    wf.metadata = { ...wf.metadata, namespace, labels: { 'workflows.argoproj.io/controller-instanceid': 'skiff' } };
    return wf;
  };
  const nodeNamed = (status: WorkflowStatus, displayName: string) => Object.values(status.nodes).find((n) => n.displayName === displayName);
  const until = async (what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const podsOf = (run: string): Pod[] => [...live.values()].filter((p) => p.metadata.labels?.['workflows.argoproj.io/workflow'] === run);

  before(async () => {
    ({ kube, client } = await startSkiffKube());
    minio = await startMinio();
    for (const name of [NS, BARE]) await serverSideApply(client, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    await createMinioRepository(client, minio, NS);
    agent = await startNodeAgent({
      kubeconfigPath: kube.kubeconfigPath,
      localize: (pod) => localizePod(pod, { projectDir: REPO_ROOT, nodePath: process.execPath, executorImage: EXECUTOR }),
    });
    podWatch = new WatchObjects<Pod>(client, {
      apiVersion: 'v1',
      kind: 'Pod',
      onEvent: ({ type, object }) => {
        const name = `${object.metadata.namespace}/${object.metadata.name}`;
        if (type === 'deleted') live.delete(name);
        else live.set(name, object);
        uids.set(name, (uids.get(name) ?? new Set()).add(object.metadata.uid ?? ''));
      },
    });
    await podWatch.start();
  });

  after(async () => {
    for (const runtime of runtimes) await runtime.close();
    podWatch?.close();
    await agent?.stop();
    await minio?.stop();
    await kube?.stop();
  });

  test('steps, a DAG, a loop with fan-in, a script result, a retry and S3 artifacts run to Succeeded with the right outputs; PVCs appear and go', async () => {
    const { driver, runtime } = start();
    const id = await driver.submit(fullRunWorkflow({ name: 'full', namespace: NS, image: 'alpine' }));
    await untilAsync(async () => (await client.list('v1', 'PersistentVolumeClaim', NS)).items.some((c) => c.metadata.name === 'full-work'), 'the claim exists');
    const status = await driver.wait(id);
    assertFullRun(status);
    const out = nodeNamed(status, 'part(0:1)')?.outputs?.artifacts?.[0];
    assert.equal(out?.s3?.bucket ?? minio.bucket, minio.bucket);
    // Each pod is the one Skiff made: labelled, annotated and owned as Argo's are.
    const pods = podsOf('full');
    assert.ok(pods.length >= 8, `${pods.length} pods`);
    const wf = await client.get<Workflow>({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', namespace: NS, name: 'full' });
    for (const pod of pods) {
      assert.equal(pod.metadata.labels?.['workflows.argoproj.io/controller-instanceid'], 'skiff');
      assert.ok(pod.metadata.annotations?.['workflows.argoproj.io/node-id']);
      assert.match(pod.metadata.annotations?.['workflows.argoproj.io/node-name'] ?? '', /^full(\[|\.|$)/);
      assert.deepEqual(
        pod.metadata.ownerReferences?.map((o) => [o.kind, o.name, o.uid, o.controller]),
        [['Workflow', 'full', wf.metadata.uid, true]],
      );
      assert.equal(pod.spec?.containers.find((c) => c.name === 'wait')?.terminationMessagePolicy, 'File');
    }
    // volumeClaimGC's default (OnWorkflowSuccess): the run's claim is gone once it succeeded.
    // (Deleted: gone, or held by the pvc-protection finalizer that no controller-manager here removes.)
    await untilAsync(
      async () => (await client.list('v1', 'PersistentVolumeClaim', NS)).items.every((c) => c.metadata.deletionTimestamp !== undefined),
      'the claim is deleted',
    );
    await runtime.close();
  });

  test('a report over the termination message limit reaches the engine through the repository; without one the node fails naming the limit', async () => {
    const { driver, runtime } = start();
    const big = (name: string) => `
metadata: {name: ${name}}
spec:
  entrypoint: big
  templates:
  - name: big
    script: {image: alpine, command: [sh], source: "i=0; while [ $i -lt 600 ]; do echo line-$i-xxxxxxxx; i=$((i+1)); done"}
`;
    const withRepo = await driver.submit(workflow(big('big-report')));
    const without = await driver.submit(workflow(big('big-report'), BARE));
    const stored = await driver.wait(withRepo);
    assert.equal(stored.phase, 'Succeeded', JSON.stringify(stored.nodes));
    const result = nodeNamed(stored, 'big-report')?.outputs?.result ?? '';
    assert.equal(result.split('\n').length, 600);
    assert.ok(Buffer.byteLength(result) > 4096);
    const failed = await driver.wait(without);
    assert.equal(failed.phase, 'Error');
    assert.match(nodeNamed(failed, 'big-report')?.message ?? '', /4096-byte termination message.*no artifact repository/);
    await runtime.close();
  });

  test('a pod deleted by someone else ends its node with a clear message', async () => {
    const { driver, runtime } = start();
    const id = await driver.submit(
      workflow(`
metadata: {name: deleted}
spec:
  entrypoint: sleep
  templates:
  - {name: sleep, container: {image: alpine, command: [sleep, "600"]}}
`),
    );
    await until('the pod runs', () => podsOf('deleted').some((p) => p.status?.phase === 'Running'));
    await client.delete({ apiVersion: 'v1', kind: 'Pod', namespace: NS, name: podsOf('deleted')[0]!.metadata.name! });
    const status = await driver.wait(id);
    assert.equal(status.phase, 'Error');
    assert.match(nodeNamed(status, 'deleted')?.message ?? '', /was deleted before it finished \(by something other than Skiff\)/);
    await runtime.close();
  });

  test('stopping a run deletes its pods', async () => {
    const { driver, runtime } = start();
    const id = await driver.submit(
      workflow(`
metadata: {name: stopped}
spec:
  entrypoint: main
  templates:
  - name: main
    steps: [[{name: a, template: sleep}, {name: b, template: sleep}]]
  - {name: sleep, container: {image: alpine, command: [sleep, "600"]}}
`),
    );
    await until('both pods run', () => podsOf('stopped').filter((p) => p.status?.phase === 'Running').length === 2);
    driver.stop(id, 'enough');
    const status = await driver.wait(id);
    assert.equal(status.phase, 'Failed');
    await until('the pods are gone', () => podsOf('stopped').length === 0);
    await runtime.close();
  });

  test('a new driver and runtime over the same cluster mid-run reattach to the running pod: no pod is created twice', async () => {
    const first = start();
    const yaml = `
metadata: {name: taken-over}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: slow, template: slow}
    - - {name: after, template: echo, arguments: {parameters: [{name: m, value: "{{steps.slow.outputs.result}}"}]}}
  - name: slow
    script: {image: alpine, command: [sh], source: "sleep 3; echo slow-done"}
  - name: echo
    inputs: {parameters: [{name: m}]}
    script: {image: alpine, command: [sh], source: "echo got-{{inputs.parameters.m}}"}
`;
    const id = await first.driver.submit(workflow(yaml));
    await until('the slow pod runs', () => podsOf('taken-over').some((p) => p.status?.phase === 'Running'));
    // The first controller is gone (its runtime watches nothing more), the pod runs on.
    await first.runtime.close();
    const second = start();
    await second.driver.resumeAll();
    const status = await second.driver.wait(id);
    assert.equal(status.phase, 'Succeeded', JSON.stringify(status.nodes));
    assert.equal(nodeNamed(status, 'after')?.outputs?.result, 'got-slow-done');
    const names = [...uids.keys()].filter((k) => k.startsWith(`${NS}/taken-over`));
    assert.equal(names.length, 2);
    for (const name of names) assert.equal(uids.get(name)!.size, 1, `${name} was created ${uids.get(name)!.size} times`);
    await second.runtime.close();
  });

  test("a daemon's IP reaches later steps, a sidecar does not keep its step from ending, and podGC OnPodCompletion removes ended pods", async () => {
    const { driver, runtime } = start();
    const id = await driver.submit(
      workflow(`
metadata: {name: daemoned}
spec:
  entrypoint: main
  podGC: {strategy: OnPodCompletion}
  templates:
  - name: main
    steps:
    - - {name: server, template: server}
    - - {name: use, template: use, arguments: {parameters: [{name: ip, value: "{{steps.server.ip}}"}]}}
  - name: server
    daemon: true
    container: {image: alpine, command: [sleep, "600"]}
  - name: use
    inputs: {parameters: [{name: ip}]}
    script: {image: alpine, command: [sh], source: "echo ip={{inputs.parameters.ip}}"}
    sidecars: [{name: helper, image: alpine, command: [sleep, "600"]}]
`),
    );
    const status = await driver.wait(id);
    assert.equal(status.phase, 'Succeeded', JSON.stringify(status.nodes));
    assert.equal(nodeNamed(status, 'use')?.outputs?.result, 'ip=127.0.0.1');
    // The daemon is killed once its steps end, the step with the sidecar is deleted by podGC.
    await until('every pod of the run is gone', () => podsOf('daemoned').length === 0);
    await runtime.close();
  });

  test("a sidecar with mirrorVolumeMounts mounts main's volumes: what it writes there, main reads", async () => {
    const { driver, runtime } = start();
    const id = await driver.submit(
      workflow(`
metadata: {name: mirrored}
spec:
  entrypoint: main
  volumes: [{name: work, emptyDir: {}}]
  templates:
  - name: main
    script:
      image: alpine
      command: [sh]
      volumeMounts: [{name: work, mountPath: /work}]
      source: |
        i=0
        while [ ! -f /work/from-sidecar ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i+1)); done
        cat /work/from-sidecar
    # Written aside and moved into place: main never reads a file half written.
    sidecars:
    - {name: writer, image: alpine, command: [sh, -c, "echo sidecar-saw-work > /work/.partial && mv /work/.partial /work/from-sidecar; sleep 600"], mirrorVolumeMounts: true}
`),
    );
    // The pod goes once main ends (its sidecar still runs): read its spec while it is there.
    await until('the pod exists', () => podsOf('mirrored').length > 0);
    const writer = podsOf('mirrored')[0]?.spec?.containers.find((c) => c.name === 'writer');
    const status = await driver.wait(id);
    assert.equal(status.phase, 'Succeeded', JSON.stringify(status.nodes));
    assert.equal(nodeNamed(status, 'mirrored')?.outputs?.result, 'sidecar-saw-work');
    assert.deepEqual(writer?.volumeMounts, [{ name: 'work', mountPath: '/work' }]);
    await runtime.close();
  });

  test('podGC deleteDelayDuration keeps an ended pod for the delay; a controller that dies meanwhile leaves the deletion to the next one', async () => {
    const first = start();
    const id = await first.driver.submit(
      workflow(`
metadata: {name: gc-delayed}
spec:
  entrypoint: main
  podGC: {strategy: OnPodSuccess, deleteDelayDuration: 3s}
  templates:
  - name: main
    container: {image: alpine, command: [sh, -c, "echo done"]}
`),
    );
    const status = await first.driver.wait(id);
    assert.equal(status.phase, 'Succeeded', JSON.stringify(status.nodes));
    await until('the pod is marked with the time it goes', () => podsOf('gc-delayed').some((p) => p.metadata.annotations?.['skiff.dev/delete-after']));
    const [pod] = podsOf('gc-delayed');
    const due = Date.parse(pod!.metadata.annotations!['skiff.dev/delete-after']!);
    const finished = Math.max(...(pod!.status?.containerStatuses ?? []).map((c) => new Date(c.state?.terminated?.finishedAt ?? 0).getTime()));
    assert.equal(due, finished + 3000, 'the delay counts from the pod’s end');
    // The controller dies before the delay is over: its timer goes with it, the pod stays.
    await first.runtime.close();
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now()) + 500));
    assert.equal(podsOf('gc-delayed').length, 1, 'a closed runtime deleted the pod');
    // The next controller reads the mark from the cluster and deletes the overdue pod at once.
    const second = start();
    await second.runtime.start();
    await until('the next controller deletes the pod', () => podsOf('gc-delayed').length === 0, 10_000);
    await second.runtime.close();
  });

  test('attacker: no secret value appears in any pod spec, run record, event or container log', async () => {
    const everything = JSON.stringify((await client.list('v1', 'Pod', undefined)).items);
    assert.ok(everything.includes('minio-cred'), 'the pods refer to the Secret by name');
    assert.ok(!everything.includes(minio.secretKey), 'the secret key is in a pod spec');
    assert.ok(!everything.includes(minio.accessKey), 'the access key is in a pod spec');
    // Nor in what Skiff keeps of the runs: the Workflows and their node ConfigMaps.
    const runs = JSON.stringify([
      ...(await client.list('argoproj.io/v1alpha1', 'Workflow', undefined)).items,
      ...(await client.list('v1', 'ConfigMap', NS, { labelSelector: 'skiff.dev/run-uid' })).items,
    ]);
    assert.ok(runs.includes('minio-cred'));
    assert.ok(!runs.includes(minio.secretKey) && !runs.includes(minio.accessKey), 'a key is in a run record');
    // Nor in an event, nor in a line any container of the pods still here printed (init and wait read the Secret).
    const events = JSON.stringify((await client.list('v1', 'Event', undefined)).items);
    assert.ok(!events.includes(minio.secretKey) && !events.includes(minio.accessKey), 'a key is in an event');
    let logs = '';
    let containers = 0;
    for (const pod of live.values()) {
      for (const container of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
        try {
          for await (const chunk of client.podLog(pod.metadata.namespace ?? NS, pod.metadata.name ?? '', container.name)) logs += chunk.toString();
          containers++;
        } catch {
          // A container that never started has no log to search.
        }
      }
    }
    assert.ok(containers > 0 && logs.length > 0, 'the pods printed something to search');
    assert.ok(!logs.includes(minio.secretKey) && !logs.includes(minio.accessKey), 'a key is in a container log');
  });

  async function untilAsync(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
});
