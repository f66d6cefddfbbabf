import type { Template } from '../spec/model/workflow.js';
import { templateTypeOf } from '../spec/template-type.js';
import type { ExecRequest, Execution, Frame } from './execution.js';
import { recordGlobalOutputs } from './global-outputs.js';
import { parseMaxAge } from './memoization-caches.js';
import { newNodeFields } from './open-template-node.js';
import type { NodeInputs, NodeStatus, NodeType } from './workflow-status.js';

type MemoizationStatus = NonNullable<NodeStatus['memoizationStatus']>;

/**
 * What memoization makes of a template about to run: nothing (`undefined`: not memoized), a
 * finished node (a cache hit, its outputs the cached ones), an error for the node, or a miss:
 * the template runs with `req`, which marks the node it makes with its memoization status and
 * wraps its owner so the node's outputs are saved to the cache when it succeeds.
 */
export type MemoizeOutcome = { node: NodeStatus } | { error: string } | { req: ExecRequest } | undefined;

/**
 * Argo's memoization (`memoize: {key, maxAge, cache: {configMap: {name}}}`) for a template
 * whose variables are substituted: looks `key` up in the cache and either finishes the node
 * from the entry, with `memoizationStatus.hit`, or lets it run and saves its outputs when it
 * succeeds. Any template type is memoized (pods, steps, DAGs, http); with a retry strategy the
 * Retry node is, not each attempt. The cache is decided once per node: a node that exists (a run
 * picked up after a restart) keeps the decision it recorded.
 */
export function memoizeTemplate(
  exec: Execution,
  req: ExecRequest,
  template: Template,
  templateName: string,
  inputs: NodeInputs,
  existing: NodeStatus | undefined,
): MemoizeOutcome {
  const memoize = template.memoize;
  if (!memoize || req.attempt) return undefined;
  if (existing) {
    const recorded = existing.memoizationStatus;
    return recorded && !recorded.hit ? { req: { ...req, owner: new CacheSaver(exec, req.owner, recorded) } } : undefined;
  }
  const cacheName = memoize.cache?.configMap?.name;
  if (typeof cacheName !== 'string' || cacheName === '')
    return { error: 'memoize.cache.configMap.name is not set: a memoized template names the ConfigMap its cache is kept in' };
  const key = memoize.key === undefined || memoize.key === null ? '' : String(memoize.key);
  const maxAge = parseMaxAge(memoize.maxAge);
  if ('error' in maxAge) return maxAge;
  const found = exec.memoization.lookup(cacheName, key, maxAge.ms, exec.now);
  if ('error' in found) return found;
  if (found.hit) return { node: hitNode(exec, req, template, templateName, inputs, { hit: true, key, cacheName }, found.outputs) };
  const status: MemoizationStatus = { hit: false, key, cacheName };
  return { req: { ...req, owner: new CacheSaver(exec, req.owner, status), memoizationStatus: status } };
}

/** The node of a cache hit: finished at once, of the type the template would have made, with the cached outputs. */
function hitNode(
  exec: Execution,
  req: ExecRequest,
  template: Template,
  templateName: string,
  inputs: NodeInputs,
  status: MemoizationStatus,
  outputs: NodeStatus['outputs'],
): NodeStatus {
  const node = exec.createNode(req.nodeName, nodeTypeOf(template), req.boundaryId, {
    ...newNodeFields(req, templateName, 'Succeeded'),
    memoizationStatus: status,
  });
  if (inputs.parameters || inputs.artifacts) node.inputs = inputs;
  if (outputs) {
    node.outputs = outputs;
    recordGlobalOutputs(exec, outputs);
  }
  exec.watch(node, req.owner);
  return node;
}

function nodeTypeOf(template: Template): NodeType {
  switch (templateTypeOf(template)) {
    case 'steps':
      return 'Steps';
    case 'dag':
      return 'DAG';
    case 'suspend':
      return 'Suspend';
    case 'http':
      return 'HTTP';
    default:
      return 'Pod';
  }
}

/**
 * Stands between a memoized node and its owner: when the node succeeds, its outputs go to the
 * cache (a `save-cache` action for the driver) and to the run's own view of the cache, then the
 * owner hears of it as it would have.
 */
class CacheSaver implements Frame {
  constructor(
    private readonly exec: Execution,
    private readonly owner: Frame,
    private readonly status: MemoizationStatus,
  ) {}

  childSettled(node: NodeStatus): void {
    const { exec, status } = this;
    if (node.phase === 'Succeeded') {
      const savedAt = node.finishedAt ?? exec.nowIso;
      exec.memoization.record(status.cacheName, status.key, node.outputs, Date.parse(savedAt));
      exec.actions.push({
        type: 'save-cache',
        namespace: exec.memoization.namespace,
        cache: status.cacheName,
        key: status.key,
        entry: { nodeID: node.id, outputs: node.outputs ?? null, creationTimestamp: savedAt, lastHitTimestamp: savedAt },
      });
    }
    this.owner.childSettled(node);
  }
}
