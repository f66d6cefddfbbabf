import type { Execution, Shutdown } from './execution.js';
import { type Synchronization, synchronizationLocks } from './synchronization-locks.js';
import { substituteValue } from './variable-scope.js';
import type { WorkflowPhase } from './workflow-status.js';

/** The key of the run's lock wait among `Execution.waiters` (never a node id). */
const WAITER = ':workflow-locks';

/**
 * Workflow-level `spec.synchronization`: the run starts only once it holds every lock named
 * there. Until then it stays Pending with Argo's "Waiting for <lock> lock" message, and a stop
 * or terminate ends it Failed without its ever running. Names may use the workflow's variables
 * (`{{workflow.parameters.x}}`, labels, annotations), substituted as Argo does. A hold the status
 * records (a run picked up again) is re-established and the run goes on at once. Returns whether
 * the run must wait (or has ended); `restart` boots it once the locks are held.
 */
export function waitForWorkflowLocks(
  exec: Execution,
  stopping: Shutdown | undefined,
  restart: () => void,
  finish: (phase: WorkflowPhase, message: string) => void,
): boolean {
  const sync = exec.spec.synchronization as Synchronization | undefined;
  if (!sync) return false;
  const holder = exec.locks.holderOf();
  if (exec.locks.holds(holder)) return false;
  const substituted = substituteValue(sync, exec.globals).value;
  const found = synchronizationLocks(substituted, String(exec.workflow.metadata?.namespace ?? 'default'), exec.configMaps);
  if ('error' in found) {
    finish('Failed', `Failed to acquire the synchronization lock. ${found.error}`);
    return true;
  }
  const { status } = exec;
  if (!exec.locks.recorded(holder, found.locks) && stopping) {
    finish('Failed', stopping.message);
    return true;
  }
  exec.waiters.set(WAITER, () => {
    exec.locks.release(holder);
    finish('Failed', exec.shutdown?.message ?? 'stopped');
  });
  const held = exec.locks.request(holder, found.locks, () => {
    exec.waiters.delete(WAITER);
    // Called from request itself when the hold is re-established: boot simply goes on.
    if (status.phase === 'Pending') restart();
  });
  if (held) return false;
  // As Argo, a run that waits for its locks has not started.
  status.phase = 'Pending';
  delete status.startedAt;
  return true;
}
