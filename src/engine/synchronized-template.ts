import type { Template } from '../spec/model/workflow.js';
import type { ExecRequest, Execution } from './execution.js';
import { newNodeFields } from './open-template-node.js';
import { type Synchronization, synchronizationLocks } from './synchronization-locks.js';
import type { NodeInputs, NodeStatus, NodeType } from './workflow-status.js';

/** How a template runs once its locks are held, given its node (made here while it waited). */
export type Proceed = (node: NodeStatus | undefined) => NodeStatus;

/**
 * Runs a template that has `synchronization` only once its node holds every lock it names (Argo's
 * executeTemplate with TryAcquire): until then its node waits, Pending, with Argo's "Waiting for
 * <lock> lock. Lock status: <free>/<limit>" message; a shutdown fails it. The node's locks are
 * held for all of it, every retry attempt and every step or task below it, and go when it is
 * fulfilled (see LockTracker.ended). A lock that cannot be named (no ConfigMap for a semaphore's
 * limit) makes the node an Error, as in Argo.
 */
export function synchronizeTemplate(
  exec: Execution,
  req: ExecRequest,
  template: Template,
  nodeType: NodeType,
  templateName: string,
  inputs: NodeInputs,
  existing: NodeStatus | undefined,
  fail: (message: string) => NodeStatus,
  proceed: Proceed,
): NodeStatus {
  const found = synchronizationLocks(template.synchronization as Synchronization, String(exec.workflow.metadata?.namespace ?? 'default'), exec.configMaps);
  if ('error' in found) return fail(found.error);
  const node = existing ?? exec.createNode(req.nodeName, nodeType, req.boundaryId, newNodeFields(req, templateName, 'Pending'));
  if (!existing && (inputs.parameters || inputs.artifacts)) node.inputs = inputs;
  exec.watch(node, req.owner);
  const holder = exec.locks.holderOf(node.id);
  let result = node;
  exec.waiters.set(node.id, () => {
    exec.locks.release(holder);
    exec.markPhase(node, 'Failed', exec.shutdown?.message ?? 'stopped');
  });
  exec.locks.request(
    holder,
    found.locks,
    () => {
      exec.waiters.delete(node.id);
      // A pod's node stays Pending until its pod starts; any other node runs from now on.
      if (node.phase === 'Pending' && nodeType !== 'Pod' && nodeType !== 'HTTP') exec.markPhase(node, 'Running');
      result = proceed(node);
    },
    node,
  );
  return result;
}

/** The type of the node a template makes, known before it runs (the node that waits has it). */
export function nodeTypeOf(template: Template, type: string | undefined, retried: boolean): NodeType {
  if (retried) return 'Retry';
  if (type === 'steps') return 'Steps';
  if (type === 'dag') return 'DAG';
  if (type === 'suspend') return 'Suspend';
  return template.http ? 'HTTP' : 'Pod';
}
