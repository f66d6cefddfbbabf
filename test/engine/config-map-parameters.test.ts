import assert from 'node:assert/strict';
import { test } from 'node:test';
import { advanceRun } from './advance-run.js';
import { newRunStatus, type RunDefinition } from '../../src/engine/run-session.js';
import { ConfigMapParameters, type ParameterConfigMap } from '../../src/engine/config-map-parameters.js';
import type { PodRequest } from '../../src/engine/engine-events.js';
import type { Parameter, Template, Workflow } from '../../src/spec/model/workflow.js';
import { echo, simulate, START, workflowOf } from './simulate-run.js';

// Argo's examples/configmaps/simple-parameters-configmap.yaml, as the run receives it.
const SIMPLE: ParameterConfigMap = { name: 'simple-parameters', type: 'Parameter', data: { msg: 'hello world' } };
const fromMap = (name = 'simple-parameters', key = 'msg', extra: Record<string, unknown> = {}): Parameter['valueFrom'] => ({
  configMapKeyRef: { name, key },
  ...extra,
});
const printer = (args = '{{inputs.parameters.message}}', inputs: Parameter[] = [{ name: 'message' }]): Template => ({
  name: 'print',
  inputs: { parameters: inputs },
  container: { image: 'busybox', command: ['echo'], args: [args] },
});
const argsOf = (pod: PodRequest | undefined) => pod?.template.container?.args;

function run(workflow: Workflow, configMaps: ParameterConfigMap[] = [SIMPLE]) {
  return simulate(workflow, { definition: { configMaps } });
}

test('a template input reads its value from a ConfigMap key (arguments-parameters-from-configmap)', () => {
  const r = run(workflowOf({ entrypoint: 'print', templates: [printer(undefined, [{ name: 'message', valueFrom: fromMap() }])] }));
  assert.equal(r.status.phase, 'Succeeded', r.status.message);
  assert.deepEqual(argsOf(r.pods[0]), ['hello world']);
  assert.deepEqual(r.byName('wf')!.inputs!.parameters, [{ name: 'message', value: 'hello world' }]);
});

test('a global parameter reads its value from a ConfigMap key (global-parameters-from-configmap)', () => {
  const r = run(
    workflowOf({
      entrypoint: 'print',
      arguments: {
        parameters: [
          { name: 'message', valueFrom: fromMap() },
          { name: 'plain', value: 'x' },
        ],
      },
      templates: [{ name: 'print', container: { image: 'busybox', command: ['echo'], args: ['{{workflow.parameters.message}}', '{{workflow.parameters}}'] } }],
    }),
  );
  assert.equal(r.status.phase, 'Succeeded', r.status.message);
  assert.deepEqual(argsOf(r.pods[0]), [
    'hello world',
    JSON.stringify([
      { name: 'message', value: 'hello world' },
      { name: 'plain', value: 'x' },
    ]),
  ]);
});

test('a global parameter from a ConfigMap is passed to the entrypoint as its input (referenced-as-local-variable)', () => {
  const r = run(workflowOf({ entrypoint: 'print', arguments: { parameters: [{ name: 'message', valueFrom: fromMap() }] }, templates: [printer()] }));
  assert.equal(r.status.phase, 'Succeeded', r.status.message);
  assert.deepEqual(argsOf(r.pods[0]), ['hello world']);
  assert.deepEqual(r.byName('wf')!.inputs!.parameters, [{ name: 'message', value: 'hello world' }]);
});

test("a workflowTemplateRef run reads the template's ConfigMap arguments, and its exit handler gets them too", () => {
  const library = {
    name: 'lib',
    spec: { entrypoint: 'print', onExit: 'print', arguments: { parameters: [{ name: 'message', valueFrom: fromMap() }] }, templates: [printer()] },
  };
  const r = simulate(workflowOf({ workflowTemplateRef: { name: 'lib' } }), { definition: { referenced: [library], configMaps: [SIMPLE] } });
  assert.equal(r.status.phase, 'Succeeded', r.status.message);
  assert.deepEqual(r.pods.map(argsOf), [['hello world'], ['hello world']]);
});

test('a step argument may come from a ConfigMap whose name is made of workflow parameters', () => {
  const maps: ParameterConfigMap[] = [{ name: 'prod-settings', type: 'Parameter', data: { region: 'eu-west-1' } }];
  const r = run(
    workflowOf({
      entrypoint: 'main',
      arguments: { parameters: [{ name: 'env', value: 'prod' }] },
      templates: [
        {
          name: 'main',
          steps: [
            [
              {
                name: 'show',
                template: 'print',
                arguments: { parameters: [{ name: 'message', valueFrom: fromMap('{{workflow.parameters.env}}-settings', 'region') }] },
              },
            ],
          ],
        },
        printer(),
      ],
    }),
    maps,
  );
  assert.equal(r.status.phase, 'Succeeded', r.status.message);
  assert.deepEqual(argsOf(r.pods[0]), ['eu-west-1']);
  assert.deepEqual(r.byName('wf[0].show')!.inputs!.parameters, [{ name: 'message', value: 'eu-west-1' }]);
});

test("an argument with a value wins over the input's ConfigMap, which is then not read", () => {
  const r = run(
    workflowOf({
      entrypoint: 'main',
      templates: [
        { name: 'main', steps: [[{ name: 'show', template: 'print', arguments: { parameters: [{ name: 'message', value: 'given' }] } }]] },
        printer(undefined, [{ name: 'message', valueFrom: fromMap('absent') }]),
      ],
    }),
    [],
  );
  assert.equal(r.status.phase, 'Succeeded', r.status.message);
  assert.deepEqual(argsOf(r.pods[0]), ['given']);
});

test('a missing ConfigMap errors the node that needs it, with what is missing and where', () => {
  const r = run(
    workflowOf({
      entrypoint: 'main',
      templates: [
        { name: 'main', steps: [[{ name: 'ok', template: 'plain' }], [{ name: 'show', template: 'print' }]] },
        { name: 'plain', ...echo },
        printer(undefined, [{ name: 'message', valueFrom: fromMap() }]),
      ],
    }),
    [],
  );
  const show = r.byName('wf[1].show')!;
  assert.equal(show.phase, 'Error');
  assert.equal(show.message, 'inputs.parameters.message: ConfigMap "simple-parameters" does not exist in namespace "default"');
  assert.equal(r.byName('wf[0].ok')!.phase, 'Succeeded', 'the steps before it ran');
  assert.equal(r.pods.length, 1, 'no pod for the node that errored');
  assert.equal(r.status.phase, 'Failed');
  assert.equal(r.status.message, `child '${show.id}' failed`);
});

test("a missing key names the keys the ConfigMap has; the namespace is the workflow's", () => {
  const workflow = workflowOf({ entrypoint: 'print', templates: [printer(undefined, [{ name: 'message', valueFrom: fromMap('simple-parameters', 'nope') }])] });
  workflow.metadata.namespace = 'team-a';
  const r = run(workflow);
  assert.equal(r.status.phase, 'Error');
  assert.equal(r.byName('wf')!.message, 'inputs.parameters.message: ConfigMap "simple-parameters" in namespace "team-a" has no key "nope" (keys: msg)');
});

test('a global parameter whose ConfigMap is missing fails the run before any node starts', () => {
  const r = run(workflowOf({ entrypoint: 'print', arguments: { parameters: [{ name: 'message', valueFrom: fromMap() }] }, templates: [printer()] }), []);
  assert.equal(r.status.phase, 'Failed');
  assert.equal(r.status.message, 'spec.arguments.parameters.message: ConfigMap "simple-parameters" does not exist in namespace "default"');
  assert.deepEqual(r.status.nodes, {});
  assert.equal(r.pods.length, 0);
  assert.ok(r.status.finishedAt);
});

test('valueFrom.default stands in for a missing ConfigMap or key, for inputs and globals', () => {
  const r = run(
    workflowOf({
      entrypoint: 'print',
      arguments: { parameters: [{ name: 'global', valueFrom: fromMap('absent', 'msg', { default: 'g-default' }) }] },
      templates: [
        printer('{{inputs.parameters.message}} {{workflow.parameters.global}}', [
          { name: 'message', valueFrom: fromMap('simple-parameters', 'nope', { default: 'i-default' }) },
        ]),
      ],
    }),
  );
  assert.equal(r.status.phase, 'Succeeded', r.status.message);
  assert.deepEqual(argsOf(r.pods[0]), ['i-default g-default']);
});

test("the input's own default does not stand in for its ConfigMap (only valueFrom.default does)", () => {
  const r = run(
    workflowOf({ entrypoint: 'print', templates: [printer(undefined, [{ name: 'message', default: 'plain default', valueFrom: fromMap('absent') }])] }),
    [],
  );
  assert.equal(r.status.phase, 'Error');
  assert.match(r.byName('wf')!.message ?? '', /ConfigMap "absent" does not exist/);
});

test('configMapKeyRef.optional does not make a missing ConfigMap acceptable, and the message says what to do', () => {
  const valueFrom = { configMapKeyRef: { name: 'absent', key: 'msg', optional: true } };
  const r = run(workflowOf({ entrypoint: 'print', templates: [printer(undefined, [{ name: 'message', valueFrom }])] }), []);
  assert.equal(r.status.phase, 'Error');
  assert.equal(
    r.byName('wf')!.message,
    'inputs.parameters.message: ConfigMap "absent" does not exist in namespace "default"; configMapKeyRef.optional does not apply to parameters: set valueFrom.default for a fallback',
  );
});

test('parameters are read only from ConfigMaps labelled as parameter ConfigMaps', () => {
  const unlabelled = run(workflowOf({ entrypoint: 'print', templates: [printer(undefined, [{ name: 'message', valueFrom: fromMap('plain') }])] }), [
    { name: 'plain' },
  ]);
  assert.equal(
    unlabelled.byName('wf')!.message,
    'inputs.parameters.message: ConfigMap "plain" in namespace "default" has no label workflows.argoproj.io/configmap-type: Parameter, which a ConfigMap needs for parameters to be read from it',
  );
  // A ConfigMap labelled for another use is refused even with a default (Argo's rule for inputs)...
  const cache: ParameterConfigMap = { name: 'cache', type: 'Cache' };
  const input = run(
    workflowOf({ entrypoint: 'print', templates: [printer(undefined, [{ name: 'message', valueFrom: fromMap('cache', 'msg', { default: 'd' }) }])] }),
    [cache],
  );
  assert.equal(input.status.phase, 'Error');
  assert.match(
    input.byName('wf')!.message ?? '',
    /is labelled workflows\.argoproj\.io\/configmap-type: Cache; parameters are read only from ConfigMaps labelled workflows\.argoproj\.io\/configmap-type: Parameter/,
  );
  // ...while a global parameter's default stands in for any failure.
  const global = run(
    workflowOf({
      entrypoint: 'print',
      arguments: { parameters: [{ name: 'message', valueFrom: fromMap('cache', 'msg', { default: 'd' }) }] },
      templates: [{ name: 'print', container: { image: 'busybox', args: ['{{workflow.parameters.message}}'] } }],
    }),
    [cache],
  );
  assert.equal(global.status.phase, 'Succeeded', global.status.message);
  assert.deepEqual(argsOf(global.pods[0]), ['d']);
});

test('a configMapKeyRef without a name, or naming an unknown variable, errors its node with the reason', () => {
  const noName = run(
    workflowOf({ entrypoint: 'print', templates: [printer(undefined, [{ name: 'message', valueFrom: { configMapKeyRef: { key: 'msg' } } }])] }),
  );
  assert.equal(noName.byName('wf')!.message, 'inputs.parameters.message: configMapKeyRef names no ConfigMap (its name is empty)');
  const unknown = run(
    workflowOf({ entrypoint: 'print', templates: [printer(undefined, [{ name: 'message', valueFrom: fromMap('{{workflow.parameters.nope}}') }])] }),
  );
  assert.equal(unknown.status.phase, 'Error');
  assert.match(unknown.byName('wf')!.message ?? '', /^inputs\.parameters\.message: configMapKeyRef: failed to resolve \{\{workflow\.parameters\.nope\}\}/);
});

test('a run picked up again keeps the values its nodes recorded, even if the ConfigMap changed', () => {
  const workflow = workflowOf({
    entrypoint: 'main',
    templates: [
      {
        name: 'main',
        inputs: { parameters: [{ name: 'message', valueFrom: fromMap() }] },
        steps: [[{ name: 'show', template: 'print', arguments: { parameters: [{ name: 'message', value: '{{inputs.parameters.message}}' }] } }]],
      },
      printer(),
    ],
  });
  const status = newRunStatus();
  const first = advanceRun({ workflow, configMaps: [SIMPLE] }, status, { type: 'start' }, START);
  const pod = first.actions.find((a) => a.type === 'run-pod');
  assert.ok(pod && pod.type === 'run-pod');
  assert.deepEqual(argsOf(pod.pod), ['hello world']);
  // A restart: a new definition (the engine adopts the status afresh) whose ConfigMap now says something else.
  const changed: RunDefinition = { workflow: structuredClone(workflow), configMaps: [{ ...SIMPLE, data: { msg: 'changed' } }] };
  const again = advanceRun(changed, status, { type: 'start' }, START + 1000);
  const repeated = again.actions.find((a) => a.type === 'run-pod');
  assert.ok(repeated && repeated.type === 'run-pod', 'the unfinished pod is asked for again');
  assert.deepEqual(argsOf(repeated.pod), ['hello world']);
  assert.deepEqual(status.nodes[Object.keys(status.nodes).find((id) => status.nodes[id]!.name === 'wf')!]!.inputs!.parameters, [
    { name: 'message', value: 'hello world' },
  ]);
});

test('without ConfigMaps given to the run, a configMapKeyRef parameter is an error, not a crash', () => {
  const workflow = workflowOf({ entrypoint: 'print', templates: [printer(undefined, [{ name: 'message', valueFrom: fromMap() }])] });
  const r = simulate(workflow);
  assert.equal(r.status.phase, 'Error');
  assert.equal(r.byName('wf')!.message, 'inputs.parameters.message: ConfigMap "simple-parameters" does not exist in namespace "default"');
});

test('a semaphore reads its limit from a ConfigMap without the Parameter label, which parameters still may not read', () => {
  const maps = new ConfigMapParameters('default', [
    { name: 'my-config', data: { template: '2' } },
    { name: 'limits', namespace: 'platform', data: { big: '5' } },
  ]);
  assert.deepEqual(maps.raw('default', 'my-config', 'template'), { value: '2' });
  assert.deepEqual(maps.raw('platform', 'limits', 'big'), { value: '5' });
  assert.match((maps.raw('platform', 'my-config', 'template') as { error: string }).error, /ConfigMap "my-config" does not exist in namespace "platform"/);
  assert.match((maps.lookup('my-config', 'template') as { error: string }).error, /has no label workflows.argoproj.io\/configmap-type: Parameter/);
  assert.match((maps.lookup('limits', 'big') as { error: string }).error, /does not exist in namespace "default"/);
});
