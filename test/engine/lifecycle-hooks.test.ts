import { test } from 'node:test';
import assert from 'node:assert/strict';
import { advanceRun } from './advance-run.js';
import { newRunStatus } from '../../src/engine/run-session.js';
import type { EngineAction } from '../../src/engine/engine-events.js';
import { cloneStatus } from '../../src/engine/workflow-status.js';
import type { LifecycleHook, Template } from '../../src/spec/model/workflow.js';
import { echo, simulate, START, workflowOf, type Script } from './simulate-run.js';

const leaf = (name: string, extra: Partial<Template> = {}): Template => ({ name, ...echo, ...extra });
const hook = (expression: string, template = 'hook', extra: Partial<LifecycleHook> = {}): LifecycleHook => ({ expression, template, ...extra });
/** Every pod takes `ms` unless its template is listed with its own duration. */
const durations =
  (ms: number, own: Record<string, number> = {}, failing: string[] = []): Script =>
  (pod) => ({ durationMs: own[pod.template.name] ?? ms, ...(failing.includes(pod.template.name) ? { exitCode: 1 } : {}) });
const time = (iso: string | undefined): number => Date.parse(iso ?? '');

test('workflow-level hooks: each runs once when its expression becomes true, under the entry node, flagged hooked', () => {
  const r = simulate(
    workflowOf({
      entrypoint: 'main',
      hooks: {
        exit: { template: 'bye' },
        running: hook('workflow.status == "Running"'),
        succeeded: hook('workflow.status == "Succeeded"'),
        failed: hook('workflow.status == "Failed"'),
      },
      templates: [{ name: 'main', steps: [[{ name: 'a', template: 'work' }], [{ name: 'b', template: 'work' }]] }, leaf('work'), leaf('hook'), leaf('bye')],
    }),
    { script: durations(1000) },
  );
  assert.equal(r.status.phase, 'Succeeded', r.status.message);
  const running = r.byName('wf.hooks.running')!;
  const succeeded = r.byName('wf.hooks.succeeded')!;
  assert.equal(r.byName('wf.hooks.failed'), undefined, 'a hook whose expression never holds does not run');
  assert.equal(running.phase, 'Succeeded');
  assert.deepEqual(running.nodeFlag, { hooked: true });
  assert.equal(running.type, 'Pod');
  assert.equal(running.startedAt, new Date(START).toISOString().replace('.000', ''), 'the Running hook starts with the run');
  assert.equal(
    r.pods.filter((p) => r.status.nodes[p.nodeId]!.name === 'wf.hooks.running').length,
    1,
    'a hook runs once, however long its expression stays true',
  );
  const entry = r.status.nodes.wf!;
  assert.ok(entry.children!.includes(running.id) && entry.children!.includes(succeeded.id), 'hook nodes hang under the entry node');
  // The Succeeded hook sees the entry node's outcome and runs before the exit handler.
  const exit = r.byName('wf.onExit')!;
  assert.ok(time(succeeded.startedAt) >= time(entry.finishedAt));
  assert.ok(time(exit.startedAt) >= time(succeeded.finishedAt), 'the exit handler waits for the hooks');
});

test('the run waits for a hook still running when its steps are done; a failing hook does not fail the run', () => {
  const r = simulate(
    workflowOf({
      entrypoint: 'main',
      hooks: { running: hook('workflow.status == "Running"', 'slow') },
      templates: [{ name: 'main', steps: [[{ name: 'a', template: 'work' }]] }, leaf('work'), leaf('slow')],
    }),
    { script: durations(1000, { slow: 5000 }, ['slow']) },
  );
  const slow = r.byName('wf.hooks.running')!;
  assert.equal(slow.phase, 'Failed');
  assert.equal(r.status.nodes.wf!.phase, 'Succeeded');
  assert.equal(r.status.phase, 'Succeeded', 'hooks do not decide the phase, as in Argo');
  assert.equal(r.status.finishedAt, slow.finishedAt, 'the run ended when the hook did');
  assert.equal(r.status.progress, '1/2');
});

test('workflow.status in hooks: Failed when the entry node failed; a hook expression that cannot be evaluated errors the run', () => {
  const failed = simulate(
    workflowOf({
      entrypoint: 'main',
      hooks: { failed: hook('workflow.status == "Failed"'), ok: hook('workflow.status == "Succeeded"') },
      templates: [{ name: 'main', steps: [[{ name: 'a', template: 'bad' }]] }, leaf('bad'), leaf('hook')],
    }),
    { script: durations(10, {}, ['bad']) },
  );
  assert.equal(failed.status.phase, 'Failed');
  assert.equal(failed.byName('wf.hooks.failed')!.phase, 'Succeeded');
  assert.equal(failed.byName('wf.hooks.ok'), undefined);

  const broken = simulate(
    workflowOf({
      entrypoint: 'main',
      hooks: { typo: hook('workflow.stauts.phase == "Running"'), none: { template: 'hook' } },
      templates: [leaf('main'), leaf('hook')],
    }),
  );
  assert.equal(broken.status.phase, 'Error');
  const typo = broken.byName('wf.hooks.typo')!;
  assert.equal(typo.phase, 'Error');
  assert.match(
    typo.message!,
    /lifecycle hook "typo" of wf: cannot evaluate expression 'workflow\.stauts\.phase == "Running"': workflow\.stauts\.phase is not a variable here/,
  );
  assert.match(broken.byName('wf.hooks.none')!.message!, /lifecycle hook "none" of wf has no expression/);
  assert.match(broken.status.message!, /lifecycle hook "typo"/);
});

test('step hooks: named <step>.hooks.<name>, seeing steps.<name>.status; the group waits for them, then the exit hook runs', () => {
  const r = simulate(
    workflowOf({
      entrypoint: 'main',
      templates: [
        {
          name: 'main',
          steps: [
            [
              {
                name: 'step-1',
                template: 'work',
                hooks: {
                  exit: { template: 'bye' },
                  pending: hook('steps["step-1"].status == "Pending"'),
                  running: hook('steps["step-1"].status == "Running"', 'slow'),
                  success: hook('steps["step-1"].status == "Succeeded"'),
                },
              },
            ],
            [{ name: 'step2', template: 'work', hooks: { failed: hook('steps.step2.status == "Failed"') } }],
          ],
        },
        leaf('work'),
        leaf('hook'),
        leaf('slow'),
        leaf('bye'),
      ],
    }),
    { script: durations(1000, { slow: 3000 }) },
  );
  assert.equal(r.status.phase, 'Succeeded', r.status.message);
  const step = r.byName('wf[0].step-1')!;
  const running = r.byName('wf[0].step-1.hooks.running')!;
  assert.equal(running.displayName, 'step-1.hooks.running');
  assert.equal(running.boundaryID, 'wf');
  assert.ok(step.children!.includes(running.id), 'hook nodes hang under the step');
  assert.equal(r.byName('wf[0].step-1.hooks.pending')!.phase, 'Succeeded', 'steps look at hooks while the pod is Pending');
  assert.equal(r.byName('wf[0].step-1.hooks.success')!.phase, 'Succeeded');
  assert.equal(r.byName('wf[1].step2.hooks.failed'), undefined);
  const exit = r.byName('wf[0].step-1.onExit')!;
  assert.ok(time(exit.startedAt) >= time(running.finishedAt), 'the exit hook waits for the running hook');
  assert.ok(time(r.byName('wf[1]')!.startedAt) >= time(exit.finishedAt), 'the next group waits for the hooks');
});

test('task hooks: not looked at while Pending; dependents and the DAG wait for them; an omitted task triggers none', () => {
  const r = simulate(
    workflowOf({
      entrypoint: 'main',
      templates: [
        {
          name: 'main',
          dag: {
            tasks: [
              {
                name: 'A',
                template: 'bad',
                hooks: {
                  pending: hook('tasks.A.status == "Pending"'),
                  running: hook('tasks.A.status == "Running"', 'slow'),
                  failed: hook('tasks.A.status == "Failed"'),
                },
              },
              { name: 'B', template: 'work', depends: 'A', hooks: { running: hook('tasks.B.status == "Running"') } },
              { name: 'C', template: 'work', depends: 'A.Failed' },
            ],
          },
        },
        leaf('work'),
        leaf('bad'),
        leaf('hook'),
        leaf('slow'),
      ],
    }),
    { script: durations(1000, { slow: 4000 }, ['bad']) },
  );
  assert.equal(r.status.phase, 'Failed');
  assert.equal(r.byName('wf.A.hooks.pending'), undefined, 'a DAG does not look at hooks of a Pending task');
  const running = r.byName('wf.A.hooks.running')!;
  assert.equal(running.phase, 'Succeeded');
  assert.equal(r.byName('wf.A.hooks.failed')!.phase, 'Succeeded');
  assert.equal(r.byName('wf.B')!.phase, 'Omitted');
  assert.equal(r.byName('wf.B.hooks.running'), undefined);
  assert.ok(time(r.byName('wf.C')!.startedAt) >= time(running.finishedAt), 'dependents wait for the hooks');
  assert.equal(r.status.progress, '3/4', 'A failed; its two hooks and C succeeded');
});

test('hooks on a retried step hang under the Retry node without counting as attempts; arguments see the step', () => {
  let attempt = 0;
  const r = simulate(
    workflowOf({
      entrypoint: 'main',
      templates: [
        {
          name: 'main',
          steps: [
            [
              {
                name: 'build',
                template: 'flaky',
                hooks: {
                  started: hook('steps.build.status == "Running"', 'say', {
                    arguments: { parameters: [{ name: 'msg', value: 'started {{steps.build.status}}' }] },
                  }),
                  done: hook('steps.build.status == "Succeeded"', 'say', {
                    arguments: { parameters: [{ name: 'msg', value: '{{steps.build.outputs.result}}' }] },
                  }),
                },
              },
            ],
            [{ name: 'use', template: 'say', arguments: { parameters: [{ name: 'msg', value: '{{steps.build.outputs.result}}' }] } }],
          ],
        },
        leaf('flaky', { retryStrategy: { limit: 2 }, script: { image: 'alpine', source: 'x' }, container: undefined }),
        leaf('say', { inputs: { parameters: [{ name: 'msg' }] } }),
      ],
    }),
    {
      script: (pod) =>
        pod.template.name === 'flaky'
          ? ++attempt < 3
            ? { exitCode: 1, durationMs: 100 }
            : { durationMs: 100, outputs: { result: 'built' } }
          : { durationMs: 100 },
    },
  );
  assert.equal(r.status.phase, 'Succeeded', r.status.message);
  const retry = r.byName('wf[0].build')!;
  assert.equal(retry.type, 'Retry');
  const started = r.byName('wf[0].build.hooks.started')!;
  const done = r.byName('wf[0].build.hooks.done')!;
  assert.ok(retry.children!.includes(started.id) && retry.children!.includes(done.id));
  assert.deepEqual(
    retry.children!.map((id) => r.status.nodes[id]!.name).filter((n) => !n.includes('.hooks.')),
    ['wf[0].build(0)', 'wf[0].build(1)', 'wf[0].build(2)'],
  );
  assert.equal(started.inputs!.parameters![0]!.value, 'started Running');
  assert.equal(done.inputs!.parameters![0]!.value, 'built');
  assert.equal(r.byName('wf[1].use')!.inputs!.parameters![0]!.value, 'built');
});

test('a looped DAG task is watched as its TaskGroup', () => {
  const r = simulate(
    workflowOf({
      entrypoint: 'main',
      templates: [
        { name: 'main', dag: { tasks: [{ name: 'fan', template: 'work', withItems: [1, 2], hooks: { running: hook('tasks.fan.status == "Running"') } }] } },
        leaf('work'),
        leaf('hook'),
      ],
    }),
    { script: durations(100) },
  );
  assert.equal(r.status.phase, 'Succeeded');
  const group = r.byName('wf.fan')!;
  assert.equal(group.type, 'TaskGroup');
  assert.ok(group.children!.includes(r.byName('wf.fan.hooks.running')!.id));
});

test('http nodes: type HTTP, the body as outputs.result as received, the failure reason as message, no exit code', () => {
  const r = simulate(
    workflowOf({
      entrypoint: 'main',
      templates: [
        {
          name: 'main',
          steps: [
            [
              { name: 'ok', template: 'get' },
              { name: 'bad', template: 'get', continueOn: { failed: true } },
            ],
          ],
        },
        { name: 'get', http: { url: 'http://example.test/' } },
      ],
    }),
    {
      script: (pod, status) =>
        status.nodes[pod.nodeId]!.name.endsWith('.ok') ? { outputs: { result: '{"a":1}\n' } } : { exitCode: 1, outputs: { result: 'nope' } },
    },
  );
  assert.equal(r.status.phase, 'Succeeded');
  const ok = r.byName('wf[0].ok')!;
  assert.equal(ok.type, 'HTTP');
  assert.deepEqual(ok.outputs, { result: '{"a":1}\n' });
  const bad = r.byName('wf[0].bad')!;
  assert.equal(bad.phase, 'Failed');
  assert.equal(bad.message, 'the HTTP request failed');
  assert.equal(r.status.progress, '0/0', 'http nodes are not pods');
});

test('a run picked up from its status continues the hooks that started and starts none twice', () => {
  const run = {
    workflow: workflowOf({
      entrypoint: 'main',
      hooks: { running: hook('workflow.status == "Running"') },
      templates: [
        { name: 'main', steps: [[{ name: 'a', template: 'work', hooks: { running: hook('steps.a.status == "Running"') } }]] },
        leaf('work'),
        leaf('hook'),
      ],
    }),
  };
  const status = newRunStatus();
  const podsOf = (actions: EngineAction[]) => actions.flatMap((a) => (a.type === 'run-pod' ? [a.pod] : []));
  const first = podsOf(advanceRun(run, status, { type: 'start' }, START).actions);
  assert.deepEqual(first.map((p) => status.nodes[p.nodeId]!.name).sort(), ['wf.hooks.running', 'wf[0].a']);
  const a = first.find((p) => p.template.name === 'work')!;
  const stepHook = podsOf(advanceRun(run, status, { type: 'pod-started', nodeId: a.nodeId }, START + 10).actions);
  assert.deepEqual(
    stepHook.map((p) => status.nodes[p.nodeId]!.name),
    ['wf[0].a.hooks.running'],
  );

  // As after a restart: a copy of the status, new to the engine.
  const restored = cloneStatus(status);
  const resent = podsOf(advanceRun(run, restored, { type: 'start' }, START + 20).actions);
  assert.deepEqual(
    resent.map((p) => restored.nodes[p.nodeId]!.name).sort(),
    ['wf.hooks.running', 'wf[0].a', 'wf[0].a.hooks.running'],
    'unfinished pods are asked for again, hooks included',
  );
  for (const pod of resent)
    assert.equal(
      podsOf(advanceRun(run, restored, { type: 'pod-finished', nodeId: pod.nodeId, exitCode: 0 }, START + 30).actions).length,
      0,
      'no hook starts twice',
    );
  assert.equal(restored.phase, 'Succeeded');
  assert.equal(Object.values(restored.nodes).filter((n) => n.nodeFlag?.hooked).length, 2);
});

test('a stop kills running hooks; a hook due after it fails with the stop message and the exit handler still runs', () => {
  const r = simulate(
    workflowOf({
      entrypoint: 'main',
      onExit: 'bye',
      hooks: { running: hook('workflow.status == "Running"', 'slow'), failed: hook('workflow.status == "Failed"') },
      templates: [{ name: 'main', steps: [[{ name: 'a', template: 'slow' }]] }, leaf('slow'), leaf('hook'), leaf('bye')],
    }),
    { script: durations(10, { slow: 60_000 }), events: [{ at: START + 1000, event: { type: 'stop' } }] },
  );
  assert.equal(r.status.phase, 'Failed');
  assert.equal(r.status.message, "Stopped with strategy 'Stop'");
  assert.equal(r.byName('wf.hooks.running')!.phase, 'Failed');
  assert.equal(r.byName('wf.hooks.failed')!.message, "Stopped with strategy 'Stop'");
  assert.equal(r.byName('wf.onExit')!.phase, 'Succeeded');
  assert.equal(r.kills.length, 2, 'the step and the running hook were killed');
});
