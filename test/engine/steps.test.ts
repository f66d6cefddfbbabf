import { test } from 'node:test';
import assert from 'node:assert/strict';
import { echo, simulate, workflowOf } from './simulate-run.js';
import { nodeId, podName } from '../../src/engine/node-naming.js';

test('a single container runs as the root pod node, named as Argo names it', () => {
  const result = simulate(workflowOf({ entrypoint: 'main', templates: [{ name: 'main', ...echo }] }));
  assert.equal(result.status.phase, 'Succeeded');
  const root = result.status.nodes.wf!;
  assert.equal(root.type, 'Pod');
  assert.equal(root.phase, 'Succeeded');
  assert.equal(root.displayName, 'wf');
  assert.equal(result.pods[0]!.podName, 'wf');
  assert.equal(result.status.progress, '1/1');
});

test('steps: groups in order, steps of a group in parallel, Argo node names and links', () => {
  const result = simulate(
    workflowOf({
      entrypoint: 'main',
      templates: [
        {
          name: 'main',
          steps: [
            [{ name: 'a', template: 'echo' }],
            [
              { name: 'b', template: 'echo' },
              { name: 'c', template: 'echo' },
            ],
          ],
        },
        { name: 'echo', ...echo },
      ],
    }),
  );
  assert.equal(result.status.phase, 'Succeeded');
  const a = result.byName('wf[0].a')!;
  assert.equal(a.id, nodeId('wf', 'wf[0].a'));
  assert.equal(a.displayName, 'a');
  assert.equal(a.boundaryID, 'wf');
  assert.equal(a.templateName, 'echo');
  const g1 = result.byName('wf[1]')!;
  assert.deepEqual(a.children, [g1.id]);
  assert.equal(g1.displayName, '[1]');
  assert.equal(g1.type, 'StepGroup');
  assert.deepEqual(result.status.nodes.wf!.children, [result.byName('wf[0]')!.id]);
  assert.deepEqual(result.status.nodes.wf!.outboundNodes, [result.byName('wf[1].b')!.id, result.byName('wf[1].c')!.id]);
  assert.equal(result.pods[0]!.podName, podName('wf', 'wf[0].a', 'echo'));
  assert.deepEqual(
    result.pods.map((p) => p.nodeId),
    [a.id, result.byName('wf[1].b')!.id, result.byName('wf[1].c')!.id],
  );
});
