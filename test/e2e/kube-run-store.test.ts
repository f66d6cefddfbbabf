// KubeRunStore against a real kube-apiserver: runs as labelled Workflows with Argo's status, nodes in
// ConfigMaps the Workflow owns, replay equal to the reference MemoryRunStore's, a run driven to its
// end and loaded again by a new store, and a 100,000-node run with every object measured.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { newRunStatus } from '../../src/engine/run-session.js';
import type { NodeStatus } from '../../src/engine/workflow-status.js';
import type { KubeConnection } from '../../src/kube/kube-connection.js';
import { KubeRunStore } from '../../src/kube/kube-run-store.js';
import { encodeCompressedJson } from '../../src/kube/packed-items.js';
import { runChunkConfigMap, runChunkSelector } from '../../src/kube/run-node-config-maps.js';
import { serverSideApply } from '../../src/kube/server-side-apply.js';
import { type JournalRecord, RunExistsError, runFields, type StoredRun } from '../../src/ports/run-store.js';
import { RunWriterConflictError } from '../../src/kube/run-writer-conflict-error.js';
import { RunDriver } from '../../src/runs/run-driver.js';
import { InstantRuntime } from '../../src/runtime/instant-runtime.js';
import type { ConfigMap } from '../../src/spec/model/kubernetes.js';
import type { Workflow } from '../../src/spec/model/workflow.js';
import { MemoryRunStore } from '../../src/state/memory-run-store.js';
import { startSkiffKube, type KubeEnv } from '../env/kube/index.js';
import { syntheticStatus } from '../kube/synthetic-nodes.js';

const NAMESPACE = 'runs';
const INSTANCE = { 'workflows.argoproj.io/controller-instanceid': 'skiff' };
const MiB = 1024 * 1024;

function workflow(name: string, namespace = NAMESPACE, labels: Record<string, string> = INSTANCE): Workflow {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: { name, namespace, labels, annotations: { 'example.com/team': 'builds' } },
    spec: {
      entrypoint: 'main',
      templates: [
        { name: 'main', steps: [[{ name: 'a', template: 'echo' }], [{ name: 'b', template: 'echo', withItems: [1, 2, 3] }]] },
        { name: 'echo', container: { image: 'alpine', command: ['echo', 'hi'] } },
      ],
    },
  };
}

const node = (id: string, phase: NodeStatus['phase'], extra: Partial<NodeStatus> = {}): NodeStatus => ({
  id,
  name: `run.${id}`,
  displayName: id,
  type: 'Pod',
  phase,
  ...extra,
});

/** JSON's view of a value: what a store can promise to give back (no undefined fields). */
const plain = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

describe('KubeRunStore against kube-apiserver', () => {
  let kube: KubeEnv;
  let client: KubeConnection;
  let store: KubeRunStore;

  before(async () => {
    ({ kube, client } = await startSkiffKube());
    for (const name of [NAMESPACE, 'elsewhere', 'driven']) await serverSideApply(client, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    store = new KubeRunStore(client);
  });

  after(async () => {
    await kube?.stop();
  });

  const chunksOf = async (key: string): Promise<ConfigMap[]> => {
    const [namespace, name] = key.split('/') as [string, string];
    const live = await client.get<Workflow>({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', namespace, name });
    return (await client.list<ConfigMap>('v1', 'ConfigMap', namespace, { labelSelector: runChunkSelector(live.metadata.uid!) })).items;
  };

  test('create then load gives back the run as saved, extras included; a second create is RunExistsError', async () => {
    const run: StoredRun = {
      key: `${NAMESPACE}/round-trip`,
      workflow: workflow('round-trip'),
      referenced: [],
      configMaps: [{ name: 'settings', type: 'Parameter', data: { env: 'prod' } }],
      caches: [],
      status: { phase: 'Running', startedAt: '2026-12-01T00:00:00Z', nodes: { 'round-trip': node('round-trip', 'Running', { type: 'Steps' }) } },
    };
    await store.create(run);
    const loaded = await new KubeRunStore(client).load(run.key);
    assert.deepEqual(loaded, plain(run));
    await assert.rejects(store.create(run), RunExistsError);
    assert.equal(await store.load(`${NAMESPACE}/never-made`), undefined);
  });

  test('a run created with nodes (a memoized resubmission) is whole the moment its Workflow exists: the nodes are in it, compressed as Argo compresses them', async () => {
    const run: StoredRun = {
      key: `${NAMESPACE}/born-with-nodes`,
      workflow: workflow('born-with-nodes'),
      status: { phase: 'Pending', nodes: { kept: node('kept', 'Skipped', { message: 'original pod: old-1' }) } },
    };
    await store.create(run);
    const live = await client.get<Workflow>({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', namespace: NAMESPACE, name: 'born-with-nodes' });
    assert.equal(typeof (live.status as { compressedNodes?: unknown }).compressedNodes, 'string', 'the nodes came with the create');
    assert.deepEqual(await chunksOf(run.key), [], 'no ConfigMap to wait for');
    // Another process (a controller) taking it up at once reads it whole, and goes on from there.
    const other = new KubeRunStore(client);
    assert.deepEqual(await other.load(run.key), plain(run));
    await other.append(run.key, { nodes: [node('again', 'Pending')], run: { phase: 'Running' } });
    const after = await new KubeRunStore(client).load(run.key);
    assert.deepEqual(Object.keys(after!.status.nodes).sort(), ['again', 'kept']);
    assert.equal(after!.status.phase, 'Running');
  });

  test('list shows the Workflows labelled with Skiff’s instance id, whoever created them, in every namespace or the configured ones', async () => {
    await store.create({ key: `elsewhere/ours`, workflow: workflow('ours', 'elsewhere'), status: newRunStatus() });
    // Created by "someone else" (kubectl, Argo's CLI): a plain create, with and without the label.
    await client.create<Workflow>(workflow('by-kubectl', NAMESPACE));
    await client.create<Workflow>(workflow('argo-owned', NAMESPACE, {}));
    const keys = await store.list();
    assert.ok(keys.includes(`${NAMESPACE}/by-kubectl`) && keys.includes('elsewhere/ours') && keys.includes(`${NAMESPACE}/round-trip`), keys.join());
    assert.ok(!keys.includes(`${NAMESPACE}/argo-owned`));
    assert.deepEqual(await new KubeRunStore(client, { namespaces: ['elsewhere'] }).list(), ['elsewhere/ours']);
    const picked = await store.load(`${NAMESPACE}/by-kubectl`);
    assert.deepEqual(picked?.status, { phase: 'Pending', nodes: {} });
    assert.deepEqual(picked?.workflow.spec, workflow('by-kubectl').spec);
  });

  test('appended records replay to the status MemoryRunStore replays them to; a stop record changes spec.shutdown', async () => {
    const reference = new MemoryRunStore();
    const run: StoredRun = { key: `${NAMESPACE}/journal`, workflow: workflow('journal'), status: newRunStatus() };
    await store.create(run);
    await reference.create(plain(run));
    const stopped: Workflow = { ...workflow('journal'), spec: { ...workflow('journal').spec, shutdown: 'Stop' } };
    const records: JournalRecord[] = [
      { nodes: [node('journal', 'Running', { type: 'Steps' })], run: { phase: 'Running', startedAt: '2026-12-01T00:00:00Z' } },
      { nodes: [node('a', 'Pending'), node('b', 'Pending')], run: { phase: 'Running', startedAt: '2026-12-01T00:00:00Z', progress: '0/2' } },
      { nodes: [node('a', 'Succeeded', { outputs: { parameters: [{ name: 'x', value: '1' }] } })], run: { phase: 'Running', message: 'm', progress: '1/2' } },
      { nodes: [node('b', 'Failed', { message: 'exit 1' })], run: { phase: 'Running', progress: '1/2' }, workflow: stopped },
      { nodes: [node('journal', 'Failed', { type: 'Steps' })], run: { phase: 'Failed', message: "Stopped with strategy 'Stop'", progress: '1/2' } },
    ];
    for (const record of records) {
      await store.append(run.key, record);
      await reference.append(run.key, plain(record));
    }
    const fresh = new KubeRunStore(client);
    const loaded = await fresh.load(run.key);
    assert.deepEqual(loaded, await reference.load(run.key));
    assert.equal(loaded?.workflow.spec.shutdown, 'Stop');
    const live = await client.get<Workflow>({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', namespace: NAMESPACE, name: 'journal' });
    assert.equal((live.spec as { shutdown?: string }).shutdown, 'Stop');
    assert.equal(live.metadata.labels?.['workflows.argoproj.io/completed'], 'true');

    // A compaction (save) keeps the run, leaves one snapshot and no journal, and later appends go on from it.
    await fresh.save(loaded!, { compaction: true });
    const after = await chunksOf(run.key);
    assert.deepEqual(
      after.map((c) => c.metadata.labels?.['skiff.dev/run-part']),
      ['snapshot'],
    );
    const more: JournalRecord = { nodes: [node('c', 'Succeeded')], run: { phase: 'Failed', message: 'again' } };
    await fresh.append(run.key, more);
    await reference.append(run.key, more);
    assert.deepEqual(await new KubeRunStore(client).load(run.key), await reference.load(run.key));
  });

  test('a Workflow created by others with its nodes in status keeps them through appends, until a save moves them out', async () => {
    const key = `${NAMESPACE}/with-nodes`;
    await client.create<Workflow>({ ...workflow('with-nodes'), status: { phase: 'Running', nodes: { x: node('x', 'Running') } } });
    await store.append(key, { nodes: [node('y', 'Pending')], run: { phase: 'Running', progress: '0/2' } });
    const loaded = await new KubeRunStore(client).load(key);
    assert.deepEqual(loaded?.status, { phase: 'Running', progress: '0/2', nodes: { x: node('x', 'Running'), y: node('y', 'Pending') } });
    await store.save(loaded!, { compaction: true });
    const raw = await client.get<Workflow>({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', namespace: NAMESPACE, name: 'with-nodes' });
    assert.equal(raw.status?.nodes, undefined);
    assert.deepEqual(await new KubeRunStore(client).load(key), loaded);
  });

  test('status.phase is readable from the raw Workflow object, as kubectl and Argo’s tools read it', async () => {
    const raw = await client.get<Workflow>({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', namespace: NAMESPACE, name: 'journal' });
    assert.equal(raw.status?.phase, 'Failed');
    assert.equal(raw.status?.message, 'again');
    assert.equal(raw.status?.nodes, undefined, 'nodes live in the ConfigMaps, not in the Workflow');
    assert.equal(raw.metadata.labels?.['workflows.argoproj.io/controller-instanceid'], 'skiff');
  });

  test('a conflicting write by someone else (a label) is retried on fresh state, not lost and not failing the append', async () => {
    const key = `${NAMESPACE}/journal`;
    const writer = new KubeRunStore(client);
    await writer.load(key);
    await client.patch(
      { apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', namespace: NAMESPACE, name: 'journal' },
      { metadata: { labels: { by: 'someone' } } },
      'merge',
    );
    await writer.append(key, { nodes: [node('d', 'Succeeded')], run: { phase: 'Failed', message: 'after the label' } });
    const raw = await client.get<Workflow>({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', namespace: NAMESPACE, name: 'journal' });
    assert.equal(raw.metadata.labels?.by, 'someone');
    assert.equal(raw.status?.message, 'after the label');
  });

  test('a second writer of one run is caught by the preconditions, not silently overwritten', async () => {
    const key = `${NAMESPACE}/two-writers`;
    await store.create({ key, workflow: workflow('two-writers'), status: newRunStatus() });
    const [a, b] = [new KubeRunStore(client), new KubeRunStore(client)];
    await a.load(key);
    await b.load(key);
    await b.append(key, { nodes: [node('b1', 'Running')], run: { phase: 'Running' } });
    await assert.rejects(a.append(key, { nodes: [node('a1', 'Running')], run: { phase: 'Running' } }), RunWriterConflictError);

    const c = new KubeRunStore(client);
    const run = await c.load(key);
    await b.save(run!, { compaction: true });
    await assert.rejects(c.append(key, { nodes: [node('c1', 'Running')], run: { phase: 'Running' } }), RunWriterConflictError);
    assert.deepEqual(Object.keys((await new KubeRunStore(client).load(key))!.status.nodes), ['b1']);
  });

  test('a snapshot generation left by a process that died before pointing at it is replaced by the next save, and removed by a load', async () => {
    const key = `${NAMESPACE}/leftover`;
    const run: StoredRun = { key, workflow: workflow('leftover'), status: { phase: 'Running', nodes: { a: node('a', 'Running') } } };
    await store.create(run);
    const live = await client.get<Workflow>({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', namespace: NAMESPACE, name: 'leftover' });
    const garbage = (generation: number, chunk = 0) =>
      runChunkConfigMap(
        live,
        { part: 'snapshot', generation, record: 0, chunk, chunks: 2, data: encodeCompressedJson([{}, node('z', 'Failed')]) },
        'a-dead-process',
      );
    // The run was created with its nodes in the Workflow (generation 0): the next save writes generation 1.
    // Two chunks of it were written; the save packs into one, and must not leave the second behind.
    await client.create(garbage(1));
    await client.create(garbage(1, 1));
    const next = { ...run, status: { phase: 'Running' as const, nodes: { a: node('a', 'Succeeded') } } };
    await store.save(next, { compaction: true });
    assert.deepEqual(await new KubeRunStore(client).load(key), plain(next));

    await client.create(garbage(2));
    await new KubeRunStore(client).load(key);
    assert.deepEqual(
      (await chunksOf(key)).map((c) => c.metadata.name),
      ['leftover-skiff-s1-0'],
    );
  });

  test('noteHeld shows the problem on the Workflow and clears it', async () => {
    const key = `${NAMESPACE}/round-trip`;
    await store.noteHeld(key, 'the API server refused the write');
    assert.equal((await new KubeRunStore(client).load(key))?.held?.problem, 'the API server refused the write');
    await store.noteHeld(key, undefined);
    assert.equal((await new KubeRunStore(client).load(key))?.held, undefined);
  });

  test('the RunDriver runs a steps workflow to Succeeded on this store, and a new driver and store load it identically', async () => {
    const inDriven = { namespaces: ['driven'] };
    const driver = new RunDriver({ store: new KubeRunStore(client, { ...inDriven, compactRecords: 3 }), runtime: new InstantRuntime() });
    const id = await driver.submit(workflow('driven', 'driven'));
    const status = await driver.wait(id);
    assert.equal(status.phase, 'Succeeded');
    assert.equal(Object.values(status.nodes).filter((n) => n.type === 'Pod').length, 4);

    const restarted = new KubeRunStore(client, inDriven);
    const second = new RunDriver({ store: restarted, runtime: new InstantRuntime() });
    await second.resumeAll();
    const loaded = await restarted.load(id);
    assert.deepEqual(loaded?.status, plain(status));
    assert.deepEqual(loaded?.workflow.spec, workflow('driven').spec);
  });

  test('a run cut off mid-way (its driver gone) is continued to Succeeded from the cluster alone, as is one created by kubectl', async () => {
    const inDriven = { namespaces: ['driven'] };
    let started = 0;
    let secondStep!: () => void;
    const reachedSecondStep = new Promise<void>((resolve) => {
      secondStep = resolve;
    });
    // The first pod (step a) finishes; those of the second step never do (onStart counts before the
    // script is asked): as if the first driver's process died there.
    const hanging = new InstantRuntime({
      script: () => (started > 1 ? { hang: true } : undefined),
      onStart: () => {
        if (++started === 2) secondStep();
      },
    });
    const first = new RunDriver({ store: new KubeRunStore(client, inDriven), runtime: hanging });
    const id = await first.submit(workflow('cut-off', 'driven'));
    await reachedSecondStep;
    await client.create<Workflow>(workflow('from-kubectl', 'driven'));

    const second = new RunDriver({ store: new KubeRunStore(client, inDriven), runtime: new InstantRuntime() });
    const resumed = await second.resumeAll();
    assert.deepEqual(resumed.sort(), ['driven/cut-off', 'driven/from-kubectl']);
    assert.equal((await second.wait(id)).phase, 'Succeeded');
    assert.equal((await second.wait('driven/from-kubectl')).phase, 'Succeeded');
    const raw = await client.get<Workflow>({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', namespace: 'driven', name: 'from-kubectl' });
    assert.equal(raw.status?.phase, 'Succeeded');
    assert.equal(raw.metadata.labels?.['workflows.argoproj.io/completed'], 'true');
  });

  test('a run of 100,000 nodes is saved with every object under 1 MiB, and loads back whole', async () => {
    const key = `${NAMESPACE}/big`;
    const status = syntheticStatus('big', 100_000);
    await store.create({ key, workflow: workflow('big'), status: newRunStatus() });
    await store.save({ key, workflow: workflow('big'), status });
    const raw = await client.get<Workflow>({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', namespace: NAMESPACE, name: 'big' });
    const chunks = await chunksOf(key);
    const sizes = [JSON.stringify(raw).length, ...chunks.map((c) => JSON.stringify(c).length)];
    console.log(
      `100,000 nodes (${JSON.stringify(status.nodes).length} bytes of JSON): Workflow ${sizes[0]} bytes; ${chunks.length} ConfigMaps of ${sizes.slice(1).join(', ')} bytes`,
    );
    for (const size of sizes) assert.ok(size < MiB, `${size} bytes`);

    // An append costs the changed nodes, not the run: its ConfigMap is small however large the run.
    await store.append(key, { nodes: [{ ...status.nodes.big!, message: 'noted' }], run: runFields(status) });
    const journal = (await chunksOf(key)).filter((c) => c.metadata.labels?.['skiff.dev/run-part'] === 'journal');
    console.log(`one appended node: ${journal.length} ConfigMap of ${JSON.stringify(journal[0]).length} bytes`);
    assert.equal(journal.length, 1);
    assert.ok(JSON.stringify(journal[0]).length < 4096);

    const loaded = await new KubeRunStore(client).load(key);
    assert.equal(Object.keys(loaded!.status.nodes).length, Object.keys(status.nodes).length);
    assert.equal(loaded!.status.nodes.big?.message, 'noted');
  });
});
