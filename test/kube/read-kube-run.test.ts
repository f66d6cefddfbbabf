// Assembling a run from its Workflow and the ConfigMaps of its nodes: snapshot, journal, crashes.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import type { NodeStatus } from '../../src/engine/workflow-status.js';
import { encodeCompressedJson, packItems } from '../../src/kube/packed-items.js';
import { readKubeRun, storedWorkflowOf } from '../../src/kube/read-kube-run.js';
import { runChunkConfigMap, runChunkOf } from '../../src/kube/run-node-config-maps.js';
import type { ConfigMap } from '../../src/spec/model/kubernetes.js';
import type { Workflow } from '../../src/spec/model/workflow.js';
import { DamagedRunError } from '../../src/state/damaged-run-error.js';

const node = (id: string, phase: NodeStatus['phase'] = 'Running'): NodeStatus => ({ id, name: id, displayName: id, type: 'Pod', phase });

function workflow(generation: number, chunks: number, status: Record<string, unknown> = { phase: 'Running' }): Workflow {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: {
      name: 'build',
      namespace: 'ci',
      uid: 'u-1',
      resourceVersion: '42',
      labels: { 'workflows.argoproj.io/controller-instanceid': 'skiff', 'workflows.argoproj.io/completed': 'false' },
      annotations: { 'skiff.dev/nodes-generation': String(generation), 'skiff.dev/nodes-chunks': String(chunks), team: 'a' },
    },
    spec: { entrypoint: 'main' },
    status,
  };
}

function chunks(owner: Workflow, part: 'snapshot' | 'journal', generation: number, record: number, items: unknown[]): ConfigMap[] {
  const packed = packItems(items, 500);
  return packed.map((data, chunk) => runChunkConfigMap(owner, { part, generation, record, chunk, chunks: packed.length, data }));
}

test('a snapshot then journal records in order make the run; the store’s own labels and annotations are not the workflow’s', () => {
  const live = workflow(2, 1);
  const maps = [
    ...chunks(live, 'snapshot', 2, 0, [{ configMaps: [] }, node('a'), node('b')]),
    ...chunks(live, 'journal', 2, 2, [{ run: { phase: 'Succeeded' } }, node('b', 'Succeeded')]),
    ...chunks(live, 'journal', 2, 1, [{ run: { phase: 'Running', message: 'x' } }, node('a', 'Succeeded'), node('c')]),
    ...chunks(live, 'snapshot', 1, 0, [{}, node('old')]),
  ];
  const read = readKubeRun(live, maps);
  assert.equal(read.run.key, 'ci/build');
  assert.deepEqual(read.run.configMaps, []);
  assert.deepEqual(read.run.status, {
    phase: 'Succeeded',
    nodes: { a: node('a', 'Succeeded'), b: node('b', 'Succeeded'), c: node('c') },
  });
  assert.equal(read.record, 2);
  assert.deepEqual(read.stale, ['build-skiff-s1-0']);
  assert.deepEqual(read.run.workflow.metadata, {
    name: 'build',
    namespace: 'ci',
    labels: { 'workflows.argoproj.io/controller-instanceid': 'skiff' },
    annotations: { team: 'a' },
  });
  assert.equal(storedWorkflowOf(live).status, undefined);
});

test('a last record with a chunk missing (a crash during its append) is left out and marked stale', () => {
  const live = workflow(1, 1);
  const record2 = chunks(live, 'journal', 1, 2, [{ run: { phase: 'Failed' } }, node(randomBytes(150).toString('hex')), node(randomBytes(150).toString('hex'))]);
  assert.ok(record2.length > 1);
  const maps = [...chunks(live, 'snapshot', 1, 0, [{}, node('a')]), ...chunks(live, 'journal', 1, 1, [{ run: { phase: 'Running' } }]), record2[0]!];
  const read = readKubeRun(live, maps);
  assert.equal(read.run.status.phase, 'Running');
  assert.equal(read.record, 1);
  assert.deepEqual(read.stale, [record2[0]!.metadata.name]);
});

test('a record missing before the last, or a snapshot short of chunks, makes the run damaged', () => {
  const live = workflow(1, 1);
  const snapshot = chunks(live, 'snapshot', 1, 0, [{}, node('a')]);
  assert.throws(() => readKubeRun(live, [...snapshot, ...chunks(live, 'journal', 1, 2, [{ run: { phase: 'Running' } }])]), DamagedRunError);
  assert.throws(() => readKubeRun(workflow(1, 2), snapshot), DamagedRunError);
});

test('a Workflow written by others has its nodes in status.nodes or Argo’s compressedNodes', () => {
  const plain = workflow(0, 0, { phase: 'Running', nodes: { a: node('a') } });
  delete plain.metadata.annotations;
  assert.deepEqual(readKubeRun(plain, []).run.status.nodes, { a: node('a') });
  const compressed = workflow(0, 0, { phase: 'Running', compressedNodes: encodeCompressedJson({ b: node('b') }) });
  assert.deepEqual(readKubeRun(compressed, []).run.status, { phase: 'Running', nodes: { b: node('b') } });
  const bare = workflow(0, 0);
  delete bare.status;
  assert.deepEqual(readKubeRun(bare, []).run.status, { phase: 'Pending', nodes: {} });
});

test('a chunk ConfigMap is owned by its Workflow and reads back as the same chunk', () => {
  const live = workflow(1, 1);
  const map = runChunkConfigMap(live, { part: 'journal', generation: 3, record: 7, chunk: 0, chunks: 1, data: 'AAAA' });
  assert.equal(map.metadata.name, 'build-skiff-j3-7-0');
  assert.deepEqual(map.metadata.ownerReferences, [
    { apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', name: 'build', uid: 'u-1', blockOwnerDeletion: false },
  ]);
  assert.deepEqual(runChunkOf(map), { part: 'journal', generation: 3, record: 7, chunk: 0, chunks: 1, data: 'AAAA', name: 'build-skiff-j3-7-0' });
  const long = runChunkConfigMap(
    { ...live, metadata: { ...live.metadata, name: 'n'.repeat(253) } },
    { part: 'snapshot', generation: 1, record: 0, chunk: 0, chunks: 1, data: '' },
  );
  assert.ok(long.metadata.name!.length <= 253);
  assert.match(long.metadata.name!, /-[0-9a-f]{10}-skiff-s1-0$/);
});
