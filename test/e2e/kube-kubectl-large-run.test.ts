// A 10,000-node run as kubectl sees it: KubeRunStore saves it against a real kube-apiserver, and
// kubectl (built from the same Kubernetes modules) lists it, prints it as YAML, and finds the
// ConfigMaps that hold its nodes; every object stays under etcd's 1 MiB.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { newRunStatus } from '../../src/engine/run-session.js';
import type { KubeConnection } from '../../src/kube/kube-connection.js';
import { KubeRunStore } from '../../src/kube/kube-run-store.js';
import { runChunkSelector } from '../../src/kube/run-node-config-maps.js';
import { serverSideApply } from '../../src/kube/server-side-apply.js';
import type { Workflow } from '../../src/spec/model/workflow.js';
import { RunDriver } from '../../src/runs/run-driver.js';
import { InstantRuntime } from '../../src/runtime/instant-runtime.js';
import { type KubeEnv, REPO_ROOT, startSkiffKube } from '../env/kube/index.js';
import { syntheticStatus } from '../kube/synthetic-nodes.js';

const NAMESPACE = 'large';
const MiB = 1024 * 1024;
const KUBECTL = join(REPO_ROOT, '.cache', 'bin', 'kubectl');
const exec = promisify(execFile);

describe('a 10,000-node run read with kubectl', () => {
  let kube: KubeEnv;
  let client: KubeConnection;

  before(async () => {
    ({ kube, client } = await startSkiffKube());
    await serverSideApply(client, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });
  });

  after(async () => {
    await kube?.stop();
  });

  const kubectl = async (...args: string[]): Promise<string> =>
    (await exec(KUBECTL, ['--kubeconfig', kube.kubeconfigPath, '-n', NAMESPACE, ...args], { maxBuffer: 64 * MiB })).stdout;

  test('kubectl get wf lists it with its phase (and message, wide); -o yaml shows its status; the Workflow and each node ConfigMap are under 1 MiB', async () => {
    const store = new KubeRunStore(client);
    const key = `${NAMESPACE}/ten-thousand`;
    const workflow: Workflow = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Workflow',
      metadata: { name: 'ten-thousand', namespace: NAMESPACE, labels: { 'workflows.argoproj.io/controller-instanceid': 'skiff' } },
      spec: {
        entrypoint: 'main',
        templates: [
          { name: 'main', steps: [[{ name: 'shard', template: 'process-shard', withSequence: { count: '10000' } }]] },
          { name: 'process-shard', container: { image: 'alpine', command: ['echo', '{{item}}'] } },
        ],
      },
    };
    const status = { ...syntheticStatus('ten-thousand', 10_000), message: 'all shards processed' };
    await store.create({ key, workflow, status: newRunStatus() });
    await store.save({ key, workflow, status });

    const table = await kubectl('get', 'wf');
    const row = table.split('\n').find((line) => line.startsWith('ten-thousand '));
    assert.ok(row, table);
    assert.match(row, /\bSucceeded\b/, table);
    // The message column is a wide one, as in Argo's CRD.
    const wide = await kubectl('get', 'wf', '-o', 'wide');
    assert.match(wide.split('\n').find((line) => line.startsWith('ten-thousand ')) ?? '', /Succeeded .*all shards processed/, wide);

    const yaml = await kubectl('get', 'wf', 'ten-thousand', '-o', 'yaml');
    const shown = parse(yaml) as Workflow;
    assert.equal(shown.metadata.name, 'ten-thousand');
    assert.equal(shown.status?.phase, 'Succeeded');
    assert.equal(shown.status?.message, 'all shards processed');
    assert.deepEqual(shown.spec, workflow.spec);
    const json = await kubectl('get', 'wf', 'ten-thousand', '-o', 'json');
    console.log(`10,000 nodes: kubectl get wf -o yaml ${yaml.length} bytes, -o json ${json.length} bytes`);
    assert.ok(json.length < MiB, `the Workflow is ${json.length} bytes`);

    // The nodes are in ConfigMaps the Workflow owns, which kubectl finds by the run's uid.
    const chunks = parse(await kubectl('get', 'configmaps', '-l', runChunkSelector(shown.metadata.uid!), '-o', 'yaml')) as {
      items: Array<{ metadata: { ownerReferences?: Array<{ kind: string; name: string }> } }>;
    };
    assert.ok(chunks.items.length > 0);
    for (const chunk of chunks.items) {
      assert.ok(JSON.stringify(chunk).length < MiB);
      assert.deepEqual(
        chunk.metadata.ownerReferences?.map((o) => [o.kind, o.name]),
        [['Workflow', 'ten-thousand']],
      );
    }
    const loaded = await new KubeRunStore(client).load(key);
    assert.equal(Object.keys(loaded!.status.nodes).length, Object.keys(status.nodes).length);
  });

  test('a 10,000-pod run driven by the engine on this store: kubectl shows it Succeeded with its progress, the Workflow under 1 MiB', async () => {
    const driver = new RunDriver({ store: new KubeRunStore(client, { namespaces: [NAMESPACE] }), runtime: new InstantRuntime() });
    const started = Date.now();
    const id = await driver.submit({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Workflow',
      metadata: { name: 'fan-out', namespace: NAMESPACE, labels: { 'workflows.argoproj.io/controller-instanceid': 'skiff' } },
      spec: {
        entrypoint: 'main',
        templates: [
          { name: 'main', steps: [[{ name: 'shard', template: 'echo', withSequence: { count: '10000' } }]] },
          { name: 'echo', container: { image: 'alpine', command: ['echo', '{{item}}'] } },
        ],
      },
    });
    const status = await driver.wait(id);
    console.log(`10,000 pods driven through KubeRunStore in ${Date.now() - started} ms`);
    assert.equal(status.phase, 'Succeeded');
    assert.equal(Object.values(status.nodes).filter((n) => n.type === 'Pod').length, 10_000);
    const table = await kubectl('get', 'wf', 'fan-out');
    assert.match(table, /fan-out\s+Succeeded/, table);
    const shown = parse(await kubectl('get', 'wf', 'fan-out', '-o', 'yaml')) as Workflow;
    assert.equal(shown.status?.phase, 'Succeeded');
    assert.equal(shown.status?.progress, '10000/10000');
    const json = await kubectl('get', 'wf', 'fan-out', '-o', 'json');
    assert.ok(json.length < MiB, `the Workflow is ${json.length} bytes`);
  });
});
