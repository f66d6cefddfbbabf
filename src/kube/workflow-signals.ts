import type { RunSignal } from '../ports/run-control.js';
import type { Workflow } from '../spec/model/workflow.js';
import { RESUME_REQUEST_ANNOTATION, SHUTDOWN_MESSAGE_ANNOTATION } from './kube-names.js';

/**
 * The control signals a change of a run's Workflow carries, as Argo reads them off the object:
 * `spec.shutdown` newly set to `Stop` or `Terminate` (by `kubectl patch`, `argo stop`, `skiff stop`;
 * the message from Skiff's shutdown-message annotation), `spec.suspend` cleared after being true
 * (`argo resume`), or a new resume request annotation (`skiff resume`). `before` is the object as
 * last handled; undefined when the run is first picked up, where a shutdown already set is not a
 * signal (the engine restores it from the spec itself) but a waiting resume request is.
 *
 * @example
 *   workflowSignals(running, { ...running, spec: { ...running.spec, shutdown: 'Stop' } }) // [{ op: 'stop' }]
 */
export function workflowSignals(before: Workflow | undefined, after: Workflow): RunSignal[] {
  const signals: RunSignal[] = [];
  const shutdown = after.spec?.shutdown;
  if (before !== undefined && (shutdown === 'Stop' || shutdown === 'Terminate') && before.spec?.shutdown !== shutdown) {
    const message = after.metadata.annotations?.[SHUTDOWN_MESSAGE_ANNOTATION];
    signals.push({ op: shutdown === 'Stop' ? 'stop' : 'terminate', ...(message ? { message } : {}) });
  }
  const request = after.metadata.annotations?.[RESUME_REQUEST_ANNOTATION];
  const requested = request !== undefined && request !== before?.metadata.annotations?.[RESUME_REQUEST_ANNOTATION];
  const unsuspended = before?.spec?.suspend === true && after.spec?.suspend !== true;
  if (requested || unsuspended) signals.push({ op: 'resume' });
  return signals;
}

/** Whether the Workflow carries a resume request still to be taken (and removed). */
export function hasResumeRequest(workflow: Workflow): boolean {
  return workflow.metadata.annotations?.[RESUME_REQUEST_ANNOTATION] !== undefined;
}
