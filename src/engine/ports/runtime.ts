import type { EngineEvent, PodRequest } from '../engine-events.js';

/** What a runtime reports about a pod. A pod's outputs come only with `pod-finished`. */
export type RuntimeEvent = Extract<EngineEvent, { type: 'pod-started' | 'pod-finished' | 'pod-error' }>;

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
}
