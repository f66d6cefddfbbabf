import type { DagTask } from '../spec/model/workflow.js';
import type { DagFrame } from './dag-frame.js';
import type { Frame } from './execution.js';
import type { LoopIteration } from './loop-items.js';
import { decideWhen } from './invocation-decisions.js';
import { isFailedOrError, type NodePhase, type NodeStatus } from './workflow-status.js';

/** The iterations of a looped DAG task, under a TaskGroup node. */
export class TaskGroupFrame implements Frame {
  private pending = 0;
  private readonly slots = new Set<string>();

  constructor(
    private readonly dag: DagFrame,
    private readonly group: NodeStatus,
    private readonly taskName: string,
    private readonly iterations: LoopIteration<DagTask>[],
  ) {}

  start(): void {
    const { exec } = this.dag;
    const seen = new Set<string>();
    for (const iteration of this.iterations) {
      const name = `${this.dag.node.name}.${iteration.name}`;
      seen.add(name);
      this.pending++;
      const existing = exec.nodeByName(name);
      if (!existing && iteration.invocation.when) {
        const decided = decideWhen(iteration.invocation.when);
        if (decided !== true) {
          const node = exec.createNode(name, 'Skipped', this.dag.node.id, {
            phase: decided === false ? 'Skipped' : 'Error',
            message: decided === false ? `when '${iteration.invocation.when}' evaluated false` : decided,
            templateName: iteration.invocation.template ?? '',
          });
          exec.addChild(this.group, node.id);
          exec.watch(node, this);
          continue;
        }
      }
      const run = (): void => {
        const child = this.dag.execute(name, iteration.invocation, this.taskName, this);
        this.slots.add(child.id);
        if (!existing) exec.addChild(this.group, child.id);
      };
      this.dag.launch(run, existing !== undefined);
    }
    if (this.pending === 0) this.finish();
  }

  childSettled(child: NodeStatus): void {
    if (this.slots.delete(child.id)) this.dag.release();
    if (--this.pending === 0) this.finish();
  }

  private finish(): void {
    let phase: NodePhase = 'Succeeded';
    for (const id of this.group.children ?? []) {
      const child = this.dag.exec.node(id);
      if (child && isFailedOrError(child.phase)) phase = child.phase;
    }
    this.dag.exec.markPhase(this.group, phase);
  }
}
