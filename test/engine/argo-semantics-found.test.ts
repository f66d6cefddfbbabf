// Places where Skiff's engine was found to differ from Argo's controller, each pinned to what
// Argo does (the reason is in each test's comment).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Template } from '../../src/spec/model/workflow.js';
import { echo, simulate, workflowOf } from './simulate-run.js';

const dagOf = (parameter: string, when: string): ReturnType<typeof workflowOf> =>
  workflowOf({
    entrypoint: 'main',
    arguments: { parameters: [{ name: 'p', value: parameter }] },
    templates: [
      {
        name: 'main',
        inputs: { parameters: [{ name: 'p', value: '{{workflow.parameters.p}}' }] },
        dag: { tasks: [{ name: 'b', template: 'show', when, arguments: { parameters: [{ name: 'x', value: "{{=jsonpath(inputs.parameters.p, '$.x')}}" }] } }] },
      } as Template,
      { name: 'show', inputs: { parameters: [{ name: 'x' }] }, ...echo },
    ],
  });

// Argo substitutes a template's inputs with allowUnresolved: an expression that fails is kept, and
// the task's `when` is decided before its arguments are resolved.
test('an argument expression guarded by a false `when` is never evaluated: the task is Skipped, the run Succeeds', () => {
  const r = simulate(dagOf('', "{{=inputs.parameters.p != ''}}"));
  assert.equal(r.status.phase, 'Succeeded', r.status.message);
  assert.equal(r.byDisplay('b')!.phase, 'Skipped');
  assert.equal(r.pods.length, 0);
});

test('the same expression with `when` true is evaluated for the task: valid JSON runs it, invalid JSON errs the task with the reason', () => {
  const ok = simulate(dagOf('{"x": 5}', "{{=inputs.parameters.p != ''}}"));
  assert.equal(ok.status.phase, 'Succeeded', ok.status.message);
  assert.equal(ok.byDisplay('b')!.inputs!.parameters![0]!.value, '5');
  const bad = simulate(dagOf('not json', "{{=inputs.parameters.p != ''}}"));
  assert.equal(bad.byDisplay('b')!.phase, 'Error');
  assert.match(bad.byDisplay('b')!.message!, /jsonpath.*invalid JSON/);
  assert.equal(bad.pods.length, 0);
});

test('a pod template still fails at once on an input expression that cannot be evaluated', () => {
  const r = simulate(
    workflowOf({
      entrypoint: 'leaf',
      arguments: { parameters: [{ name: 'p', value: 'not json' }] },
      templates: [
        {
          name: 'leaf',
          inputs: { parameters: [{ name: 'p', value: '{{workflow.parameters.p}}' }] },
          container: { image: 'alpine', command: ['echo', "{{=jsonpath(inputs.parameters.p, '$.x')}}"] },
        },
      ],
    }),
  );
  assert.equal(r.status.phase, 'Error');
  assert.match(r.status.message ?? r.byName('wf')!.message!, /jsonpath/);
  assert.equal(r.pods.length, 0);
});

// Argo's executor keeps an output parameter given as `value` as it is in the (substituted) template.
test('an output parameter given as `value` on a container template is the node output, substituted', () => {
  const r = simulate(
    workflowOf({
      entrypoint: 'main',
      templates: [
        {
          name: 'main',
          steps: [
            [{ name: 'make', template: 'make', arguments: { parameters: [{ name: 'who', value: 'world' }] } }],
            [{ name: 'show', template: 'show', arguments: { parameters: [{ name: 'x', value: '{{steps.make.outputs.parameters.greeting}}' }] } }],
          ],
        } as Template,
        {
          name: 'make',
          inputs: { parameters: [{ name: 'who' }] },
          ...echo,
          outputs: { parameters: [{ name: 'greeting', value: 'hello {{inputs.parameters.who}}' }] },
        },
        { name: 'show', inputs: { parameters: [{ name: 'x' }] }, ...echo },
      ],
    }),
  );
  assert.equal(r.status.phase, 'Succeeded', r.status.message);
  assert.deepEqual(r.byDisplay('make')!.outputs!.parameters, [{ name: 'greeting', value: 'hello world' }]);
  assert.equal(r.byDisplay('show')!.inputs!.parameters![0]!.value, 'hello world');
});

test('a parameter read from a file comes from the pod, one given as `value` from the template', () => {
  const r = simulate(
    workflowOf({
      entrypoint: 'make',
      templates: [
        {
          name: 'make',
          ...echo,
          outputs: {
            parameters: [
              { name: 'a', value: 'given' },
              { name: 'b', valueFrom: { path: '/tmp/b' } },
            ],
          },
        },
      ],
    }),
    { script: () => ({ outputs: { parameters: [{ name: 'b', value: 'from the file' }] } }) },
  );
  assert.deepEqual(r.byDisplay('wf')!.outputs!.parameters, [
    { name: 'a', value: 'given' },
    { name: 'b', value: 'from the file' },
  ]);
});

// Argo substitutes the DAG's scope into the workflow's volumes before each task (dag.go,
// substituteParamsInVolumes); a skipped task's output parameter is its default there.
test("a workflow-level volume named by a task's output reaches the pods of the tasks after it", () => {
  const workflow = (when: string) =>
    workflowOf({
      entrypoint: 'main',
      volumes: [{ name: 'cfg', configMap: { name: '{{tasks.gen.outputs.parameters.cm}}' } }],
      templates: [
        {
          name: 'main',
          dag: {
            tasks: [
              { name: 'gen', template: 'gen', when },
              { name: 'use', template: 'use', depends: 'gen.Succeeded || gen.Skipped' },
            ],
          },
        } as Template,
        { name: 'gen', ...echo, outputs: { parameters: [{ name: 'cm', valueFrom: { path: '/tmp/cm', default: 'fallback-config' } }] } },
        { name: 'use', container: { image: 'alpine', command: ['cat', '/cfg/a'], volumeMounts: [{ name: 'cfg', mountPath: '/cfg' }] } },
      ],
    });
  const ran = simulate(workflow('true'), {
    script: (pod) => (pod.template.name === 'gen' ? { outputs: { parameters: [{ name: 'cm', value: 'made-by-gen' }] } } : undefined),
  });
  assert.equal(ran.status.phase, 'Succeeded', ran.status.message);
  const use = ran.pods.find((pod) => pod.template.name === 'use')!;
  assert.deepEqual(use.volumes, [{ name: 'cfg', configMap: { name: 'made-by-gen' } }]);
  const skipped = simulate(workflow('false'));
  assert.equal(skipped.byDisplay('gen')!.phase, 'Skipped');
  assert.deepEqual(skipped.pods.find((pod) => pod.template.name === 'use')!.volumes, [{ name: 'cfg', configMap: { name: 'fallback-config' } }]);
});

test('without tags in the workflow volumes, pod requests carry none: the pods take the workflow own', () => {
  const r = simulate(
    workflowOf({
      entrypoint: 'main',
      volumes: [{ name: 'cfg', configMap: { name: 'fixed' } }],
      templates: [{ name: 'main', steps: [[{ name: 'a', template: 'leaf' }]] } as Template, { name: 'leaf', ...echo }],
    }),
  );
  assert.equal(r.pods.length, 1);
  assert.equal(r.pods[0]!.volumes, undefined);
});
