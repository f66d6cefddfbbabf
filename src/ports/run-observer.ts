import type { NodeStatus, WorkflowStatus } from '../engine/workflow-status.js';

/**
 * What a host wants to hear of the runs a driver drives: the CLI's live view, the GitHub reporter,
 * the run page. Every call comes after the change it reports is saved; an observer must not throw
 * and must not block (queue its own slow work).
 *
 * @example
 *   driver.observe({ nodeChanged: (key, node) => view.update(node), runEnded: (key, status) => report(key, status) });
 */
export interface RunObserver {
  /** A node was created or changed. */
  nodeChanged?(key: string, node: NodeStatus): void;
  /**
   * The run's state could not be saved, so the run is held (`problem` says why; nothing of it
   * moves until it is saved), or it is saved again and moves on (`problem` undefined).
   */
  runHeld?(key: string, problem: string | undefined): void;
  /** The run has ended and its end is recorded (after its artifact GC). */
  runEnded?(key: string, status: WorkflowStatus): void;
}
