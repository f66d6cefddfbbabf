/**
 * Node ids, display names and pod names as Argo makes them, so people and tools that know Argo
 * find their way: `Workflow.NodeID` (pkg/apis/workflow/v1alpha1/workflow_types.go),
 * `GeneratePodName` with POD_NAMES=v2 (workflow/util/pod_name.go) and the display-name rule of
 * `initializeNode` (workflow/controller/operator.go).
 */

/** 32-bit FNV-1a over the UTF-8 bytes of `text`, as Go's hash/fnv New32a. */
export function fnv32a(text: string): number {
  let hash = 0x811c9dc5;
  const bytes = Buffer.from(text, 'utf8');
  for (const byte of bytes) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/**
 * The id of the node called `nodeName` in workflow `workflowName`.
 *
 * @example nodeId('hello', 'hello[0].a') // 'hello-' + fnv32a('hello[0].a')
 */
export function nodeId(workflowName: string, nodeName: string): string {
  if (nodeName === workflowName) return workflowName;
  return `${workflowName}-${fnv32a(nodeName)}`;
}

// Kubernetes names are at most 253 characters; Argo keeps 10 for the hash and a dash.
const MAX_POD_PREFIX = 253 - 10 - 1;

/**
 * The pod name of a pod node (v2 names: workflow, template, hash of the node name).
 *
 * @example podName('wf', 'wf[0].a', 'whalesay') // 'wf-whalesay-<fnv32a("wf[0].a")>'
 */
export function podName(workflowName: string, nodeName: string, templateName: string): string {
  if (workflowName === nodeName) return workflowName;
  let prefix = templateName ? `${workflowName}-${templateName}` : workflowName;
  if (prefix.length > MAX_POD_PREFIX) prefix = prefix.slice(0, MAX_POD_PREFIX);
  return `${prefix}-${fnv32a(nodeName)}`;
}

const SEPARATOR = /^(\[\d+\])?\./;

/** A node's display name: its name with its boundary's name and the step-group index removed. */
export function displayNameOf(nodeName: string, boundaryName: string | undefined): string {
  if (boundaryName === undefined || !nodeName.startsWith(boundaryName)) return nodeName;
  return nodeName.slice(boundaryName.length).replace(SEPARATOR, '');
}

/**
 * A loop iteration's name: `name(index:description)`, without parentheses in the description
 * (Argo's generateNodeName). Maps are described as sorted `key:value` pairs.
 */
export function loopNodeName(name: string, index: number, item: unknown): string {
  let description: string;
  if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
    description = Object.entries(item as Record<string, unknown>)
      .map(([k, v]) => `${k}:${goPrint(v)}`)
      .sort()
      .join(',');
  } else {
    description = goPrint(item);
  }
  return `${name}(${index}:${description.replace(/[()]/g, '')})`;
}

// fmt.Sprint of a JSON value as Go decodes it (maps print as map[k:v], lists as [a b]).
function goPrint(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (Array.isArray(value)) return `[${value.map(goPrint).join(' ')}]`;
  if (typeof value === 'object') {
    return `map[${Object.keys(value)
      .sort()
      .map((k) => `${k}:${goPrint((value as Record<string, unknown>)[k])}`)
      .join(' ')}]`;
  }
  return String(value);
}
