import assert from 'node:assert/strict';
import { test } from 'node:test';
import { containerSetFailure } from '../../src/engine/container-nodes.js';
import { resetNodes } from '../../src/engine/operations/reset-nodes.js';
import type { Template } from '../../src/spec/model/workflow.js';
import { echo, simulate, workflowOf, type Script } from './simulate-run.js';

const diamond: Template = {
  name: 'set',
  containerSet: {
    containers: [
      { name: 'a', image: 'alpine', command: ['true'] },
      { name: 'b', image: 'alpine', command: ['true'], dependencies: ['a'] },
      { name: 'c', image: 'alpine', command: ['true'], dependencies: ['a'] },
      { name: 'main', image: 'alpine', command: ['echo', 'hi'], dependencies: ['b', 'c'] },
    ],
  },
};
const ok = (...names: string[]) => names.map((name) => ({ name, exitCode: 0 }));

test("a containerSet's pod node gets one Container node per container, linked as the set's graph", () => {
  const script: Script = () => ({ outputs: { result: 'hi\n' }, containers: ok('a', 'b', 'c', 'main') });
  const r = simulate(workflowOf({ entrypoint: 'set', templates: [diamond] }), { script });
  const pod = r.byName('wf')!;
  assert.equal(pod.type, 'Pod');
  assert.equal(pod.phase, 'Succeeded');
  assert.equal(pod.outputs?.result, 'hi');
  const node = (name: string) => r.byName(`wf.${name}`)!;
  for (const name of ['a', 'b', 'c', 'main']) {
    assert.equal(node(name).type, 'Container');
    assert.equal(node(name).displayName, name);
    assert.equal(node(name).phase, 'Succeeded');
    assert.equal(node(name).boundaryID, pod.id);
    assert.equal(node(name).templateName, 'set');
    assert.equal(node(name).outputs?.exitCode, '0');
  }
  assert.deepEqual(pod.children, [node('a').id]);
  assert.deepEqual(node('a').children, [node('b').id, node('c').id]);
  assert.deepEqual(node('b').children, [node('main').id]);
  assert.deepEqual(node('c').children, [node('main').id]);
  assert.equal(r.status.progress, '1/1', 'Container nodes are not pods');
});

test('a failed container fails the pod node, naming it and the containers it kept from running', () => {
  const script: Script = () => ({
    exitCode: 1,
    containers: [
      { name: 'a', exitCode: 0 },
      { name: 'b', exitCode: 3 },
      { name: 'c', exitCode: 0 },
      { name: 'main', exitCode: 3, blockedBy: 'b' },
    ],
  });
  const r = simulate(workflowOf({ entrypoint: 'set', templates: [diamond] }), { script });
  assert.equal(r.status.phase, 'Failed');
  assert.equal(r.byName('wf')!.message, 'container "b" failed (exit code 3); "main" did not run: it depends on "b"');
  assert.equal(r.byName('wf.b')!.phase, 'Failed');
  assert.equal(r.byName('wf.b')!.message, 'Error (exit code 3)');
  assert.equal(r.byName('wf.main')!.phase, 'Omitted');
  assert.equal(r.byName('wf.main')!.message, 'not run: "b", which it depends on, failed');
  assert.equal(r.byName('wf.c')!.phase, 'Succeeded');
});

test('a failed container fails the node even when main exits 0', () => {
  const parallel: Template = {
    name: 'set',
    containerSet: {
      containers: [
        { name: 'main', image: 'alpine', command: ['true'] },
        { name: 'side', image: 'alpine', command: ['false'] },
      ],
    },
  };
  const r = simulate(workflowOf({ entrypoint: 'set', templates: [parallel] }), {
    script: () => ({
      exitCode: 0,
      containers: [
        { name: 'main', exitCode: 0 },
        { name: 'side', exitCode: 1 },
      ],
    }),
  });
  assert.equal(r.byName('wf')!.phase, 'Failed');
  assert.equal(r.byName('wf')!.outputs?.exitCode, '0', "the node's exit code is main's, as in Argo");
  assert.match(r.byName('wf')!.message ?? '', /container "side" failed \(exit code 1\)/);
});

test('Container nodes run with the pod, and take its end when it is lost or times out', () => {
  const lost = simulate(workflowOf({ entrypoint: 'set', templates: [diamond] }), { script: () => ({ error: 'node went away' }) });
  for (const name of ['a', 'b', 'c', 'main']) {
    assert.equal(lost.byName(`wf.${name}`)!.phase, 'Error');
    assert.equal(lost.byName(`wf.${name}`)!.message, 'node went away');
  }
  const timed = simulate(workflowOf({ entrypoint: 'set', templates: [{ ...diamond, activeDeadlineSeconds: 5 }] }), { script: () => ({ hang: true }) });
  assert.equal(timed.byName('wf.a')!.phase, 'Failed');
  assert.match(timed.byName('wf.a')!.message ?? '', /longer than the specified deadline/);
  const running = simulate(workflowOf({ entrypoint: 'set', templates: [diamond] }), { script: () => ({ hang: true }) });
  assert.equal(running.byName('wf.main')!.phase, 'Running', 'a container waiting on its dependencies is running, as in Argo');
});

test('the next step hangs under the last containers of the set, and a reset pod takes its Container nodes along', () => {
  const workflow = workflowOf({
    entrypoint: 'main',
    templates: [{ name: 'main', steps: [[{ name: 'group', template: 'set' }], [{ name: 'after', template: 'leaf' }]] }, diamond, { name: 'leaf', ...echo }],
  });
  const r = simulate(workflow, { script: (pod) => (pod.template.name === 'set' ? { containers: ok('a', 'b', 'c', 'main') } : undefined) });
  assert.equal(r.status.phase, 'Succeeded');
  const main = r.byName('wf[0].group.main')!;
  const next = r.byName('wf[1]')!;
  assert.deepEqual(main.children, [next.id], 'the step group after the set hangs under its last container, once');
  const deleted = resetNodes(r.status, [r.byName('wf[0].group')!.id], false);
  assert.ok(deleted.has(main.id));
  assert.equal(Object.values(r.status.nodes).filter((n) => n.type === 'Container').length, 0, 'no Container node is left without its pod');
});

test('containerSetFailure names failures and blocked containers, and nothing when all succeeded', () => {
  assert.equal(containerSetFailure(ok('a', 'b')), undefined);
  assert.equal(containerSetFailure(undefined), undefined);
  assert.equal(containerSetFailure([{ name: 'x', exitCode: 128, message: 'cannot mount /data' }]), 'container "x" failed (cannot mount /data)');
});
