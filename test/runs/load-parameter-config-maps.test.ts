import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PodRequest } from '../../src/engine/engine-events.js';
import { loadParameterConfigMaps, type ParameterConfigMapSource } from '../../src/runs/load-parameter-config-maps.js';
import { RunDriver } from '../../src/runs/run-driver.js';
import { InstantRuntime } from '../../src/runtime/instant-runtime.js';
import type { ConfigMap } from '../../src/spec/model/kubernetes.js';
import { MemoryRunStore } from '../../src/state/memory-run-store.js';
import { workflowOf } from '../engine/simulate-run.js';

const PARAMETER_LABEL = { 'workflows.argoproj.io/configmap-type': 'Parameter' };

/** ConfigMaps by namespace/name, recording which were asked for. */
function sourceOf(...configMaps: ConfigMap[]): ParameterConfigMapSource & { asked: string[]; maps: Map<string, ConfigMap> } {
  const maps = new Map(configMaps.map((cm) => [`${cm.metadata.namespace ?? 'default'}/${cm.metadata.name}`, cm]));
  const asked: string[] = [];
  return {
    asked,
    maps,
    get: async (namespace, name) => {
      asked.push(`${namespace}/${name}`);
      return maps.get(`${namespace}/${name}`);
    },
  };
}

const configMap = (name: string, data: Record<string, string>, labels: Record<string, string> = PARAMETER_LABEL, namespace = 'default'): ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace, labels },
  data,
});
const ref = (name: string, key = 'k') => ({ configMapKeyRef: { name, key } });

test('loads the ConfigMaps named by parameters of the workflow and of the templates it refers to, from its namespace', async () => {
  const source = sourceOf(
    configMap('global', { k: 'g' }, PARAMETER_LABEL, 'team'),
    configMap('input', { k: 'i' }, PARAMETER_LABEL, 'team'),
    configMap('step-arg', { k: 's' }, PARAMETER_LABEL, 'team'),
    configMap('library', { k: 'l' }, PARAMETER_LABEL, 'team'),
    configMap('prod-settings', { k: 'p' }, PARAMETER_LABEL, 'team'),
    configMap('unlabelled', { secret: 'not copied' }, {}, 'team'),
    configMap('env-only', { k: 'e' }, PARAMETER_LABEL, 'team'),
    configMap('global', { k: 'other namespace' }),
  );
  const workflow = workflowOf({
    entrypoint: 'main',
    arguments: {
      parameters: [
        { name: 'env', value: 'prod' },
        { name: 'g', valueFrom: ref('global') },
      ],
    },
    templates: [
      {
        name: 'main',
        inputs: {
          parameters: [
            { name: 'i', valueFrom: ref('input') },
            { name: 'u', valueFrom: ref('unlabelled') },
          ],
        },
        steps: [
          [
            {
              name: 's',
              template: 'leaf',
              arguments: {
                parameters: [
                  { name: 'x', valueFrom: ref('step-arg') },
                  { name: 'y', valueFrom: ref('{{workflow.parameters.env}}-settings') },
                  { name: 'z', valueFrom: ref('{{inputs.parameters.i}}') },
                  { name: 'm', valueFrom: ref('missing') },
                ],
              },
            },
          ],
        ],
      },
      // A container's env reads its ConfigMap in the pod, not as a parameter.
      { name: 'leaf', container: { image: 'alpine', env: [{ name: 'E', valueFrom: { configMapKeyRef: { name: 'env-only', key: 'k' } } }] } },
    ],
  });
  workflow.metadata.namespace = 'team';
  const loaded = await loadParameterConfigMaps(
    workflow,
    [{ name: 'lib', spec: { templates: [{ name: 't', inputs: { parameters: [{ name: 'l', valueFrom: ref('library') }] }, container: { image: 'alpine' } }] } }],
    source,
  );
  assert.deepEqual(loaded, [
    { name: 'global', type: 'Parameter', data: { k: 'g' } },
    { name: 'input', type: 'Parameter', data: { k: 'i' } },
    { name: 'library', type: 'Parameter', data: { k: 'l' } },
    { name: 'prod-settings', type: 'Parameter', data: { k: 'p' } },
    { name: 'step-arg', type: 'Parameter', data: { k: 's' } },
    // Kept so the engine can say why it is refused; its data is not copied into the run.
    { name: 'unlabelled' },
  ]);
  assert.ok(
    source.asked.every((key) => key.startsWith('team/')),
    "only the workflow's namespace is read",
  );
  assert.ok(source.asked.includes('team/missing'));
  assert.ok(!source.asked.includes('team/env-only'), 'env ConfigMaps are not parameter ConfigMaps');
  assert.ok(!source.asked.some((key) => key.includes('{{')), "a name that needs a step's values is not looked up");
});

test('a ConfigMap named at run time (by a template input) makes every Parameter ConfigMap of the namespace count, when the source can list them', async () => {
  const maps = [
    configMap('prod-settings', { k: 'p' }),
    configMap('dev-settings', { k: 'd' }),
    configMap('plain', { k: 'x' }, {}),
    configMap('prod-settings', { k: 'other' }, PARAMETER_LABEL, 'elsewhere'),
  ];
  const workflow = workflowOf({
    entrypoint: 'main',
    templates: [
      {
        name: 'main',
        inputs: { parameters: [{ name: 'env' }] },
        steps: [
          [
            {
              name: 's',
              template: 'leaf',
              arguments: {
                parameters: [
                  { name: 'x', valueFrom: ref('{{inputs.parameters.env}}-settings') },
                  { name: 'y', valueFrom: ref('plain') },
                ],
              },
            },
          ],
        ],
      },
    ],
  });
  const listing = {
    ...sourceOf(...maps),
    listConfigMaps: async (namespace: string) => maps.filter((cm) => (cm.metadata.namespace ?? 'default') === namespace),
  };
  assert.deepEqual(await loadParameterConfigMaps(workflow, [], listing), [
    { name: 'dev-settings', type: 'Parameter', data: { k: 'd' } },
    { name: 'plain' },
    { name: 'prod-settings', type: 'Parameter', data: { k: 'p' } },
  ]);
  // Without a listing, only the ConfigMaps named outright are read.
  assert.deepEqual(await loadParameterConfigMaps(workflow, [], sourceOf(...maps)), [{ name: 'plain' }]);
});

test('a name Kubernetes would refuse is not looked up (no ConfigMap can have it)', async () => {
  const source = sourceOf();
  const workflow = workflowOf({
    entrypoint: 'main',
    arguments: {
      parameters: [
        { name: 'a', valueFrom: ref('../etc') },
        { name: 'b', valueFrom: ref('Upper Case') },
        { name: 'c', valueFrom: ref('') },
      ],
    },
    templates: [],
  });
  assert.deepEqual(await loadParameterConfigMaps(workflow, [], source), []);
  assert.deepEqual(source.asked, []);
});

test('the driver reads parameter ConfigMaps at submit, keeps them with the run, and reads them again on retry', async () => {
  const source = sourceOf();
  const seen: PodRequest[] = [];
  const store = new MemoryRunStore();
  const driver = new RunDriver({ store, runtime: new InstantRuntime({ onStart: (pod) => seen.push(pod) }), configMaps: source, suffix: () => 'zzzzz' });
  const workflow = workflowOf(
    {
      entrypoint: 'print',
      templates: [
        {
          name: 'print',
          inputs: { parameters: [{ name: 'm', valueFrom: ref('settings', 'msg') }] },
          container: { image: 'alpine', args: ['{{inputs.parameters.m}}'] },
        },
      ],
    },
    'cm',
  );
  const id = await driver.submit(workflow);
  const failed = await driver.wait(id);
  assert.equal(failed.phase, 'Error');
  assert.match(Object.values(failed.nodes)[0]!.message ?? '', /ConfigMap "settings" does not exist in namespace "default"/);

  source.maps.set('default/settings', configMap('settings', { msg: 'applied later' }));
  await driver.retry(id);
  assert.equal((await driver.wait(id)).phase, 'Succeeded');
  assert.deepEqual(
    seen.map((p) => p.template.container?.args),
    [['applied later']],
  );
  assert.deepEqual((await store.load(id))!.configMaps, [{ name: 'settings', type: 'Parameter', data: { msg: 'applied later' } }]);

  // A resubmitted run is a new run: it reads the ConfigMaps as they are now.
  source.maps.set('default/settings', configMap('settings', { msg: 'changed' }));
  const again = await driver.resubmit(id);
  assert.equal((await driver.wait(again)).phase, 'Succeeded');
  assert.deepEqual(
    seen.map((p) => p.template.container?.args),
    [['applied later'], ['changed']],
  );
});

test('loads the ConfigMaps that semaphores take their limits from, labelled or not, in their own namespace', async () => {
  const source = sourceOf(
    configMap('my-config', { workflow: '1', template: '2' }, {}),
    configMap('shared-limits', { big: '5' }, {}, 'platform'),
    configMap('unrelated', { k: 'x' }, {}),
  );
  const workflow = workflowOf({
    entrypoint: 'main',
    arguments: { parameters: [{ name: 'limits', value: 'my-config' }] },
    synchronization: { semaphores: [{ configMapKeyRef: { name: '{{workflow.parameters.limits}}', key: 'workflow' } }] },
    templates: [
      {
        name: 'main',
        synchronization: { semaphore: { configMapKeyRef: { name: 'shared-limits', key: 'big' }, namespace: 'platform' } },
        container: { image: 'alpine' },
      },
    ],
  });
  const loaded = await loadParameterConfigMaps(workflow, [], source);
  assert.deepEqual(loaded, [
    { name: 'my-config', data: { workflow: '1', template: '2' } },
    { name: 'shared-limits', namespace: 'platform', data: { big: '5' } },
  ]);
});

test('a semaphore whose ConfigMap is named by a template input loads every ConfigMap of its namespace, labelled or not', async () => {
  const source = sourceOf(
    configMap('gpu-limits', { pool: '2' }, {}),
    configMap('cpu-limits', { pool: '4' }, {}),
    configMap('elsewhere', { pool: '9' }, {}, 'other'),
  );
  const listed: string[] = [];
  const listing: ParameterConfigMapSource = {
    ...source,
    listConfigMaps: async (namespace) => {
      listed.push(namespace);
      return [...source.maps.values()].filter((cm) => (cm.metadata.namespace ?? 'default') === namespace);
    },
  };
  const workflow = workflowOf({
    entrypoint: 'main',
    templates: [
      {
        name: 'main',
        inputs: { parameters: [{ name: 'kind', value: 'gpu' }] },
        synchronization: { semaphores: [{ configMapKeyRef: { name: '{{inputs.parameters.kind}}-limits', key: 'pool' } }] },
        container: { image: 'alpine' },
      },
    ],
  });
  const loaded = await loadParameterConfigMaps(workflow, [], listing);
  assert.deepEqual(listed, ['default']);
  assert.deepEqual(loaded.map((c) => [c.name, c.data]).sort(), [
    ['cpu-limits', { pool: '4' }],
    ['gpu-limits', { pool: '2' }],
  ]);
});
