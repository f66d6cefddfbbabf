import type { ContainerOutcome, EngineAction, EngineEvent, PodOutputs, PodRequest } from '../../src/engine/engine-events.js';
import { newRunStatus, type RunDefinition, RunSession } from '../../src/engine/run-session.js';
import type { NodeStatus, WorkflowStatus } from '../../src/engine/workflow-status.js';
import type { Workflow } from '../../src/spec/model/workflow.js';
import { FakeLocks } from './fake-locks.js';

/** What a scripted pod does: exit code, outputs, how long it takes, or a runtime error. */
export interface PodScript {
  exitCode?: number;
  outputs?: PodOutputs;
  durationMs?: number;
  error?: string;
  /** Never finishes (until killed). Daemon pods hang unless they are given a duration, exit code or error. */
  hang?: boolean;
  /** How each container of a containerSet's pod ended. */
  containers?: ContainerOutcome[];
  /** Reports `pod-ready` this long after the start (daemon pods: default 0; other pods: never). */
  readyAfterMs?: number;
  /** The IP that `pod-ready` reports (default 10.0.0.<n>, n counting the pods). */
  podIP?: string;
  /** The machine `pod-started` reports. */
  hostNodeName?: string;
  /** Reports `pod-started` this long after run-pod (default 0): a pod that stays Pending meanwhile. */
  startAfterMs?: number;
}

export type Script = (pod: PodRequest, status: WorkflowStatus) => PodScript | undefined;

export interface SimulatedEvent {
  at: number;
  event: EngineEvent;
}

export interface SimulationResult {
  status: WorkflowStatus;
  pods: PodRequest[];
  kills: string[];
  /** The `save-cache` actions, in order (memoized nodes that succeeded). */
  saves: Array<Extract<EngineAction, { type: 'save-cache' }>>;
  /** Node by display name (first match), for assertions. */
  byDisplay(name: string): NodeStatus | undefined;
  byName(name: string): NodeStatus | undefined;
  now: number;
}

export const START = Date.parse('2024-01-01T00:00:00Z');

/**
 * Runs a workflow through the engine with a fake clock and scripted pods: pods start at once
 * and finish after `durationMs` (default 0), and `wake-at` moves the clock. Extra events (stop,
 * resume) can be injected at given times. Deterministic: same input, same result.
 */
export function simulate(
  workflow: Workflow,
  options: {
    script?: Script;
    events?: SimulatedEvent[];
    definition?: Partial<RunDefinition>;
    status?: WorkflowStatus;
    maxEvents?: number;
    start?: number;
    locks?: FakeLocks;
  } = {},
): SimulationResult {
  const locks = options.locks ?? new FakeLocks();
  const run: RunDefinition = { workflow, ...options.definition };
  const status = options.status ?? newRunStatus();
  const session = new RunSession(run, status);
  const queue: Array<SimulatedEvent & { seq: number; cancel?: string }> = [];
  let seq = 0;
  const push = (at: number, event: SimulatedEvent['event'], cancel?: string) => {
    const item: SimulatedEvent & { seq: number; cancel?: string } = { at, event, seq: seq++ };
    if (cancel !== undefined) item.cancel = cancel;
    queue.push(item);
  };
  const pods: PodRequest[] = [];
  const kills: string[] = [];
  const saves: SimulationResult['saves'] = [];
  const killed = new Set<string>();
  let now = options.start ?? START;
  push(now, { type: 'start' });
  for (const e of options.events ?? []) push(e.at, e.event);
  let count = 0;
  const max = options.maxEvents ?? 200_000;
  while (queue.length > 0 && count++ < max) {
    let best = 0;
    for (let i = 1; i < queue.length; i++) {
      const a = queue[i]!;
      const b = queue[best]!;
      if (a.at < b.at || (a.at === b.at && a.seq < b.seq)) best = i;
    }
    const item = queue.splice(best, 1)[0]!;
    if (item.cancel !== undefined && killed.has(item.cancel)) continue;
    now = Math.max(now, item.at);
    const { actions } = session.advance(item.event, now);
    for (const action of actions) {
      if (action.type === 'run-pod') {
        const pod = action.pod;
        pods.push(pod);
        killed.delete(pod.podName);
        const behaviour = options.script?.(pod, status) ?? {};
        push(
          now + (behaviour.startAfterMs ?? 0),
          behaviour.hostNodeName !== undefined
            ? { type: 'pod-started', nodeId: pod.nodeId, hostNodeName: behaviour.hostNodeName }
            : { type: 'pod-started', nodeId: pod.nodeId },
          pod.podName,
        );
        const daemon = pod.template.daemon === true;
        const readyAfter = behaviour.readyAfterMs ?? (daemon ? 0 : undefined);
        if (readyAfter !== undefined)
          push(now + readyAfter, { type: 'pod-ready', nodeId: pod.nodeId, podIP: behaviour.podIP ?? `10.0.0.${pods.length}` }, pod.podName);
        const ends = behaviour.durationMs !== undefined || behaviour.exitCode !== undefined || behaviour.error !== undefined;
        if (behaviour.hang || (daemon && !ends)) continue;
        const at = now + (behaviour.startAfterMs ?? 0) + (behaviour.durationMs ?? 0);
        if (behaviour.error !== undefined) push(at, { type: 'pod-error', nodeId: pod.nodeId, message: behaviour.error }, pod.podName);
        else {
          const finished: SimulatedEvent['event'] = { type: 'pod-finished', nodeId: pod.nodeId, exitCode: behaviour.exitCode ?? 0 };
          if (behaviour.outputs) finished.outputs = behaviour.outputs;
          if (behaviour.containers) finished.containers = behaviour.containers;
          push(at, finished, pod.podName);
        }
      } else if (action.type === 'kill-pod') {
        kills.push(action.podName);
        killed.add(action.podName);
      } else if (action.type === 'save-cache') {
        saves.push(action);
      } else if (action.type === 'acquire-lock') {
        for (const event of locks.acquire(action.request)) push(now, event);
      } else if (action.type === 'release-lock') {
        for (const event of locks.release(action.holder)) push(now, event);
      } else if (action.type === 'wake-at') {
        push(Date.parse(action.time), { type: 'timer' });
      }
    }
  }
  const nodes = Object.values(status.nodes);
  return {
    status,
    pods,
    kills,
    saves,
    now,
    byDisplay: (name) => nodes.find((n) => n.displayName === name) ?? Object.values(status.nodes).find((n) => n.displayName === name),
    byName: (name) => Object.values(status.nodes).find((n) => n.name === name),
  };
}

/** A workflow from a compact spec, named `wf`. */
export function workflowOf(spec: Workflow['spec'], name = 'wf'): Workflow {
  return { apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', metadata: { name, uid: 'uid-1' }, spec };
}

export const echo = { container: { image: 'alpine', command: ['echo'] } };
