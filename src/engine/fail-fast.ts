import type { Execution } from './execution.js';
import { isFailedOrError, isFulfilled, type NodeStatus, type NodeType } from './workflow-status.js';

/** The message Argo gives a template (and its last step group) that failFast ended. */
export const FAIL_FAST_MESSAGE = 'template has failed or errored children and failFast enabled';

// Argo counts these node types only: a Skipped-type node in Error (a step whose arguments did not
// resolve), a Suspend or an HTTP node that failed does not trip failFast.
const COUNTED: ReadonlySet<NodeType> = new Set<NodeType>(['Pod', 'Steps', 'DAG']);

/**
 * A steps or DAG template with `failFast: true` (Argo's checkParallelism in
 * workflow/controller/operator.go). Once a pod, steps or DAG node in the template's boundary
 * has Failed or Errored (a retry attempt too, and whatever its `continueOn` says), the template
 * starts no new node: no later step, loop iteration, DAG task, exit hook or retry attempt. Pods
 * already running are not killed; when the last of them has ended, the template fails with
 * FAIL_FAST_MESSAGE, without waiting for children that run no pod of its own (a nested steps
 * template, a suspend). Without `failFast` (the default) none of this applies.
 *
 * The frame asks `tripped` before starting anything new; `fail` is how it ends itself.
 */
export class FailFast {
  tripped = false;
  /** Pod nodes of the boundary not yet ended; counted when the guard trips. */
  private activePods = 0;
  private failed = false;

  constructor(
    private readonly exec: Execution,
    private readonly node: NodeStatus,
    private readonly fail: (message: string) => void,
    /** The template's node was in the status already (a restart): its boundary may hold a failure. */
    adopted: boolean,
  ) {
    exec.boundaryListeners.set(node.id, (ended) => this.ended(ended));
    if (adopted && this.boundaryNodes().some((n) => COUNTED.has(n.type) && isFailedOrError(n.phase))) this.trip();
  }

  /** For a frame that picks its template up after a restart: ends it at once if it should have ended. */
  settleNow(): void {
    if (this.tripped && this.activePods <= 0) this.end();
  }

  private ended(node: NodeStatus): void {
    if (this.failed || isFulfilled(this.node.phase)) {
      this.exec.boundaryListeners.delete(this.node.id);
      return;
    }
    if (!this.tripped) {
      if (!COUNTED.has(node.type) || !isFailedOrError(node.phase)) return;
      this.trip();
    } else if (node.type === 'Pod') this.activePods--;
    if (this.activePods <= 0) this.end();
  }

  private trip(): void {
    this.tripped = true;
    this.exec.closedBoundaries.add(this.node.id);
    this.activePods = this.boundaryNodes().filter((n) => n.type === 'Pod' && !isFulfilled(n.phase)).length;
  }

  private end(): void {
    if (this.failed || isFulfilled(this.node.phase)) return;
    this.failed = true;
    this.exec.boundaryListeners.delete(this.node.id);
    this.fail(FAIL_FAST_MESSAGE);
  }

  // Once per trip (and once per restart): a template rarely has failFast, and after the trip no new node starts.
  private boundaryNodes(): NodeStatus[] {
    const out: NodeStatus[] = [];
    for (const id in this.exec.status.nodes) {
      const n = this.exec.status.nodes[id]!;
      if (n.boundaryID === this.node.id) out.push(n);
    }
    return out;
  }
}
