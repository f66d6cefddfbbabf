import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EngineAction, PodRequest } from '../../src/engine/engine-events.js';
import { newRunStatus, RunSession } from '../../src/engine/run-session.js';
import { SHUTDOWN_MESSAGE_ANNOTATION } from '../../src/spec/model/argo-labels.js';
import { echo, START, workflowOf } from './simulate-run.js';

const workflow = workflowOf(
  {
    entrypoint: 'main',
    onExit: 'bye',
    templates: [
      { name: 'main', ...echo },
      { name: 'bye', ...echo },
    ],
  },
  'sess',
);
const podsOf = (actions: EngineAction[]): PodRequest[] => actions.flatMap((a) => (a.type === 'run-pod' ? [a.pod] : []));

test('a stop is kept in the workflow the session returns, with its message, and the pods are killed in the same transition', () => {
  const session = new RunSession({ workflow }, newRunStatus());
  const [pod] = podsOf(session.advance({ type: 'start' }, START).actions);
  session.advance({ type: 'pod-started', nodeId: pod!.nodeId }, START + 1);
  const stop = session.advance({ type: 'stop', message: 'enough' }, START + 2);
  assert.equal(stop.workflow?.spec.shutdown, 'Stop');
  assert.equal(stop.workflow?.metadata.annotations?.[SHUTDOWN_MESSAGE_ANNOTATION], 'enough');
  assert.equal(session.workflow, stop.workflow, 'the session runs on with the workflow it returned');
  assert.equal(workflow.spec.shutdown, undefined, 'the workflow it was opened with is not changed');
  assert.ok(stop.actions.some((a) => a.type === 'kill-pod' && a.podName === pod!.podName));
  assert.deepEqual(
    podsOf(stop.actions).map((p) => p.template.name),
    ['bye'],
    'a stop still runs the exit handler',
  );
});

test('a terminate escalates a stop; a stop after a terminate changes nothing and is not recorded', () => {
  const session = new RunSession({ workflow }, newRunStatus());
  const [pod] = podsOf(session.advance({ type: 'start' }, START).actions);
  session.advance({ type: 'pod-started', nodeId: pod!.nodeId }, START + 1);
  assert.equal(session.advance({ type: 'terminate' }, START + 2).workflow?.spec.shutdown, 'Terminate');
  const stop = session.advance({ type: 'stop' }, START + 3);
  assert.equal(stop.workflow, undefined);
  assert.equal(session.workflow.spec.shutdown, 'Terminate', 'a restart still honours the terminate');
});

test('a session changes only the status it was opened with: two sessions on copies of one saved status go their own ways', () => {
  const session = new RunSession({ workflow }, newRunStatus());
  const [pod] = podsOf(session.advance({ type: 'start' }, START).actions);
  session.advance({ type: 'pod-started', nodeId: pod!.nodeId }, START + 1);
  // As an informer's cache would hold it: a copy handed to two sessions must not move.
  const cached = structuredClone(session.status);
  const frozen = JSON.stringify(cached);
  const succeeded = new RunSession({ workflow }, structuredClone(cached));
  const failed = new RunSession({ workflow }, structuredClone(cached));
  succeeded.advance({ type: 'pod-finished', nodeId: pod!.nodeId, exitCode: 0 }, START + 5);
  failed.advance({ type: 'pod-finished', nodeId: pod!.nodeId, exitCode: 1 }, START + 5);
  assert.equal(succeeded.status.nodes[pod!.nodeId]?.phase, 'Succeeded');
  assert.equal(failed.status.nodes[pod!.nodeId]?.phase, 'Failed');
  assert.equal(JSON.stringify(cached), frozen);
});

test('changes made outside the engine are folded into the status; a closed session takes no more events', () => {
  const session = new RunSession({ workflow }, newRunStatus());
  const [pod] = podsOf(session.advance({ type: 'start' }, START).actions);
  const node = session.status.nodes[pod!.nodeId]!;
  const [recorded] = session.record({
    nodes: [{ ...node, message: 'artifacts deleted' }],
    run: { artifactGCStatus: { strategiesProcessed: { OnWorkflowCompletion: true } } },
  });
  assert.equal(recorded, node, 'the node object the engine holds is updated in place');
  assert.equal(node.message, 'artifacts deleted');
  assert.deepEqual(session.status.artifactGCStatus, { strategiesProcessed: { OnWorkflowCompletion: true } });
  session.close();
  assert.throws(() => session.advance({ type: 'timer' }, START + 1), /closed/);
});
