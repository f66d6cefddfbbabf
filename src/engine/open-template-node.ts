import type { ExecRequest, Execution } from './execution.js';
import type { NodeInputs, NodePhase, NodeStatus, NodeType } from './workflow-status.js';

/** The fields every node made for a template invocation starts with. */
export function newNodeFields(req: ExecRequest, templateName: string, phase: NodePhase): Parameters<Execution['createNode']>[3] {
  const fields: Parameters<Execution['createNode']>[3] = { phase, templateName };
  if (req.holder.templateRef) fields.templateRef = req.holder.templateRef;
  if (req.nodeFlag) fields.nodeFlag = req.nodeFlag;
  // Attempts under a memoized Retry node inherit its request; only the Retry node is memoized.
  if (req.memoizationStatus && !req.attempt) fields.memoizationStatus = req.memoizationStatus;
  return fields;
}

/**
 * The node of a steps, DAG or retry frame: the one the status already has (a run picked up after
 * a restart or a retry), or a new Running one with the invocation's inputs; watched by its owner.
 */
export function openTemplateNode(
  exec: Execution,
  req: ExecRequest,
  type: NodeType,
  templateName: string,
  inputs: NodeInputs | undefined,
  existing: NodeStatus | undefined,
): NodeStatus {
  const node = existing ?? exec.createNode(req.nodeName, type, req.boundaryId, newNodeFields(req, templateName, 'Running'));
  if (!existing && inputs && (inputs.parameters || inputs.artifacts)) node.inputs = inputs;
  exec.watch(node, req.owner);
  return node;
}
