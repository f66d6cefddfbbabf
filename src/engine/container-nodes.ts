import type { Template } from '../spec/model/workflow.js';
import type { ContainerOutcome } from './engine-events.js';
import type { Execution } from './execution.js';
import { isFulfilled, type NodePhase, type NodeStatus } from './workflow-status.js';

/**
 * The `Container` nodes of a containerSet's pod node, as Argo shows them: one per container,
 * named `<pod node>.<container>`, inside the pod node's boundary, linked as the set's graph
 * (containers without dependencies under the pod node, the others under each dependency), so
 * people see which container of the pod did what. They follow the pod: Running when it starts,
 * then each container's own outcome when it ends.
 */

function containerNames(template: Template): string[] {
  return (template.containerSet?.containers ?? []).flatMap((c) => (typeof c?.name === 'string' ? [c.name] : []));
}

function containerNode(exec: Execution, pod: NodeStatus, name: string): NodeStatus | undefined {
  return exec.nodeByName(`${pod.name}.${name}`);
}

/** Creates the Container nodes of a pod node that runs `template`; adopts the ones that exist (after a restart). */
export function openContainerNodes(exec: Execution, pod: NodeStatus, template: Template): void {
  const containers = (template.containerSet?.containers ?? []).filter((c): c is typeof c & { name: string } => typeof c?.name === 'string');
  if (containers.length === 0) return;
  const created = new Map<string, NodeStatus>();
  for (const container of containers) {
    if (containerNode(exec, pod, container.name)) continue;
    const fields: Parameters<Execution['createNode']>[3] = { phase: 'Pending' };
    if (pod.templateName !== undefined) fields.templateName = pod.templateName;
    if (pod.templateRef !== undefined) fields.templateRef = pod.templateRef;
    if (pod.nodeFlag) fields.nodeFlag = pod.nodeFlag;
    created.set(container.name, exec.createNode(`${pod.name}.${container.name}`, 'Container', pod.id, fields));
  }
  for (const container of containers) {
    const node = created.get(container.name);
    if (!node) continue;
    const dependencies = container.dependencies ?? [];
    if (dependencies.length === 0) exec.addChild(pod, node.id);
    for (const dependency of dependencies) {
      const parent = containerNode(exec, pod, dependency);
      if (parent && !(parent.children ?? []).includes(node.id)) exec.addChild(parent, node.id);
    }
  }
}

/** The pod started: as in Argo, every container of the set runs (waiting on its dependencies counts). */
export function startContainerNodes(exec: Execution, pod: NodeStatus, template: Template): void {
  for (const name of containerNames(template)) {
    const node = containerNode(exec, pod, name);
    if (node && node.phase === 'Pending') {
      node.phase = 'Running';
      exec.touch(node);
    }
  }
}

/**
 * The pod ended: each Container node takes its container's outcome (exit code 0 Succeeded, a
 * container kept from running by a failed dependency Omitted, else Failed). Containers the pod
 * did not report on (it was killed, lost or timed out) take the pod's `phase` and `message`.
 */
export function settleContainerNodes(
  exec: Execution,
  pod: NodeStatus,
  template: Template,
  outcomes: ContainerOutcome[] | undefined,
  phase: NodePhase,
  message: string | undefined,
): void {
  for (const name of containerNames(template)) {
    const node = containerNode(exec, pod, name);
    if (!node || isFulfilled(node.phase)) continue;
    const outcome = outcomes?.find((o) => o.name === name);
    if (!outcome) {
      exec.markPhase(node, phase === 'Succeeded' ? 'Failed' : phase, message ?? 'the pod ended without saying how this container did');
      continue;
    }
    node.outputs = { exitCode: String(outcome.exitCode) };
    if (outcome.blockedBy !== undefined) exec.markPhase(node, 'Omitted', `not run: "${outcome.blockedBy}", which it depends on, failed`);
    else if (outcome.exitCode === 0) exec.markPhase(node, 'Succeeded', '');
    else exec.markPhase(node, 'Failed', outcome.message ?? `Error (exit code ${outcome.exitCode})`);
  }
}

/**
 * Why a containerSet's pod failed, naming the containers: those that failed (with exit code or
 * message) and those that never ran because of them. Undefined when every container succeeded.
 *
 * @example containerSetFailure([{ name: 'b', exitCode: 1 }, { name: 'd', exitCode: 1, blockedBy: 'b' }])
 *   // 'container "b" failed (exit code 1); "d" did not run: it depends on "b"'
 */
export function containerSetFailure(outcomes: ContainerOutcome[] | undefined): string | undefined {
  const failed = (outcomes ?? []).filter((o) => o.exitCode !== 0 && o.blockedBy === undefined);
  const blocked = (outcomes ?? []).filter((o) => o.blockedBy !== undefined);
  if (failed.length === 0 && blocked.length === 0) return undefined;
  const parts = failed.map((o) => `container "${o.name}" failed (${o.message ?? `exit code ${o.exitCode}`})`);
  for (const o of blocked) parts.push(`"${o.name}" did not run: it depends on "${o.blockedBy}"`);
  return parts.join('; ');
}
