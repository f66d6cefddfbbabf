import assert from 'node:assert/strict';
import { test } from 'node:test';
import { advanceRun } from './advance-run.js';
import { newRunStatus } from '../../src/engine/run-session.js';
import type { EngineAction, PodRequest } from '../../src/engine/engine-events.js';
import { cloneStatus, type WorkflowStatus } from '../../src/engine/workflow-status.js';
import type { Template, Workflow } from '../../src/spec/model/workflow.js';
import { echo, type PodScript, simulate, START, workflowOf } from './simulate-run.js';

const at = (ms: number): string => new Date(START + ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const daemon = (extra: Partial<Template> = {}): Template => ({ name: 'svc', daemon: true, container: { image: 'alpine', command: ['serve'] }, ...extra });
const user: Template = { name: 'use', inputs: { parameters: [{ name: 'ip' }] }, ...echo };
const leaf = (name: string): Template => ({ name, ...echo });
const byTemplate =
  (scripts: Record<string, PodScript>) =>
  (pod: PodRequest): PodScript | undefined =>
    scripts[pod.template.name ?? ''];

test('a daemon step is Pending until ready, then daemoned: the next group starts and reads its ip; the daemon is killed and Succeeds when its steps end', () => {
  const workflow = workflowOf({
    entrypoint: 'main',
    templates: [
      {
        name: 'main',
        steps: [[{ name: 'svc', template: 'svc' }], [{ name: 'use', template: 'use', arguments: { parameters: [{ name: 'ip', value: '{{steps.svc.ip}}' }] } }]],
      },
      daemon(),
      user,
    ],
  });
  const r = simulate(workflow, { script: byTemplate({ svc: { readyAfterMs: 3000, podIP: '10.1.2.3' }, use: { durationMs: 1000 } }) });
  assert.equal(r.status.phase, 'Succeeded', r.status.message);
  const svc = r.byName('wf[0].svc')!;
  const use = r.byName('wf[1].use')!;
  assert.equal(use.startedAt, at(3000), 'the next group waits for readiness, not for the daemon to end');
  assert.deepEqual(
    use.inputs?.parameters?.map((p) => p.value),
    ['10.1.2.3'],
  );
  assert.equal(svc.phase, 'Succeeded');
  assert.equal(svc.daemoned, undefined, 'no longer daemoned once killed');
  assert.equal(svc.podIP, '10.1.2.3');
  assert.equal(svc.finishedAt, at(4000), 'killed when the steps template ended');
  assert.deepEqual(r.kills, [r.pods.find((p) => p.template.name === 'svc')!.podName]);
});

test('pod-started leaves a daemon Pending; pod-ready makes it Running and daemoned', () => {
  const workflow = workflowOf({
    entrypoint: 'main',
    templates: [{ name: 'main', steps: [[{ name: 'svc', template: 'svc' }], [{ name: 'after', template: 'after' }]] }, daemon(), leaf('after')],
  });
  const status = newRunStatus();
  const run = { workflow };
  const first = advanceRun(run, status, { type: 'start' }, START);
  const pod = podOf(first.actions, 'svc');
  advanceRun(run, status, { type: 'pod-started', nodeId: pod.nodeId, hostNodeName: 'node-a' }, START + 10);
  const node = status.nodes[pod.nodeId]!;
  assert.equal(node.phase, 'Pending');
  assert.equal(node.hostNodeName, 'node-a');
  const ready = advanceRun(run, status, { type: 'pod-ready', nodeId: pod.nodeId, podIP: '127.1.0.1' }, START + 20);
  assert.equal(node.phase, 'Running');
  assert.equal(node.daemoned, true);
  assert.equal(node.podIP, '127.1.0.1');
  assert.ok(
    ready.changed.some((n) => n.id === node.id),
    'the change is reported for the journal',
  );
  assert.equal(podOf(ready.actions, 'after').template.name, 'after');
  // A repeated report changes nothing and starts nothing twice.
  const again = advanceRun(run, status, { type: 'pod-ready', nodeId: pod.nodeId, podIP: '127.1.0.1' }, START + 30);
  assert.deepEqual(
    again.actions.filter((a) => a.type === 'run-pod'),
    [],
  );
});

test('pod-ready of a pod that is not a daemon changes nothing', () => {
  const workflow = workflowOf({ entrypoint: 'main', templates: [leaf('main')] });
  const status = newRunStatus();
  const run = { workflow };
  const pod = podOf(advanceRun(run, status, { type: 'start' }, START).actions, 'main');
  advanceRun(run, status, { type: 'pod-started', nodeId: pod.nodeId }, START);
  const result = advanceRun(run, status, { type: 'pod-ready', nodeId: pod.nodeId, podIP: '10.0.0.1' }, START);
  assert.equal(status.nodes[pod.nodeId]!.daemoned, undefined);
  assert.equal(status.nodes[pod.nodeId]!.podIP, undefined);
  assert.deepEqual(result.changed, []);
});

test('a DAG task depending on a daemon starts once it is ready, reads tasks.<name>.ip, and the daemon ends with the DAG, before the next step', () => {
  const workflow = workflowOf({
    entrypoint: 'main',
    templates: [
      { name: 'main', steps: [[{ name: 'graph', template: 'graph' }], [{ name: 'later', template: 'later' }]] },
      {
        name: 'graph',
        dag: {
          tasks: [
            { name: 'svc', template: 'svc' },
            { name: 'use', template: 'use', depends: 'svc', arguments: { parameters: [{ name: 'ip', value: '{{tasks.svc.ip}}' }] } },
            { name: 'check', template: 'later', depends: 'svc.Daemoned' },
          ],
        },
      },
      daemon(),
      user,
      leaf('later'),
    ],
  });
  const r = simulate(workflow, {
    script: byTemplate({ svc: { readyAfterMs: 1000, podIP: '10.9.9.9' }, use: { durationMs: 2000 }, later: { durationMs: 1000 } }),
  });
  assert.equal(r.status.phase, 'Succeeded', r.status.message);
  assert.equal(r.byName('wf[0].graph.use')!.startedAt, at(1000));
  assert.deepEqual(
    r.byName('wf[0].graph.use')!.inputs?.parameters?.map((p) => p.value),
    ['10.9.9.9'],
  );
  assert.equal(r.byName('wf[0].graph.check')!.phase, 'Succeeded', '`svc.Daemoned` holds for a ready daemon');
  const svc = r.byName('wf[0].graph.svc')!;
  assert.equal(svc.phase, 'Succeeded');
  assert.equal(svc.finishedAt, at(3000), 'killed when the DAG completed');
  assert.equal(r.byName('wf[1].later')!.startedAt, at(3000));
  assert.equal(r.status.finishedAt, at(4000));
});

test('a daemon in a nested steps template ends with that template, not with the outer one', () => {
  const workflow = workflowOf({
    entrypoint: 'main',
    templates: [
      { name: 'main', steps: [[{ name: 'inner', template: 'inner' }], [{ name: 'after', template: 'after' }]] },
      { name: 'inner', steps: [[{ name: 'svc', template: 'svc' }], [{ name: 'work', template: 'after' }]] },
      daemon(),
      leaf('after'),
    ],
  });
  const r = simulate(workflow, { script: byTemplate({ after: { durationMs: 1000 } }) });
  assert.equal(r.status.phase, 'Succeeded');
  assert.equal(r.byName('wf[0].inner[0].svc')!.finishedAt, at(1000));
  assert.equal(r.byName('wf[1].after')!.finishedAt, at(2000));
});

test('a daemon that exits before it is ready fails its node with the reason, and the run', () => {
  const workflow = workflowOf({
    entrypoint: 'main',
    templates: [{ name: 'main', steps: [[{ name: 'svc', template: 'svc' }], [{ name: 'after', template: 'after' }]] }, daemon(), leaf('after')],
  });
  for (const exitCode of [1, 0]) {
    const r = simulate(workflow, { script: byTemplate({ svc: { readyAfterMs: 10_000, durationMs: 2000, exitCode } }) });
    const svc = r.byName('wf[0].svc')!;
    assert.equal(svc.phase, 'Failed');
    assert.equal(svc.message, `daemon exited before it was ready (exit code ${exitCode})`);
    assert.equal(r.status.phase, 'Failed');
    assert.equal(r.byName('wf[1].after'), undefined);
  }
});

test('a daemon that stops while later steps run is Failed, as Argo: its group had already passed', () => {
  const workflow = workflowOf({
    entrypoint: 'main',
    templates: [{ name: 'main', steps: [[{ name: 'svc', template: 'svc' }], [{ name: 'after', template: 'after' }]] }, daemon(), leaf('after')],
  });
  const r = simulate(workflow, { script: byTemplate({ svc: { durationMs: 1000, exitCode: 2 }, after: { durationMs: 3000 } }) });
  const svc = r.byName('wf[0].svc')!;
  assert.equal(svc.phase, 'Failed');
  assert.equal(svc.message, 'daemon stopped while the steps after it were still running (exit code 2)');
  assert.equal(svc.daemoned, undefined);
  assert.equal(r.byName('wf[1].after')!.phase, 'Succeeded');
  assert.equal(r.status.phase, 'Succeeded');
  assert.deepEqual(r.kills, [], 'nothing left to kill');
});

test('retryStrategy on a daemon: a failed attempt is retried, and the Retry node is daemoned with the attempt that became ready', () => {
  const workflow = workflowOf({
    entrypoint: 'main',
    templates: [
      {
        name: 'main',
        steps: [[{ name: 'svc', template: 'svc' }], [{ name: 'use', template: 'use', arguments: { parameters: [{ name: 'ip', value: '{{steps.svc.ip}}' }] } }]],
      },
      daemon({ retryStrategy: { limit: 3 } }),
      user,
    ],
  });
  let attempts = 0;
  const r = simulate(workflow, {
    script: (pod) => {
      if (pod.template.name !== 'svc') return { durationMs: 1000 };
      attempts++;
      return attempts === 1 ? { exitCode: 1, durationMs: 1000, readyAfterMs: 10_000 } : { readyAfterMs: 1000, podIP: `10.0.0.${attempts}` };
    },
  });
  assert.equal(r.status.phase, 'Succeeded', r.status.message);
  const retry = r.byName('wf[0].svc')!;
  assert.equal(retry.type, 'Retry');
  assert.equal(retry.children?.length, 2);
  assert.equal(r.byName('wf[0].svc(0)')!.phase, 'Failed');
  assert.deepEqual(
    r.byName('wf[1].use')!.inputs?.parameters?.map((p) => p.value),
    ['10.0.0.2'],
  );
  assert.equal(r.byName('wf[1].use')!.startedAt, at(2000));
  for (const node of [retry, r.byName('wf[0].svc(1)')!]) {
    assert.equal(node.phase, 'Succeeded', node.name);
    assert.equal(node.daemoned, undefined, node.name);
    assert.equal(node.finishedAt, at(3000), node.name);
  }
});

test('retryStrategy on a daemon: an attempt that dies after it was ready is retried while later steps run', () => {
  const workflow = workflowOf({
    entrypoint: 'main',
    templates: [
      { name: 'main', steps: [[{ name: 'svc', template: 'svc' }], [{ name: 'after', template: 'after' }]] },
      daemon({ retryStrategy: { limit: 2 } }),
      leaf('after'),
    ],
  });
  let attempts = 0;
  const r = simulate(workflow, {
    script: (pod) => (pod.template.name === 'svc' ? (++attempts === 1 ? { readyAfterMs: 0, durationMs: 1000, exitCode: 137 } : {}) : { durationMs: 3000 }),
  });
  assert.equal(r.status.phase, 'Succeeded', r.status.message);
  assert.equal(r.byName('wf[0].svc(0)')!.phase, 'Failed');
  assert.equal(r.byName('wf[0].svc(1)')!.startedAt, at(1000));
  assert.equal(r.byName('wf[0].svc(1)')!.phase, 'Succeeded');
  assert.equal(r.byName('wf[0].svc')!.phase, 'Succeeded');
  assert.equal(r.kills.length, 1, 'only the second attempt was still running at the end');
});

test('stop while a daemon runs: the other pods fail, the daemon is killed with its scope and Succeeds', () => {
  const workflow = workflowOf({
    entrypoint: 'main',
    templates: [{ name: 'main', steps: [[{ name: 'svc', template: 'svc' }], [{ name: 'after', template: 'after' }]] }, daemon(), leaf('after')],
  });
  const r = simulate(workflow, { script: byTemplate({ after: { hang: true } }), events: [{ at: START + 5000, event: { type: 'stop' } }] });
  assert.equal(r.status.phase, 'Failed');
  assert.equal(r.byName('wf[1].after')!.phase, 'Failed');
  assert.equal(r.byName('wf[0].svc')!.phase, 'Succeeded');
  assert.equal(r.byName('wf[0].svc')!.finishedAt, at(5000));
  assert.equal(r.kills.length, 2);
});

test('a daemon that is the entrypoint ends with the run, Succeeded', () => {
  const r = simulate(workflowOf({ entrypoint: 'svc', templates: [daemon()] }), { script: byTemplate({ svc: { readyAfterMs: 7000 } }) });
  assert.equal(r.status.phase, 'Succeeded');
  assert.equal(r.byName('wf')!.finishedAt, at(7000));
  assert.equal(r.kills.length, 1);
});

test('a run picked up again (restart) resends its daemon pods and still kills them when their scope ends', () => {
  const workflow = workflowOf({
    entrypoint: 'main',
    templates: [{ name: 'main', steps: [[{ name: 'svc', template: 'svc' }], [{ name: 'after', template: 'after' }]] }, daemon(), leaf('after')],
  });
  const status = newRunStatus();
  const first = advanceRun({ workflow }, status, { type: 'start' }, START);
  const svc = podOf(first.actions, 'svc');
  advanceRun({ workflow }, status, { type: 'pod-started', nodeId: svc.nodeId }, START);
  const after = podOf(advanceRun({ workflow }, status, { type: 'pod-ready', nodeId: svc.nodeId, podIP: '10.0.0.7' }, START).actions, 'after');

  const restarted: WorkflowStatus = cloneStatus(status);
  const copy: Workflow = { ...workflow };
  const resumed = advanceRun({ workflow: copy }, restarted, { type: 'start' }, START + 100);
  assert.deepEqual(
    resumed.actions
      .filter((a) => a.type === 'run-pod')
      .map((a) => (a.type === 'run-pod' ? a.pod.podName : ''))
      .sort(),
    [svc.podName, after.podName].sort(),
  );
  assert.equal(restarted.nodes[svc.nodeId]!.daemoned, true);
  const end = advanceRun({ workflow: copy }, restarted, { type: 'pod-finished', nodeId: after.nodeId, exitCode: 0 }, START + 200);
  assert.deepEqual(
    end.actions.filter((a) => a.type === 'kill-pod').map((a) => (a.type === 'kill-pod' ? a.podName : '')),
    [svc.podName],
  );
  assert.equal(restarted.nodes[svc.nodeId]!.phase, 'Succeeded');
  assert.equal(restarted.phase, 'Succeeded');
});

function podOf(actions: EngineAction[], template: string): PodRequest {
  const action = actions.find((a) => a.type === 'run-pod' && a.pod.template.name === template);
  assert.ok(action && action.type === 'run-pod', `a run-pod for ${template}`);
  return action.pod;
}
