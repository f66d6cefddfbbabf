import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { argoCorpusDir } from '../helpers/paths.js';
import { skiff, workspace } from './run-cli.js';

const example = (file: string): string => readFileSync(resolve(argoCorpusDir, 'examples', file), 'utf8');

interface NodeJson {
  id: string;
  type: string;
  phase: string;
  message?: string;
  memoizationStatus?: { hit: boolean; key: string; cacheName: string };
  outputs?: { parameters?: Array<{ name: string; value: string }> };
}
interface WorkflowJson {
  metadata: { name: string };
  status: { phase: string; nodes: Record<string, NodeJson> };
}

async function submit(dir: string): Promise<WorkflowJson> {
  const result = await skiff(dir, ['submit', 'wf.yaml', '--wait', '-o', 'json']);
  assert.equal(result.status, 0, result.stdout + result.stderr);
  return JSON.parse(result.stdout) as WorkflowJson;
}

describe('skiff submit with memoized templates', () => {
  it("runs Argo's memoize-simple once and takes it from the cache the second time", async () => {
    const dir = workspace({ 'wf.yaml': example('memoize-simple.yaml') });
    const first = await submit(dir);
    const ran = first.status.nodes[first.metadata.name]!;
    assert.equal(ran.phase, 'Succeeded');
    assert.deepEqual(ran.memoizationStatus, { hit: false, key: 'cache-key', cacheName: 'cache-config' });

    // The cache is a ConfigMap among the applied objects, labelled and in Argo's entry format.
    const cache = JSON.parse(readFileSync(join(dir, 'state', 'objects', 'ConfigMap', 'default', 'cache-config.json'), 'utf8')) as {
      metadata: { labels: Record<string, string> };
      data: Record<string, string>;
    };
    assert.equal(cache.metadata.labels['workflows.argoproj.io/configmap-type'], 'Cache');
    assert.equal((JSON.parse(cache.data['cache-key']!) as { nodeID: string }).nodeID, ran.id);

    const second = await submit(dir);
    const hit = second.status.nodes[second.metadata.name]!;
    assert.equal(second.status.phase, 'Succeeded');
    assert.deepEqual(hit.memoizationStatus, { hit: true, key: 'cache-key', cacheName: 'cache-config' });
    assert.deepEqual(hit.outputs, ran.outputs);
    // No pod ran: the run's journal has the node only as created, already Succeeded (a pod's node starts Pending).
    // Each line is a checksum and a record; the first, a header, has no nodes.
    const journal = readFileSync(join(dir, 'state', 'runs', 'default', second.metadata.name, 'journal.ndjson'), 'utf8')
      .trim()
      .split('\n');
    const phases = journal
      .flatMap((line) => (JSON.parse(line.replace(/^[0-9a-f]{8} /, '')) as { nodes?: NodeJson[] }).nodes ?? [])
      .filter((n) => n.id === hit.id)
      .map((n) => n.phase);
    assert.deepEqual(phases, ['Succeeded']);
    const firstJournal = readFileSync(join(dir, 'state', 'runs', 'default', first.metadata.name, 'journal.ndjson'), 'utf8');
    assert.match(firstJournal, /"phase":"Pending"/);

    // `skiff get` says where the outputs came from, and names no pod.
    const shown = await skiff(dir, ['get', second.metadata.name]);
    const row = shown.stdout.split('\n').find((line) => line.includes(`✔ ${second.metadata.name}`)) ?? '';
    assert.match(row, /from cache cache-config \(key cache-key\)/);
    assert.equal(row.split(second.metadata.name).length, 2, row);
  });
});
