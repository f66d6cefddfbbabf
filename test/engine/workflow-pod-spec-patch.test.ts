import assert from 'node:assert/strict';
import { test } from 'node:test';
import { simulate, workflowOf } from './simulate-run.js';

// Argo substitutes the workflow's variables throughout its spec, so a workflow-level podSpecPatch
// may use them (examples/pod-spec-patch-wf-tmpl.yaml, pod-spec-yaml-patch.yaml).
test("a pod request carries the workflow's podSpecPatch with the workflow's parameters substituted", () => {
  const r = simulate(
    workflowOf({
      entrypoint: 'hello',
      arguments: { parameters: [{ name: 'mem-limit', value: '100Mi' }] },
      podSpecPatch: 'containers:\n- name: main\n  resources: {limits: {memory: "{{workflow.parameters.mem-limit}}"}}\n',
      templates: [{ name: 'hello', container: { image: 'busybox', command: ['echo'], args: ['hi'] } }],
    }),
  );
  assert.equal(r.status.phase, 'Succeeded', r.status.message);
  assert.equal(r.pods[0]?.workflowPodSpecPatch, 'containers:\n- name: main\n  resources: {limits: {memory: "100Mi"}}\n');
});

test('a workflow without a podSpecPatch gives its pod requests none', () => {
  const r = simulate(workflowOf({ entrypoint: 'hello', templates: [{ name: 'hello', container: { image: 'busybox', command: ['echo'] } }] }));
  assert.equal(r.pods[0]?.workflowPodSpecPatch, undefined);
});
