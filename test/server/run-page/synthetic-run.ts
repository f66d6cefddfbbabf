import type { NodePhase, NodeStatus, WorkflowStatus } from '../../../src/engine/workflow-status.js';

/**
 * Statuses shaped as the engine writes them, built by hand for graph tests and the benchmark:
 * a Steps node with step groups, each holding steps (or a loop's iterations) that may be retried.
 */
export class SyntheticRun {
  readonly nodes: Record<string, NodeStatus> = {};
  private count = 0;

  constructor(readonly name: string) {
    this.add({ id: name, name, displayName: name, type: 'Steps', phase: 'Running', templateName: 'main' });
  }

  add(node: Omit<NodeStatus, 'id'> & { id?: string }): NodeStatus {
    const id = node.id ?? `${this.name}-${++this.count}`;
    const full = { ...node, id, startedAt: '2026-12-04T10:00:00Z' } as NodeStatus;
    this.nodes[id] = full;
    return full;
  }

  link(parent: NodeStatus, child: NodeStatus): void {
    parent.children = [...(parent.children ?? []), child.id];
  }

  /** A step group after `previous` (the run's node, or the steps of the group before), with `steps` in it; returns what the next group hangs off. */
  group(previous: NodeStatus[], index: number, steps: Array<{ name: string; phase?: NodePhase; retries?: number }>): NodeStatus[] {
    const group = this.add({ name: `${this.name}[${index}]`, displayName: `[${index}]`, type: 'StepGroup', phase: 'Succeeded', boundaryID: this.name });
    for (const p of previous) this.link(p, group);
    return steps.map((step) => {
      const name = `${this.name}[${index}].${step.name}`;
      if (!step.retries) {
        const pod = this.add({ name, displayName: step.name, type: 'Pod', phase: step.phase ?? 'Succeeded', boundaryID: this.name, templateName: 'work' });
        this.link(group, pod);
        return pod;
      }
      const retry = this.add({ name, displayName: step.name, type: 'Retry', phase: step.phase ?? 'Succeeded', boundaryID: this.name });
      this.link(group, retry);
      // What follows hangs off the last attempt (the Retry node's outbound node), as the engine links it.
      let lastPod = retry;
      for (let attempt = 0; attempt <= step.retries; attempt++) {
        const last = attempt === step.retries;
        const pod = this.add({
          name: `${name}(${attempt})`,
          displayName: `${step.name}(${attempt})`,
          type: 'Pod',
          phase: last ? (step.phase ?? 'Succeeded') : 'Failed',
          boundaryID: this.name,
          nodeFlag: { retried: true },
        });
        this.link(retry, pod);
        lastPod = pod;
      }
      return lastPod;
    });
  }

  /** A loop's iterations as one step group's steps: `name(0:item0)`, `name(1:item1)`, ... */
  loop(previous: NodeStatus[], index: number, name: string, items: number, phaseOf: (i: number) => NodePhase = () => 'Succeeded'): NodeStatus[] {
    return this.group(
      previous,
      index,
      Array.from({ length: items }, (_, i) => ({ name: `${name}(${i}:item${i})`, phase: phaseOf(i) })),
    );
  }

  status(phase: WorkflowStatus['phase'] = 'Running'): WorkflowStatus {
    return { phase, startedAt: '2026-12-04T10:00:00Z', nodes: this.nodes };
  }
}
