import type { NodeStatus } from '../engine/workflow-status.js';
import { UsageError } from './cli-io.js';

/** A node's field as `--node-field-selector` names it (Argo's names), or undefined. */
function fieldOf(node: NodeStatus, field: string): string | undefined {
  switch (field) {
    case 'id':
      return node.id;
    case 'name':
      return node.name;
    case 'displayName':
      return node.displayName;
    case 'templateName':
      return node.templateName;
    case 'phase':
      return node.phase;
    case 'type':
      return node.type;
    case 'boundaryID':
      return node.boundaryID;
    case 'templateRef.name':
      return node.templateRef?.name;
    case 'templateRef.template':
      return node.templateRef?.template;
  }
  const parameter = /^inputs\.parameters\.([^.]+)\.value$/.exec(field);
  if (parameter) {
    const value = node.inputs?.parameters?.find((p) => p.name === parameter[1])?.value;
    return value === undefined || value === null ? undefined : String(value);
  }
  throw new UsageError(
    `--node-field-selector: unknown field "${field}" (id, name, displayName, templateName, phase, type, boundaryID, templateRef.name, templateRef.template, inputs.parameters.NAME.value)`,
  );
}

/**
 * Argo's `--node-field-selector` (argo get, argo retry): comma-separated `field=value`,
 * `field==value` or `field!=value`, all of which a node must meet.
 *
 * @example parseNodeFieldSelector('templateName=build,phase!=Succeeded')(node)
 */
export function parseNodeFieldSelector(text: string): (node: NodeStatus) => boolean {
  const tests = text
    .split(',')
    .filter((part) => part.trim() !== '')
    .map((part) => {
      const match = /^\s*([\w.]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(part);
      if (!match) throw new UsageError(`--node-field-selector ${text}: expected FIELD=VALUE or FIELD!=VALUE, got "${part}"`);
      const [, field, op, value] = match as unknown as [string, string, string, string];
      // An unknown field is a usage error now, not a silent empty tree later.
      fieldOf({ id: '', name: '', displayName: '', phase: 'Pending', type: 'Pod' } as NodeStatus, field);
      return (node: NodeStatus): boolean => (fieldOf(node, field) === value) === (op !== '!=');
    });
  return (node) => tests.every((t) => t(node));
}
