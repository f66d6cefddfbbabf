import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Template } from '../../src/spec/model/workflow.js';
import { retryRun } from '../../src/engine/operations/retry-run.js';
import { resubmitRun } from '../../src/engine/operations/resubmit-run.js';
import { echo, simulate, workflowOf, type Script } from './simulate-run.js';

const leaf = (name: string): Template => ({ name, ...echo, outputs: { parameters: [{ name: 'o', valueFrom: { path: '/o' } }] } });
const workflow = workflowOf({
  entrypoint: 'main',
  onExit: 'exit',
  templates: [
    {
      name: 'main',
      steps: [
        [
          { name: 'a', template: 'ok' },
          { name: 'b', template: 'flaky' },
        ],
        [{ name: 'c', template: 'ok', arguments: { parameters: [] } }],
      ],
    },
    leaf('ok'),
    leaf('flaky'),
    { name: 'exit', ...echo },
  ],
});
const outputs = (pod: { podName: string }) => ({ outputs: { parameters: [{ name: 'o', value: pod.podName }] } });
const failFlaky: Script = (pod) => (pod.template.name === 'flaky' ? { exitCode: 1 } : outputs(pod));
const allOk: Script = (pod) => outputs(pod);

test('retry: only failed pods and what follows run again; succeeded work keeps its outputs; the exit handler reruns', () => {
  const first = simulate(workflow, { script: failFlaky });
  assert.equal(first.status.phase, 'Failed');
  const a = first.byName('wf[0].a')!;
  const retried = retryRun(workflow, first.status);
  assert.ok(!('error' in retried));
  assert.equal(retried.status.phase, 'Running');
  assert.equal(retried.status.nodes[a.id]!.phase, 'Succeeded');
  assert.equal(retried.status.nodes[first.byName('wf[0].b')!.id], undefined);
  assert.equal(retried.status.nodes[first.byName('wf.onExit')!.id], undefined);
  const second = simulate(retried.workflow, { script: allOk, status: retried.status });
  assert.equal(second.status.phase, 'Succeeded', second.status.message);
  assert.deepEqual(
    second.pods.map((p) => second.status.nodes[p.nodeId]!.name),
    ['wf[0].b', 'wf[1].c', 'wf.onExit'],
  );
  assert.deepEqual(second.status.nodes[a.id]!.outputs, a.outputs);
  assert.ok(second.byName('wf[0].b')!.children!.includes(second.byName('wf[1]')!.id));
});

test('retry of named nodes, and --restart-successful for a node that succeeded', () => {
  const first = simulate(workflow, { script: allOk });
  assert.equal(first.status.phase, 'Succeeded');
  const refused = retryRun(workflow, first.status, { nodes: ['a'] });
  assert.ok('error' in refused && /restartSuccessful/.test(refused.error));
  const named = retryRun(workflow, first.status, { nodes: ['a'], restartSuccessful: true });
  assert.ok(!('error' in named));
  const second = simulate(named.workflow, { script: allOk, status: named.status });
  assert.equal(second.status.phase, 'Succeeded');
  // a and everything after it (c, the exit handler) run again; b, beside a, does not.
  assert.deepEqual(second.pods.map((p) => second.status.nodes[p.nodeId]!.name).sort(), ['wf.onExit', 'wf[0].a', 'wf[1].c']);
  assert.ok('error' in retryRun(workflow, first.status, { nodes: ['nope'] }));
});

test('resubmit with memoization keeps succeeded pods as Skipped with their outputs', () => {
  const first = simulate(workflow, { script: failFlaky });
  const again = resubmitRun(workflow, first.status, 'wf2', true);
  assert.ok(!('error' in again));
  const kept = again.status.nodes[Object.keys(again.status.nodes).find((id) => again.status.nodes[id]!.name === 'wf2[0].a')!]!;
  assert.equal(kept.type, 'Skipped');
  assert.equal(kept.message, `original pod: ${first.byName('wf[0].a')!.id}`);
  const second = simulate(again.workflow, { script: allOk, status: again.status });
  assert.equal(second.status.phase, 'Succeeded', second.status.message);
  assert.deepEqual(
    second.pods.map((p) => second.status.nodes[p.nodeId]!.name),
    ['wf2[0].b', 'wf2[1].c', 'wf2.onExit'],
  );
  const fresh = resubmitRun(workflow, first.status, 'wf3', false);
  assert.ok(!('error' in fresh));
  assert.deepEqual(fresh.status.nodes, {});
});
