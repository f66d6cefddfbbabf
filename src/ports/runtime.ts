import type { EngineEvent, PodRequest } from '../engine/engine-events.js';
import type { NodeStatus, WorkflowStatus } from '../engine/workflow-status.js';
import type { Workflow } from '../spec/model/workflow.js';

/** What a runtime reports about a pod. A pod's outputs come only with `pod-finished`. */
export type RuntimeEvent = Extract<EngineEvent, { type: 'pod-started' | 'pod-ready' | 'pod-finished' | 'pod-error' }>;

/**
 * Runs the pods the engine asks for. `run` is idempotent by pod name: after a restart the
 * driver asks again for every pod that had not finished, and a runtime that still runs it
 * reattaches (`report` replaces the earlier one) instead of starting a second copy.
 *
 * @example
 * runtime.run(pod, (event) => driver.send(runId, event));
 * runtime.kill(pod.podName);
 */
export interface Runtime {
  run(pod: PodRequest, report: (event: RuntimeEvent) => void): void;
  kill(podName: string): void;
  /**
   * The run has finished (every pod ended): run-scoped resources such as volumeClaimTemplates
   * directories can go. Optional; may be called more than once.
   */
  runFinished?(runId: string): void;
  /**
   * The run has finished: apply its OnWorkflowCompletion artifact GC. Resolves to the status
   * changes to record (nodes whose artifacts are now `deleted`, run-level fields such as
   * `artifactGCStatus`), or undefined when nothing was due. Never rejects: failures are reported
   * in the changes. Called once per finished run, before `runFinished`. Optional.
   */
  collectGarbage?(run: { id: string; workflow: Workflow; status: WorkflowStatus }): Promise<RunStatusChanges | undefined>;
}

/** Changes a runtime asks the driver to record in a run's status. */
export interface RunStatusChanges {
  nodes: NodeStatus[];
  run: Partial<Omit<WorkflowStatus, 'nodes'>>;
}
