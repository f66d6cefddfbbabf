import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InstantRuntime } from '../../src/runtime/instant-runtime.js';
import type { RuntimeEvent } from '../../src/ports/runtime.js';
import type { PodRequest } from '../../src/engine/engine-events.js';

const pod: PodRequest = {
  workflowName: 'wf',
  workflowNamespace: 'default',
  nodeId: 'n1',
  podName: 'p1',
  template: { name: 't', container: { image: 'a' }, outputs: { parameters: [{ name: 'x', valueFrom: { path: '/x', default: 'd' } }] } },
  inputs: {},
};

test('the instant runtime succeeds at once with default outputs, reattaches by pod name, and obeys scripts and kills', async () => {
  const events: RuntimeEvent[] = [];
  const runtime = new InstantRuntime();
  runtime.run(pod, (e) => events.push(e));
  runtime.run(pod, (e) => events.push(e));
  await new Promise((r) => setImmediate(r));
  assert.equal(runtime.started, 1);
  assert.deepEqual(events, [
    { type: 'pod-started', nodeId: 'n1' },
    { type: 'pod-finished', nodeId: 'n1', exitCode: 0, outputs: { parameters: [{ name: 'x', value: 'd' }] } },
  ]);

  const scripted = new InstantRuntime({ script: () => ({ exitCode: 2, delayMs: 20 }) });
  const got: RuntimeEvent[] = [];
  scripted.run(pod, (e) => got.push(e));
  scripted.kill('default/wf', 'p1');
  await new Promise((r) => setTimeout(r, 40));
  assert.deepEqual(got, [{ type: 'pod-started', nodeId: 'n1' }]);
});
