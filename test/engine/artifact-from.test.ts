import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveArtifactFrom } from '../../src/engine/artifact-from.js';
import type { Template } from '../../src/spec/model/workflow.js';
import { echo, simulate, workflowOf } from './simulate-run.js';

const producer: Template = { name: 'make', ...echo, outputs: { artifacts: [{ name: 'out', path: '/tmp/out' }] } };
const consumer: Template = { name: 'read', ...echo, inputs: { artifacts: [{ name: 'in', path: '/tmp/in' }] } };
const made = (key: string) => ({ outputs: { artifacts: [{ name: 'out', path: '/tmp/out', s3: { key } }] } });

describe('artifact from', () => {
  it('takes the location of the referenced artifact, keeping the input path', () => {
    const result = resolveArtifactFrom({
      name: 'in',
      path: '/tmp/in',
      from: JSON.stringify({ name: 'out', path: '/tmp/out', s3: { key: 'k' }, archive: { none: {} } }),
    });
    assert.deepEqual(result, { artifact: { name: 'in', path: '/tmp/in', s3: { key: 'k' } } });
  });

  it('is an error when the reference did not resolve, unless optional', () => {
    assert.match((resolveArtifactFrom({ name: 'in', from: '{{steps.x.outputs.artifacts.y}}' }) as { error: string }).error, /unable to resolve/);
    assert.deepEqual(resolveArtifactFrom({ name: 'in', from: '{{steps.x.outputs.artifacts.y}}', optional: true }), {
      artifact: { name: 'in', optional: true },
    });
  });

  it('resolves {{steps.x.outputs.artifacts.y}} when the pod of the next step is built', () => {
    const workflow = workflowOf({
      entrypoint: 'main',
      templates: [
        {
          name: 'main',
          steps: [
            [{ name: 'make', template: 'make' }],
            [{ name: 'read', template: 'read', arguments: { artifacts: [{ name: 'in', from: '{{steps.make.outputs.artifacts.out}}' }] } }],
          ],
        },
        producer,
        consumer,
      ],
    });
    const run = simulate(workflow, { script: (pod) => (pod.template.name === 'make' ? made('wf/make/out.tgz') : undefined) });
    assert.equal(run.status.phase, 'Succeeded');
    const read = run.pods.find((p) => p.template.name === 'read')!;
    assert.deepEqual(read.inputs.artifacts, [{ name: 'in', path: '/tmp/in', s3: { key: 'wf/make/out.tgz' } }]);
    assert.equal(read.workflowName, 'wf');
  });

  it('resolves {{tasks...}} and passes a steps input on with {{inputs.artifacts.x}}', () => {
    const workflow = workflowOf({
      entrypoint: 'main',
      templates: [
        {
          name: 'main',
          dag: {
            tasks: [
              { name: 'make', template: 'make' },
              { name: 'inner', template: 'inner', depends: 'make', arguments: { artifacts: [{ name: 'a', from: '{{tasks.make.outputs.artifacts.out}}' }] } },
            ],
          },
        },
        {
          name: 'inner',
          inputs: { artifacts: [{ name: 'a' }] },
          steps: [[{ name: 'read', template: 'read', arguments: { artifacts: [{ name: 'in', from: '{{inputs.artifacts.a}}' }] } }]],
        },
        producer,
        consumer,
      ],
    });
    const run = simulate(workflow, { script: (pod) => (pod.template.name === 'make' ? made('k1') : undefined) });
    assert.equal(run.status.phase, 'Succeeded', JSON.stringify(run.status.nodes, null, 1));
    assert.deepEqual(run.pods.find((p) => p.template.name === 'read')!.inputs.artifacts, [{ name: 'in', path: '/tmp/in', s3: { key: 'k1' } }]);
  });

  it("resolves {{workflow.outputs.artifacts.x}} from a step's global output", () => {
    const global: Template = { ...producer, outputs: { artifacts: [{ name: 'out', path: '/tmp/out', globalName: 'shared' }] } };
    const workflow = workflowOf({
      entrypoint: 'main',
      templates: [
        {
          name: 'main',
          steps: [
            [{ name: 'make', template: 'make' }],
            [{ name: 'read', template: 'read', arguments: { artifacts: [{ name: 'in', from: '{{workflow.outputs.artifacts.shared}}' }] } }],
          ],
        },
        global,
        consumer,
      ],
    });
    const run = simulate(workflow, {
      script: (pod) =>
        pod.template.name === 'make' ? { outputs: { artifacts: [{ name: 'out', path: '/tmp/out', globalName: 'shared', s3: { key: 'g' } }] } } : undefined,
    });
    assert.equal(run.status.phase, 'Succeeded');
    assert.deepEqual(run.pods.find((p) => p.template.name === 'read')!.inputs.artifacts, [{ name: 'in', path: '/tmp/in', s3: { key: 'g' } }]);
  });

  it("makes a looped step's output artifact a fan-in of its iterations", () => {
    const workflow = workflowOf({
      entrypoint: 'main',
      templates: [
        {
          name: 'main',
          steps: [
            [{ name: 'make', template: 'make', withItems: [0, 1, 2] }],
            [{ name: 'read', template: 'read', arguments: { artifacts: [{ name: 'in', from: '{{steps.make.outputs.artifacts.out}}' }] } }],
          ],
        },
        producer,
        consumer,
      ],
    });
    let n = 0;
    const run = simulate(workflow, { script: (pod) => (pod.template.name === 'make' ? made(`k${n++}`) : undefined) });
    assert.equal(run.status.phase, 'Succeeded');
    const input = run.pods.find((p) => p.template.name === 'read')!.inputs.artifacts![0] as unknown as {
      fanIn: Array<{ index: number; artifact: { s3: { key: string } } }>;
    };
    assert.deepEqual(input.fanIn.map((p) => [p.index, p.artifact.s3.key]).sort(), [
      [0, 'k0'],
      [1, 'k1'],
      [2, 'k2'],
    ]);
  });

  it('substitutes {{outputs.artifacts.x.path}} and {{outputs.parameters.x.path}} in the template', () => {
    const workflow = workflowOf({
      entrypoint: 'main',
      templates: [
        {
          name: 'main',
          container: { image: 'alpine', command: ['sh', '-c', 'echo > {{outputs.artifacts.a.path}} {{outputs.parameters.p.path}}'] },
          outputs: { artifacts: [{ name: 'a', path: '/o/a' }], parameters: [{ name: 'p', valueFrom: { path: '/o/p', default: 'x' } }] },
        },
      ],
    });
    const run = simulate(workflow);
    assert.deepEqual(run.pods[0]!.template.container!.command, ['sh', '-c', 'echo > /o/a /o/p']);
  });
});
