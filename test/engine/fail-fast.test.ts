import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Template } from '../../src/spec/model/workflow.js';
import { FAIL_FAST_MESSAGE } from '../../src/engine/fail-fast.js';
import { echo, simulate, START, workflowOf, type Script } from './simulate-run.js';

const leaf = (name: string, extra: Partial<Template> = {}): Template => ({ name, ...echo, ...extra });
const at = (ms: number) => new Date(START + ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** `bad` fails at once; `slow` succeeds after 10 s; everything else succeeds at once. */
const script: Script = (pod) => {
  if (pod.template.name === 'bad') return { exitCode: 1 };
  if (pod.template.name === 'slow') return { durationMs: 10_000 };
  if (pod.template.name === 'item') return pod.inputs.parameters?.[0]?.value === '1' ? { exitCode: 1 } : undefined;
  return undefined;
};
const item = leaf('item', { inputs: { parameters: [{ name: 'n' }] } });

test('steps without failFast: a failed step leaves its running siblings to finish; the group then fails and no later group starts', () => {
  const r = simulate(
    workflowOf({
      entrypoint: 'main',
      templates: [
        {
          name: 'main',
          steps: [
            [
              { name: 'a', template: 'bad' },
              { name: 'b', template: 'slow' },
            ],
            [{ name: 'c', template: 'ok' }],
          ],
        },
        leaf('bad'),
        leaf('slow'),
        leaf('ok'),
      ],
    }),
    { script },
  );
  assert.equal(r.byName('wf[0].b')!.phase, 'Succeeded');
  assert.deepEqual(r.kills, []);
  assert.equal(r.byName('wf[1]'), undefined);
  assert.equal(r.status.phase, 'Failed');
  assert.equal(r.status.finishedAt, at(10_000));
  assert.match(r.status.message ?? '', /^child '.*' failed$/);
});

test('steps with failFast: once a step failed, queued loop iterations never start and the template fails with Argo message', () => {
  const r = simulate(
    workflowOf({
      entrypoint: 'main',
      templates: [
        {
          name: 'main',
          failFast: true,
          parallelism: 1,
          steps: [[{ name: 'each', template: 'item', arguments: { parameters: [{ name: 'n', value: '{{item}}' }] }, withItems: [1, 2, 3] }]],
        },
        item,
      ],
    }),
    { script },
  );
  assert.equal(r.pods.length, 1, 'only the first iteration ran');
  assert.equal(r.byName('wf[0].each(1:2)'), undefined, 'a held-back step leaves no node');
  assert.equal(r.byName('wf')!.phase, 'Failed');
  assert.equal(r.byName('wf')!.message, FAIL_FAST_MESSAGE);
  assert.equal(r.byName('wf[0]')!.phase, 'Failed');
  assert.equal(r.byName('wf[0]')!.message, FAIL_FAST_MESSAGE);
  assert.equal(r.status.phase, 'Failed');

  const without = simulate(
    workflowOf({
      entrypoint: 'main',
      templates: [
        {
          name: 'main',
          parallelism: 1,
          steps: [[{ name: 'each', template: 'item', arguments: { parameters: [{ name: 'n', value: '{{item}}' }] }, withItems: [1, 2, 3] }]],
        },
        item,
      ],
    }),
    { script },
  );
  assert.equal(without.pods.length, 3, 'without failFast every iteration runs');
});

test('steps with failFast: a running step is not killed; the template fails when the last of its pods ends', () => {
  const r = simulate(
    workflowOf({
      entrypoint: 'main',
      templates: [
        {
          name: 'main',
          failFast: true,
          steps: [
            [
              { name: 'a', template: 'bad' },
              { name: 'b', template: 'slow' },
            ],
          ],
        },
        leaf('bad'),
        leaf('slow'),
      ],
    }),
    { script },
  );
  assert.deepEqual(r.kills, []);
  assert.equal(r.byName('wf[0].b')!.phase, 'Succeeded');
  assert.equal(r.byName('wf')!.message, FAIL_FAST_MESSAGE);
  assert.equal(r.byName('wf')!.finishedAt, at(10_000));
});

test('steps with failFast: continueOn does not keep the template going, as in Argo', () => {
  const r = simulate(
    workflowOf({
      entrypoint: 'main',
      templates: [
        { name: 'main', failFast: true, steps: [[{ name: 'a', template: 'bad', continueOn: { failed: true } }], [{ name: 'b', template: 'ok' }]] },
        leaf('bad'),
        leaf('ok'),
      ],
    }),
    { script },
  );
  assert.equal(r.byName('wf[1]'), undefined);
  assert.equal(r.status.phase, 'Failed');
  assert.equal(r.status.message, FAIL_FAST_MESSAGE);
});

test('steps with failFast: a step with a retryStrategy is not retried once its attempt failed', () => {
  const r = simulate(
    workflowOf({
      entrypoint: 'main',
      templates: [
        {
          name: 'main',
          failFast: true,
          steps: [
            [
              { name: 'a', template: 'bad' },
              { name: 'b', template: 'slow' },
            ],
          ],
        },
        leaf('bad', { retryStrategy: { limit: 3 } }),
        leaf('slow'),
      ],
    }),
    { script },
  );
  assert.equal(r.pods.filter((p) => p.template.name === 'bad').length, 1);
  assert.equal(r.byName('wf[0].a')!.type, 'Retry');
  assert.equal(r.byName('wf[0].a')!.phase, 'Failed');
  assert.equal(r.byName('wf[0].a')!.message, 'Error (exit code 1)');
  assert.equal(r.byName('wf')!.message, FAIL_FAST_MESSAGE);

  const without = simulate(
    workflowOf({ entrypoint: 'main', templates: [{ name: 'main', steps: [[{ name: 'a', template: 'bad' }]] }, leaf('bad', { retryStrategy: { limit: 3 } })] }),
    { script },
  );
  assert.equal(without.pods.length, 4, 'without failFast the retries run');
});

test('steps with failFast: a failure inside a nested steps template trips it only once the nested template fails', () => {
  const r = simulate(
    workflowOf({
      entrypoint: 'main',
      templates: [
        {
          name: 'main',
          failFast: true,
          parallelism: 1,
          steps: [
            [
              { name: 'inner', template: 'inner' },
              { name: 'later', template: 'ok' },
            ],
          ],
        },
        { name: 'inner', steps: [[{ name: 'x', template: 'bad' }]] },
        leaf('bad'),
        leaf('ok'),
      ],
    }),
    { script },
  );
  assert.equal(r.byName('wf[0].inner')!.phase, 'Failed');
  assert.equal(r.byName('wf[0].later'), undefined, 'held back by failFast');
  assert.equal(r.byName('wf')!.message, FAIL_FAST_MESSAGE);
});

test('DAG with failFast: a task that depends on a still-running branch never starts once another branch failed', () => {
  const dag = (failFast: boolean | undefined): Template => ({
    name: 'main',
    ...(failFast !== undefined ? { failFast } : {}),
    dag: {
      tasks: [
        { name: 'A', template: 'bad' },
        { name: 'B', template: 'slow' },
        { name: 'C', depends: 'B', template: 'ok' },
      ],
    },
  });
  const r = simulate(workflowOf({ entrypoint: 'main', templates: [dag(true), leaf('bad'), leaf('slow'), leaf('ok')] }), { script });
  assert.deepEqual(r.kills, [], 'the running branch is not killed');
  assert.equal(r.byName('wf.B')!.phase, 'Succeeded');
  assert.equal(r.byName('wf.C'), undefined);
  assert.equal(r.byName('wf')!.phase, 'Failed');
  assert.equal(r.byName('wf')!.message, FAIL_FAST_MESSAGE);
  assert.equal(r.byName('wf')!.finishedAt, at(10_000));

  // Without the template-level flag (dag.failFast does not stop scheduling either), C still runs.
  const plain = simulate(workflowOf({ entrypoint: 'main', templates: [dag(undefined), leaf('bad'), leaf('slow'), leaf('ok')] }), { script });
  assert.equal(plain.byName('wf.C')!.phase, 'Succeeded');
  assert.equal(plain.status.phase, 'Failed');
});

test('DAG with failFast: queued loop iterations never start after one failed', () => {
  const r = simulate(
    workflowOf({
      entrypoint: 'main',
      templates: [
        {
          name: 'main',
          failFast: true,
          parallelism: 1,
          dag: { tasks: [{ name: 'each', template: 'item', arguments: { parameters: [{ name: 'n', value: '{{item}}' }] }, withItems: [1, 2, 3] }] },
        },
        item,
      ],
    }),
    { script },
  );
  assert.equal(r.pods.length, 1);
  assert.equal(r.status.phase, 'Failed');
  assert.equal(r.byName('wf')!.message, FAIL_FAST_MESSAGE);
});

test('failFast after a restart: a template whose boundary already holds a failure starts nothing new and ends', () => {
  const workflow = workflowOf({
    entrypoint: 'main',
    templates: [
      {
        name: 'main',
        failFast: true,
        steps: [
          [
            { name: 'a', template: 'bad' },
            { name: 'b', template: 'slow' },
          ],
          [{ name: 'c', template: 'ok' }],
        ],
      },
      leaf('bad'),
      leaf('slow'),
      leaf('ok'),
    ],
  });
  // Stop the first run half-way (b still running), then continue from a copy of its status.
  const first = simulate(workflow, { script, maxEvents: 4 });
  assert.equal(first.byName('wf[0].a')!.phase, 'Failed');
  assert.equal(first.byName('wf[0].b')!.phase, 'Running');
  const resumed = simulate(workflow, { script, status: structuredClone(first.status), start: first.now });
  assert.equal(resumed.byName('wf[1]'), undefined);
  assert.equal(resumed.byName('wf[0].b')!.phase, 'Succeeded');
  assert.equal(resumed.status.phase, 'Failed');
  assert.equal(resumed.status.message, FAIL_FAST_MESSAGE);
});

test('steps with failFast: a lifecycle hook that would start after the failure does not', () => {
  const templates = (failFast: boolean): Template[] => [
    {
      name: 'main',
      failFast,
      steps: [
        [
          { name: 'a', template: 'bad', hooks: { failed: { expression: 'steps.a.status == "Failed"', template: 'ok' } } },
          { name: 'b', template: 'slow' },
        ],
      ],
    },
    leaf('bad'),
    leaf('slow'),
    leaf('ok'),
  ];
  const r = simulate(workflowOf({ entrypoint: 'main', templates: templates(true) }), { script });
  assert.equal(r.byName('wf[0].a.hooks.failed'), undefined);
  assert.equal(r.status.message, FAIL_FAST_MESSAGE);
  const without = simulate(workflowOf({ entrypoint: 'main', templates: templates(false) }), { script });
  assert.equal(without.byName('wf[0].a.hooks.failed')!.phase, 'Succeeded');
});
