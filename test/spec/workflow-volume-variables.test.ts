import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lintSources } from '../../src/spec/lint-sources.js';

const workflow = (volumeName: string): string => `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: vol-
spec:
  entrypoint: main
  volumes:
  - name: cfg
    configMap:
      name: "${volumeName}"
  templates:
  - name: main
    dag:
      tasks:
      - {name: gen, template: gen}
      - {name: use, template: use, depends: gen}
  - name: gen
    container: {image: alpine, command: [echo]}
    outputs:
      parameters:
      - {name: cm, value: my-config}
  - name: use
    container:
      image: alpine
      command: [cat, /cfg/a]
      volumeMounts: [{name: cfg, mountPath: /cfg}]
`;

test("workflow-level volumes may name a task's or step's outputs, which Argo substitutes before each runs", () => {
  for (const name of ['{{tasks.gen.outputs.parameters.cm}}', '{{steps.gen.outputs.parameters.cm}}']) {
    assert.deepEqual(lintSources([{ file: 'wf.yaml', text: workflow(name) }]).diagnostics, [], name);
  }
});

test('other variables in workflow-level volumes are still checked', () => {
  const { diagnostics } = lintSources([{ file: 'wf.yaml', text: workflow('{{inputs.parameters.cm}}') }]);
  assert.deepEqual(
    diagnostics.map((d) => `${d.line}:${d.rule}`),
    ['10:unresolved-variable'],
  );
});
