import type { EngineEvent, PodRequest } from '../engine/engine-events.js';
import type { NodeStatus, WorkflowStatus } from '../engine/workflow-status.js';
import type { Workflow } from '../spec/model/workflow.js';
import type { RunKey } from './run-key.js';

/** What a runtime reports about a pod. A pod's outputs come only with `pod-finished`. */
export type RuntimeEvent = Extract<EngineEvent, { type: 'pod-started' | 'pod-ready' | 'pod-finished' | 'pod-error' }>;

/**
 * Runs the pods the engine asks for. Pods are namespaced: a pod is its run's namespace and its
 * name, and two runs of one name in two namespaces never share one. `run` is idempotent by pod: after a restart the
 * driver asks again for every pod that had not finished, and a runtime that still runs it
 * reattaches (`report` replaces the earlier one) instead of starting a second copy.
 *
 * @example
 * runtime.run(pod, (event) => driver.send('ci/hello-x7k2p', event));
 * runtime.kill('ci/hello-x7k2p', pod.podName);
 */
export interface Runtime {
  run(pod: PodRequest, report: (event: RuntimeEvent) => void): void;
  /** Kills pod `podName` of run `key` (of the run's namespace, not another's of the same name). */
  kill(key: RunKey, podName: string): void;
  /**
   * The run has finished (every pod ended): run-scoped resources such as volumeClaimTemplates
   * directories can go. Optional; may be called more than once.
   */
  runFinished?(key: RunKey): void;
  /**
   * The run has finished: apply its OnWorkflowCompletion artifact GC. Resolves to the status
   * changes to record (nodes whose artifacts are now `deleted`, run-level fields such as
   * `artifactGCStatus`), or undefined when nothing was due. Never rejects: failures are reported
   * in the changes. Called once per finished run, before `runFinished`. Optional.
   */
  collectGarbage?(run: { key: RunKey; workflow: Workflow; status: WorkflowStatus }): Promise<RunStatusChanges | undefined>;
}

/** Changes a runtime asks the driver to record in a run's status. */
export interface RunStatusChanges {
  nodes: NodeStatus[];
  run: Partial<Omit<WorkflowStatus, 'nodes'>>;
}
