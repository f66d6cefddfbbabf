import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PodRequest } from '../../src/engine/engine-events.js';
import type { Template, Workflow } from '../../src/spec/model/workflow.js';
import { simulate, workflowOf } from './simulate-run.js';

// sprig's random functions draw from a seed made of the run's uid and the node's name: each node
// has values of its own, the same ones after the engine picks the run up again from its saved
// status, and a retry attempt (a new node) draws new ones.

const writer: Template = {
  name: 'write',
  inputs: { parameters: [{ name: 'n' }] },
  container: { image: 'alpine', command: ['sh', '-c'], args: ['echo {{inputs.parameters.n}} > /shared/{{=sprig.randAlphaNum(8)}}.txt'] },
};

function loopWorkflow(uid = 'uid-1'): Workflow {
  const workflow = workflowOf({
    entrypoint: 'main',
    templates: [
      {
        name: 'main',
        steps: [
          [{ name: 'slow', template: 'slow' }],
          [{ name: 'each', template: 'write', arguments: { parameters: [{ name: 'n', value: '{{item}}' }] }, withItems: [1, 2, 3] }],
        ],
      },
      { name: 'slow', container: { image: 'alpine', command: ['sleep', '5'] } },
      writer,
    ],
  });
  workflow.metadata!.uid = uid;
  return workflow;
}

const fileOf = (pod: PodRequest): string => /\/shared\/(\S+)\.txt/.exec(pod.template.container!.args![0]!)![1]!;
const filesByNode = (pods: PodRequest[]): Record<string, string> =>
  Object.fromEntries(pods.filter((p) => p.template.name === 'write').map((p) => [p.nodeId, fileOf(p)]));
const script = (pod: PodRequest) => ({ durationMs: pod.template.name === 'slow' ? 5000 : 10 });

test('{{=sprig.randAlphaNum(8)}} in a looped template gives each iteration its own file name', () => {
  const run = simulate(loopWorkflow(), { script });
  assert.equal(run.status.phase, 'Succeeded');
  const files = Object.values(filesByNode(run.pods));
  assert.equal(files.length, 3);
  for (const file of files) assert.match(file, /^[A-Za-z0-9]{8}$/);
  assert.equal(new Set(files).size, 3, `three different names: ${files.join(', ')}`);
});

test('the values survive a restart: a run picked up from its saved status computes the same ones', () => {
  const whole = simulate(loopWorkflow(), { script });
  const first = simulate(loopWorkflow(), { script, maxEvents: 2 });
  assert.equal(first.pods.filter((p) => p.template.name === 'write').length, 0, 'stopped before the loop started');
  const resumed = simulate(loopWorkflow(), { script, status: structuredClone(first.status), start: first.now });
  assert.equal(resumed.status.phase, 'Succeeded');
  assert.deepEqual(filesByNode(resumed.pods), filesByNode(whole.pods));
});

test('another run (another uid) draws other values', () => {
  const one = Object.values(filesByNode(simulate(loopWorkflow('uid-1'), { script }).pods));
  const other = Object.values(filesByNode(simulate(loopWorkflow('uid-2'), { script }).pods));
  assert.equal(one.filter((file) => other.includes(file)).length, 0);
});

test('a retry attempt is a new node and draws a new value', () => {
  const workflow = workflowOf({
    entrypoint: 'write',
    arguments: { parameters: [{ name: 'n', value: '1' }] },
    templates: [{ ...writer, retryStrategy: { limit: 2 } }],
  });
  let attempts = 0;
  const run = simulate(workflow, { script: () => ({ exitCode: attempts++ < 2 ? 1 : 0 }) });
  assert.equal(run.status.phase, 'Succeeded');
  const files = run.pods.map(fileOf);
  assert.equal(files.length, 3);
  assert.equal(new Set(files).size, 3, `each attempt has its own name: ${files.join(', ')}`);
});

test("a step's arguments are seeded for the step's node: two steps with the same expression differ", () => {
  const step = (name: string) => ({ name, template: 'write', arguments: { parameters: [{ name: 'n', value: '{{=sprig.randNumeric(12)}}' }] } });
  const run = simulate(workflowOf({ entrypoint: 'main', templates: [{ name: 'main', steps: [[step('a'), step('b')]] }, writer] }), { script });
  const values = run.pods.map((p) => p.inputs.parameters?.find((x) => x.name === 'n')?.value);
  assert.equal(values.length, 2);
  assert.match(String(values[0]), /^[0-9]{12}$/);
  assert.notEqual(values[0], values[1]);
});

test("a looped step's arguments share a value unless the expression reads the item", () => {
  const each = (value: string) => ({ name: 'each', template: 'write', arguments: { parameters: [{ name: 'n', value }] }, withItems: ['a', 'b', 'c'] });
  const suffixes = (value: string): string[] => {
    const run = simulate(workflowOf({ entrypoint: 'main', templates: [{ name: 'main', steps: [[each(value)]] }, writer] }), { script });
    return run.pods.map((p) => String(p.inputs.parameters?.find((x) => x.name === 'n')?.value).slice(-6));
  };
  assert.equal(new Set(suffixes('{{=sprig.randAlpha(6)}}')).size, 1, 'evaluated once for the step, as Argo does');
  assert.equal(new Set(suffixes("{{=item + '-' + sprig.randAlpha(6)}}")).size, 3, 'evaluated per iteration');
});
