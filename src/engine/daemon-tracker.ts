import type { Execution } from './execution.js';
import { isFulfilled, type NodeStatus } from './workflow-status.js';

/**
 * The daemoned nodes of a run (templates with `daemon: true`), as Argo's controller treats them
 * (workflow/controller/operator.go, exec_control.go): a daemon pod's node stays Pending until the
 * pod runs and is ready, then becomes Running and `daemoned`, which its steps group or DAG takes
 * as done, so later steps start while the daemon keeps running. When the steps or DAG node that
 * is the daemon's boundary completes, the daemon is killed and its node Succeeds; daemons still
 * running when the run ends go the same way. A Retry node over a daemon is daemoned with it.
 */
export class DaemonTracker {
  private readonly nodes = new Map<string, NodeStatus>();

  constructor(private readonly exec: Execution) {}

  /**
   * `node` (a daemon pod, or the Retry node over one) is ready: it becomes Running and
   * daemoned, and its owner hears that it has settled. Repeated reports only update `podIP`;
   * a node found daemoned in the status (after a restart) is taken on again here.
   */
  daemoned(node: NodeStatus, podIP?: string): void {
    if (isFulfilled(node.phase)) return;
    this.nodes.set(node.id, node);
    if (podIP !== undefined && node.podIP !== podIP) {
      node.podIP = podIP;
      this.exec.touch(node);
    }
    if (node.daemoned && node.phase === 'Running') return;
    node.phase = 'Running';
    node.daemoned = true;
    this.exec.touch(node);
    this.exec.settle(node);
  }

  /** A node found daemoned in the status of a run picked up again. */
  adopt(node: NodeStatus): void {
    if (node.daemoned && !isFulfilled(node.phase)) this.nodes.set(node.id, node);
  }

  /** Called when any node is fulfilled: it is no daemon any more, and if it is a scope, its daemons end. */
  ended(node: NodeStatus): void {
    if (node.daemoned) {
      delete node.daemoned;
      this.nodes.delete(node.id);
    }
    if (this.nodes.size > 0 && (node.type === 'Steps' || node.type === 'DAG')) this.endScope(node.id);
  }

  /** Kills the daemons whose boundary is `boundaryId` (every daemon of the run when undefined); their nodes Succeed. */
  endScope(boundaryId: string | undefined): void {
    for (const node of [...this.nodes.values()]) {
      if (boundaryId !== undefined && node.boundaryID !== boundaryId) continue;
      this.nodes.delete(node.id);
      if (node.type === 'Pod') this.exec.pods.release(node.id, 'daemon scope ended');
      this.exec.markPhase(node, 'Succeeded');
    }
  }
}
