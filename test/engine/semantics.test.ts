import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Template } from '../../src/spec/model/workflow.js';
import { withOverrides } from '../../src/engine/submit-overrides.js';
import { echo, simulate, START, workflowOf, type Script } from './simulate-run.js';

const leaf = (name: string, extra: Partial<Template> = {}): Template => ({ name, ...echo, ...extra });
const steps = (...groups: Array<Array<Record<string, unknown>>>): Template => ({ name: 'main', steps: groups as unknown as Template['steps'] });
const failOn =
  (...templates: string[]): Script =>
  (pod) =>
    templates.includes(pod.template.name) ? { exitCode: 1 } : undefined;
const at = (ms: number) => new Date(START + ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

test('a failed step fails its group, the steps node and the run, with Argo messages', () => {
  const r = simulate(
    workflowOf({ entrypoint: 'main', templates: [steps([{ name: 'a', template: 'bad' }], [{ name: 'b', template: 'ok' }]), leaf('bad'), leaf('ok')] }),
    { script: failOn('bad') },
  );
  const a = r.byName('wf[0].a')!;
  assert.equal(a.phase, 'Failed');
  assert.equal(a.message, 'Error (exit code 1)');
  assert.equal(a.outputs?.exitCode, '1');
  assert.equal(r.status.phase, 'Failed');
  assert.equal(r.status.message, `child '${a.id}' failed`);
  assert.equal(r.byName('wf[1]'), undefined, 'no later group starts');
});

test('continueOn.failed lets the next group run and the run succeed', () => {
  const r = simulate(
    workflowOf({
      entrypoint: 'main',
      templates: [steps([{ name: 'a', template: 'bad', continueOn: { failed: true } }], [{ name: 'b', template: 'ok' }]), leaf('bad'), leaf('ok')],
    }),
    { script: failOn('bad') },
  );
  assert.equal(r.byName('wf[1].b')!.phase, 'Succeeded');
  assert.equal(r.status.phase, 'Succeeded');
});

test('parameters: defaults, workflow arguments, enum, outputs by path, parameter and expression, global outputs', () => {
  const workflow = workflowOf({
    entrypoint: 'main',
    arguments: { parameters: [{ name: 'who', value: 'world' }] },
    templates: [
      {
        name: 'main',
        inputs: { parameters: [{ name: 'who' }] },
        steps: [
          [{ name: 'gen', template: 'gen', arguments: { parameters: [{ name: 'greeting', value: 'hello {{inputs.parameters.who}}' }] } }],
          [{ name: 'use', template: 'use', arguments: { parameters: [{ name: 'text', value: '{{steps.gen.outputs.parameters.out}}' }] } }],
        ],
        outputs: {
          parameters: [
            { name: 'copied', valueFrom: { parameter: '{{steps.gen.outputs.parameters.out}}' } },
            { name: 'computed', valueFrom: { expression: "steps.gen.outputs.parameters.out + '!'" } },
          ],
        },
      },
      {
        name: 'gen',
        inputs: { parameters: [{ name: 'greeting' }, { name: 'suffix', default: '.' }] },
        container: { image: 'alpine', args: ['{{inputs.parameters.greeting}}{{inputs.parameters.suffix}}'] },
        outputs: { parameters: [{ name: 'out', globalName: 'said', valueFrom: { path: '/tmp/out' } }] },
      },
      { name: 'use', inputs: { parameters: [{ name: 'text', enum: ['hello world.'] }] }, ...echo },
    ],
  });
  const r = simulate(workflow, {
    script: (pod) =>
      pod.template.name === 'gen' ? { outputs: { parameters: [{ name: 'out', value: String(pod.template.container!.args![0]) }] } } : undefined,
  });
  assert.equal(r.status.phase, 'Succeeded', r.status.message);
  assert.deepEqual(
    r.byName('wf[0].gen')!.inputs!.parameters!.map((p) => p.value),
    ['hello world', '.'],
  );
  assert.deepEqual(
    r.status.nodes.wf!.outputs!.parameters!.map((p) => p.value),
    ['hello world.', 'hello world.!'],
  );
  assert.deepEqual(r.status.outputs?.parameters, [{ name: 'said', value: 'hello world.' }]);

  const bad = simulate(workflow, { script: () => ({ outputs: { parameters: [{ name: 'out', value: 'other' }] } }) });
  assert.equal(bad.byName('wf[1].use')!.phase, 'Error');
  assert.match(bad.byName('wf[1].use')!.message!, /not one of the allowed values/);
});

test('a parameter that is never supplied and an unresolvable reference fail their node with a message', () => {
  const r = simulate(
    workflowOf({
      entrypoint: 'main',
      templates: [
        steps(
          [{ name: 'a', template: 'needs' }],
          [{ name: 'b', template: 'ok', arguments: { parameters: [{ name: 'x', value: '{{steps.nope.outputs.result}}' }] } }],
        ),
        leaf('needs', { inputs: { parameters: [{ name: 'x' }] } }),
        leaf('ok', { inputs: { parameters: [{ name: 'x' }] } }),
      ],
    }),
  );
  assert.equal(r.byName('wf[0].a')!.message, 'inputs.parameters.x was not supplied');
  assert.equal(r.status.phase, 'Failed');
  const r2 = simulate(
    workflowOf({
      entrypoint: 'main',
      templates: [
        steps([{ name: 'b', template: 'ok', arguments: { parameters: [{ name: 'x', value: '{{steps.nope.outputs.result}}' }] } }]),
        leaf('ok', { inputs: { parameters: [{ name: 'x' }] } }),
      ],
    }),
  );
  assert.equal(r2.byName('wf[0].b')!.phase, 'Error');
  assert.match(r2.byName('wf[0].b')!.message!, /failed to resolve \{\{steps\.nope\.outputs\.result\}\}/);
});

test('loops: withItems maps, withSequence format, withParam from an output; aggregation in loop order', () => {
  const r = simulate(
    workflowOf({
      entrypoint: 'main',
      templates: [
        steps(
          [
            {
              name: 'maps',
              template: 'p',
              arguments: { parameters: [{ name: 'x', value: '{{item.a}}-{{item.b}}' }] },
              withItems: [
                { a: 1, b: 'x' },
                { a: 2, b: 'y' },
              ],
            },
          ],
          [
            {
              name: 'seq',
              template: 'p',
              arguments: { parameters: [{ name: 'x', value: '{{item}}' }] },
              withSequence: { start: '1', end: '3', format: 'n%02d' },
            },
          ],
          [{ name: 'param', template: 'p', arguments: { parameters: [{ name: 'x', value: '{{item}}' }] }, withParam: '{{steps.seq.outputs.parameters.out}}' }],
        ),
        { name: 'p', inputs: { parameters: [{ name: 'x' }] }, ...echo, outputs: { parameters: [{ name: 'out', valueFrom: { path: '/o' } }] } },
      ],
    }),
    // Later items finish first: aggregation must still follow loop order.
    {
      script: (pod) => ({
        durationMs: 100 - Number(/\d+/.exec(pod.inputs.parameters![0]!.value as string)?.[0] ?? 0),
        outputs: { parameters: [{ name: 'out', value: String(pod.inputs.parameters![0]!.value) }] },
      }),
    },
  );
  assert.equal(r.status.phase, 'Succeeded', r.status.message);
  assert.ok(r.byName('wf[0].maps(0:a:1,b:x)'));
  assert.ok(r.byName('wf[1].seq(2:n03)'));
  assert.deepEqual(
    r.pods
      .filter((p) => p.nodeId.length > 0 && r.status.nodes[p.nodeId]!.name.startsWith('wf[2]'))
      .map((p) => p.inputs.parameters![0]!.value)
      .sort(),
    ['n01', 'n02', 'n03'],
  );
  assert.deepEqual(r.byName('wf[2].param(1:n02)')!.inputs!.parameters, [{ name: 'x', value: 'n02' }]);
});

test('when: false skips with Argo message; {{= }} expressions are evaluated', () => {
  const r = simulate(
    workflowOf({
      entrypoint: 'main',
      templates: [
        steps(
          [{ name: 'flip', template: 'flip' }],
          [
            { name: 'heads', template: 'ok', when: '{{steps.flip.outputs.result}} == heads' },
            { name: 'tails', template: 'ok', when: '{{steps.flip.outputs.result}} == tails' },
            { name: 'math', template: 'p', arguments: { parameters: [{ name: 'x', value: "{{=asInt('20') * 2 + len(steps.flip.outputs.result)}}" }] } },
          ],
        ),
        leaf('flip', { script: { image: 'python', source: 'print("heads")' }, container: undefined }),
        leaf('ok'),
        leaf('p', { inputs: { parameters: [{ name: 'x' }] } }),
      ],
    }),
    { script: (pod) => (pod.template.name === 'flip' ? { outputs: { result: 'heads\n' } } : undefined) },
  );
  assert.equal(r.byName('wf[0].flip')!.outputs!.result, 'heads');
  assert.equal(r.byName('wf[1].heads')!.phase, 'Succeeded');
  const tails = r.byName('wf[1].tails')!;
  assert.equal(tails.type, 'Skipped');
  assert.equal(tails.phase, 'Skipped');
  assert.equal(tails.message, "when 'heads == tails' evaluated false");
  assert.equal(r.byName('wf[1].math')!.inputs!.parameters![0]!.value, '45');
});

test('DAG: dependencies, enhanced depends, omitted tasks, TaskGroup for loops, Argo links', () => {
  const r = simulate(
    workflowOf({
      entrypoint: 'main',
      templates: [
        {
          name: 'main',
          dag: {
            tasks: [
              { name: 'A', template: 'ok' },
              { name: 'B', template: 'bad', dependencies: ['A'] },
              { name: 'C', template: 'ok', depends: 'B.Failed' },
              { name: 'D', template: 'ok', depends: 'B' },
              { name: 'L', template: 'ok', depends: 'A', withItems: ['x', 'y'] },
              { name: 'E', template: 'ok', depends: 'L.AnySucceeded && C' },
            ],
          },
        },
        leaf('ok'),
        leaf('bad'),
      ],
    }),
    { script: failOn('bad') },
  );
  const n = (name: string) => r.byName(`wf.${name}`)!;
  assert.equal(n('A').phase, 'Succeeded');
  assert.equal(n('B').phase, 'Failed');
  assert.equal(n('C').phase, 'Succeeded');
  assert.equal(n('D').phase, 'Omitted');
  assert.equal(n('D').type, 'Skipped');
  assert.equal(n('L').type, 'TaskGroup');
  assert.deepEqual(n('L').children, [n('L(0:x)').id, n('L(1:y)').id]);
  assert.equal(n('E').phase, 'Succeeded');
  assert.deepEqual(r.status.nodes.wf!.children, [n('A').id]);
  assert.ok(n('A').children!.includes(n('B').id));
  // Targets are D and E; D was omitted because B failed, so the DAG fails (Argo's assessDAGPhase).
  assert.equal(r.status.phase, 'Failed');
});

test('DAG tasks without dependencies start together; a DAG with continueOn targets succeeds', () => {
  const r = simulate(
    workflowOf({
      entrypoint: 'main',
      templates: [
        {
          name: 'main',
          dag: {
            tasks: [
              { name: 'a', template: 'bad', continueOn: { failed: true } },
              { name: 'b', template: 'ok' },
            ],
          },
        },
        leaf('ok'),
        leaf('bad'),
      ],
    }),
    { script: failOn('bad') },
  );
  assert.equal(r.status.phase, 'Succeeded');
  assert.equal(r.byName('wf.a')!.startedAt, r.byName('wf.b')!.startedAt);
});

test('retryStrategy: Retry node with numbered attempts, backoff with factor, limit message', () => {
  const r = simulate(workflowOf({ entrypoint: 'main', templates: [leaf('main', { retryStrategy: { limit: 2, backoff: { duration: '1s', factor: 2 } } })] }), {
    script: () => ({ exitCode: 3, durationMs: 1000 }),
  });
  const root = r.status.nodes.wf!;
  assert.equal(root.type, 'Retry');
  assert.equal(root.phase, 'Failed');
  assert.equal(root.message, 'No more retries left');
  const attempts = root.children!.map((id) => r.status.nodes[id]!);
  assert.deepEqual(
    attempts.map((a) => a.name),
    ['wf(0)', 'wf(1)', 'wf(2)'],
  );
  assert.deepEqual(
    attempts.map((a) => a.displayName),
    ['wf(0)', 'wf(1)', 'wf(2)'],
  );
  // Attempt 0 ends at 1 s and waits 1 s; attempt 1 ends at 3 s and waits 2 s (times in whole seconds, as Argo's).
  assert.deepEqual(
    attempts.map((a) => a.startedAt),
    [at(0), at(2000), at(5000)],
  );
});

test('retryStrategy: policy OnError does not retry a failure; an expression can stop retries; success ends them', () => {
  const onError = simulate(workflowOf({ entrypoint: 'main', templates: [leaf('main', { retryStrategy: { limit: 3, retryPolicy: 'OnError' } })] }), {
    script: () => ({ exitCode: 1 }),
  });
  assert.equal(onError.status.nodes.wf!.children!.length, 1);
  const expr = simulate(
    workflowOf({ entrypoint: 'main', templates: [leaf('main', { retryStrategy: { limit: 5, expression: 'asInt(lastRetry.exitCode) == 2' } })] }),
    { script: (pod) => ({ exitCode: pod.podName.length > 0 && expr1++ === 0 ? 2 : 1 }) },
  );
  assert.equal(expr.status.nodes.wf!.children!.length, 2);
  assert.equal(expr.status.nodes.wf!.message, 'retryStrategy.expression evaluated to false');
  let tries = 0;
  const ok = simulate(
    workflowOf({
      entrypoint: 'main',
      templates: [leaf('main', { retryStrategy: { limit: 5 }, outputs: { parameters: [{ name: 'o', valueFrom: { path: '/o' } }] } })],
    }),
    { script: () => (tries++ < 2 ? { exitCode: 1 } : { outputs: { parameters: [{ name: 'o', value: 'v' }] } }) },
  );
  assert.equal(ok.status.phase, 'Succeeded');
  assert.deepEqual(ok.status.nodes.wf!.outputs!.parameters, [{ name: 'o', value: 'v' }]);
});
let expr1 = 0;

test('activeDeadlineSeconds: a pod past its deadline is killed and fails; the workflow deadline stops the run', () => {
  const pod = simulate(workflowOf({ entrypoint: 'main', templates: [leaf('main', { activeDeadlineSeconds: 10 })] }), { script: () => ({ hang: true }) });
  assert.equal(pod.status.phase, 'Failed');
  assert.equal(pod.status.nodes.wf!.message, 'Pod was active on the node longer than the specified deadline');
  assert.equal(pod.status.finishedAt, at(10_000));
  assert.deepEqual(pod.kills, ['wf']);
  const run = simulate(workflowOf({ entrypoint: 'main', activeDeadlineSeconds: 5, templates: [steps([{ name: 'a', template: 'ok' }]), leaf('ok')] }), {
    script: () => ({ hang: true }),
  });
  assert.equal(run.status.phase, 'Failed');
  assert.equal(run.byName('wf[0].a')!.message, 'Step exceeded its deadline');
});

test('onExit runs after the entry template with workflow.status and workflow.failures', () => {
  const r = simulate(
    workflowOf({
      entrypoint: 'main',
      onExit: 'exit',
      templates: [
        steps([{ name: 'a', template: 'bad' }]),
        leaf('bad'),
        {
          name: 'exit',
          steps: [
            [
              {
                name: 'report',
                template: 'say',
                arguments: { parameters: [{ name: 's', value: '{{workflow.status}} {{=len(jsonpath(workflow.failures, "$[*]"))}}' }] },
              },
            ],
          ],
        },
        leaf('say', { inputs: { parameters: [{ name: 's' }] } }),
      ],
    }),
    { script: failOn('bad') },
  );
  const exit = r.byName('wf.onExit')!;
  assert.equal(exit.phase, 'Succeeded');
  assert.deepEqual(exit.nodeFlag, { hooked: true });
  assert.equal(r.byName('wf.onExit[0].report')!.inputs!.parameters![0]!.value, 'Failed 3');
  assert.equal(r.status.phase, 'Failed');
});

test('a failing exit handler fails a run that had succeeded', () => {
  const r = simulate(workflowOf({ entrypoint: 'main', onExit: 'bad', templates: [leaf('main'), leaf('bad')] }), { script: failOn('bad') });
  assert.equal(r.status.phase, 'Failed');
  assert.equal(r.status.message, 'Error (exit code 1)');
});

test('suspend: a duration resumes by itself; without one it waits for resume', () => {
  const timed = simulate(
    workflowOf({
      entrypoint: 'main',
      templates: [steps([{ name: 'wait', template: 'wait' }], [{ name: 'after', template: 'ok' }]), { name: 'wait', suspend: { duration: '20s' } }, leaf('ok')],
    }),
  );
  assert.equal(timed.byName('wf[0].wait')!.type, 'Suspend');
  assert.equal(timed.byName('wf[1].after')!.startedAt, at(20_000));
  const manual = simulate(
    workflowOf({
      entrypoint: 'main',
      templates: [
        steps([{ name: 'wait', template: 'wait' }]),
        { name: 'wait', suspend: {}, outputs: { parameters: [{ name: 'answer', valueFrom: { supplied: {} } }] } },
      ],
    }),
    {
      events: [{ at: START + 60_000, event: { type: 'resume', parameters: { answer: 'yes' } } }],
    },
  );
  assert.equal(manual.status.phase, 'Succeeded');
  assert.deepEqual(manual.byName('wf[0].wait')!.outputs!.parameters, [{ name: 'answer', value: 'yes' }]);
  assert.equal(manual.status.finishedAt, at(60_000));
});

test('stop kills pods and runs the exit handler; terminate does not', () => {
  const spec = { entrypoint: 'main', onExit: 'exit', templates: [steps([{ name: 'a', template: 'slow' }]), leaf('slow'), leaf('exit')] };
  const stopped = simulate(workflowOf(spec), {
    script: (pod) => (pod.template.name === 'slow' ? { hang: true } : undefined),
    events: [{ at: START + 1000, event: { type: 'stop' } }],
  });
  assert.equal(stopped.status.phase, 'Failed');
  assert.equal(stopped.status.message, "Stopped with strategy 'Stop'");
  assert.equal(stopped.byName('wf[0].a')!.message, "Stopped with strategy 'Stop'");
  assert.equal(stopped.byName('wf.onExit')!.phase, 'Succeeded');
  assert.equal(stopped.kills.length, 1);
  const terminated = simulate(workflowOf(spec), {
    script: (pod) => (pod.template.name === 'slow' ? { hang: true } : undefined),
    events: [{ at: START + 1000, event: { type: 'terminate' } }],
  });
  assert.equal(terminated.status.message, "Stopped with strategy 'Terminate'");
  assert.equal(terminated.byName('wf.onExit'), undefined);
});

test('recursion is capped with a clear error', () => {
  const r = simulate(workflowOf({ entrypoint: 'main', templates: [steps([{ name: 'again', template: 'main' }])] }), {
    definition: { options: { maxDepth: 5 } },
  });
  assert.equal(r.status.phase, 'Failed');
  const deepest = Object.values(r.status.nodes).find((n) => n.phase === 'Error')!;
  assert.match(deepest.message!, /maximum recursion depth exceeded \(5/);
});

test('parallelism on a template and on the workflow limits running pods', () => {
  const maxRunning = (r: ReturnType<typeof simulate>) => {
    const pods = Object.values(r.status.nodes).filter((n) => n.type === 'Pod');
    return Math.max(...pods.map((p) => pods.filter((q) => q.startedAt! <= p.startedAt! && q.finishedAt! > p.startedAt!).length));
  };
  const items = [1, 2, 3, 4, 5, 6];
  const tmpl = simulate(
    workflowOf({ entrypoint: 'main', templates: [{ ...steps([{ name: 'x', template: 'ok', withItems: items }]), parallelism: 2 }, leaf('ok')] }),
    { script: () => ({ durationMs: 1000 }) },
  );
  assert.equal(tmpl.status.phase, 'Succeeded');
  assert.equal(maxRunning(tmpl), 2);
  const wf = simulate(
    workflowOf({
      entrypoint: 'main',
      parallelism: 3,
      templates: [{ name: 'main', dag: { tasks: items.map((i) => ({ name: `t${i}`, template: 'ok' })) } }, leaf('ok')],
    }),
    { script: () => ({ durationMs: 1000 }) },
  );
  assert.equal(wf.status.phase, 'Succeeded');
  assert.ok(wf.pods.length === 6);
});

test('script results are trimmed of the trailing newline and capped', () => {
  const r = simulate(workflowOf({ entrypoint: 'main', templates: [{ name: 'main', script: { image: 'python', source: 'print(1)' } }] }), {
    script: () => ({ outputs: { result: 'abcdef\n' } }),
    definition: { options: { resultLimit: 4 } },
  });
  assert.equal(r.status.nodes.wf!.outputs!.result, 'abcd');
});

test('a pod the runtime loses becomes an Error node with its message', () => {
  const r = simulate(workflowOf({ entrypoint: 'main', templates: [leaf('main')] }), { script: () => ({ error: 'pod deleted' }) });
  assert.equal(r.status.phase, 'Error');
  assert.equal(r.status.nodes.wf!.message, 'pod deleted');
});

test('variables: workflow.name/uid, pod.name, node.name, retries', () => {
  const r = simulate(
    workflowOf({
      entrypoint: 'main',
      templates: [
        steps([{ name: 'a', template: 'show' }]),
        leaf('show', { container: { image: 'a', args: ['{{workflow.name}} {{workflow.uid}} {{pod.name}} {{node.name}}'] } }),
      ],
    }),
  );
  const pod = r.pods[0]!;
  assert.equal(pod.template.container!.args![0], `wf uid-1 ${pod.podName} wf[0].a`);
  const retried = simulate(
    workflowOf({ entrypoint: 'main', templates: [leaf('main', { retryStrategy: { limit: 1 }, container: { image: 'a', args: ['try {{retries}}'] } })] }),
    { script: () => ({ exitCode: 1 }) },
  );
  assert.deepEqual(
    retried.pods.map((p) => p.template.container!.args![0]),
    ['try 0', 'try 1'],
  );
});

test('templateRef and workflowTemplateRef resolve from the referenced templates', () => {
  const referenced = [
    { name: 'lib', spec: { entrypoint: 'hello', templates: [leaf('hello'), { name: 'chain', steps: [[{ name: 'inner', template: 'hello' }]] }] } },
  ];
  const byRef = simulate(workflowOf({ entrypoint: 'main', templates: [steps([{ name: 'r', templateRef: { name: 'lib', template: 'chain' } }])] }), {
    definition: { referenced },
  });
  assert.equal(byRef.status.phase, 'Succeeded');
  assert.equal(byRef.byName('wf[0].r[0].inner')!.templateName, 'hello');
  const whole = simulate(workflowOf({ workflowTemplateRef: { name: 'lib' } }), { definition: { referenced } });
  assert.equal(whole.status.phase, 'Succeeded');
  const missing = simulate(workflowOf({ entrypoint: 'main', templates: [steps([{ name: 'r', templateRef: { name: 'nope', template: 'x' } }])] }));
  assert.equal(missing.byName('wf[0].r')!.message, 'WorkflowTemplate "nope" not found');
});

test('entrypoint and parameter overrides from the caller', () => {
  const base = workflowOf({
    entrypoint: 'main',
    arguments: { parameters: [{ name: 'who', value: 'a' }] },
    templates: [leaf('main'), leaf('other', { container: { image: 'x', args: ['{{workflow.parameters.who}}'] } })],
  });
  const r = simulate(withOverrides(base, { entrypoint: 'other', parameters: { who: 'b' } }));
  assert.equal(r.status.nodes.wf!.templateName, 'other');
  assert.equal(r.pods[0]!.template.container!.args![0], 'b');
});
