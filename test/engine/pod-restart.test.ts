import assert from 'node:assert/strict';
import { test } from 'node:test';
import { advanceRun } from './advance-run.js';
import { newRunStatus, type RunDefinition } from '../../src/engine/run-session.js';
import type { EngineAction, PodRequest } from '../../src/engine/engine-events.js';
import type { WorkflowStatus } from '../../src/engine/workflow-status.js';
import { echo, START, workflowOf } from './simulate-run.js';

const run: RunDefinition = { workflow: workflowOf({ entrypoint: 'main', templates: [{ name: 'main', ...echo }] }, 'again') };
const podOf = (actions: EngineAction[]): PodRequest => (actions.find((a) => a.type === 'run-pod') as Extract<EngineAction, { type: 'run-pod' }>).pod;
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A run whose one pod started at START, picked up by a new driver a minute later (a fresh copy of its status, as loaded from a store). */
function pickedUp(): { status: WorkflowStatus; pod: PodRequest } {
  const status = newRunStatus();
  const first = podOf(advanceRun(run, status, { type: 'start' }, START).actions);
  assert.equal(first.askedBefore, undefined, 'a pod asked for the first time');
  advanceRun(run, status, { type: 'pod-started', nodeId: first.nodeId }, START + 1000);
  const loaded = structuredClone(status);
  return { status: loaded, pod: podOf(advanceRun(run, loaded, { type: 'start' }, START + 60_000).actions) };
}

test('a pod asked for again after a restart says when its node started, so a runtime can look for its recorded end', () => {
  const { pod } = pickedUp();
  assert.equal(pod.askedBefore, iso(START));
});

test('an end found recorded keeps the time it ended, not the time it was found', () => {
  const { status, pod } = pickedUp();
  advanceRun(run, status, { type: 'pod-finished', nodeId: pod.nodeId, exitCode: 0, outputs: {}, finishedAt: iso(START + 5000) }, START + 60_000);
  const node = status.nodes[pod.nodeId]!;
  assert.equal(node.phase, 'Succeeded');
  assert.equal(node.startedAt, iso(START));
  assert.equal(node.finishedAt, iso(START + 5000));
});

test('a pod run over after a restart is timed from its new start', () => {
  const { status, pod } = pickedUp();
  advanceRun(run, status, { type: 'pod-started', nodeId: pod.nodeId, restarted: true }, START + 61_000);
  advanceRun(run, status, { type: 'pod-finished', nodeId: pod.nodeId, exitCode: 0, outputs: {} }, START + 66_000);
  const node = status.nodes[pod.nodeId]!;
  assert.equal(node.startedAt, iso(START + 61_000));
  assert.equal(node.finishedAt, iso(START + 66_000));
});
