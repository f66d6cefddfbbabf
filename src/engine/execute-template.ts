import type { Template } from '../spec/model/workflow.js';
import { templateTypeOf } from '../spec/template-type.js';
import { openContainerNodes } from './container-nodes.js';
import { parseDuration } from './durations.js';
import type { ExecRequest, Execution } from './execution.js';
import { DagFrame } from './dag-frame.js';
import type { PodRequest } from './engine-events.js';
import { memoizeTemplate } from './memoize-template.js';
import { podName } from './node-naming.js';
import { newNodeFields } from './open-template-node.js';
import { RetryFrame } from './retry-frame.js';
import { StepsFrame } from './steps-frame.js';
import { nodeTypeOf, synchronizeTemplate } from './synchronized-template.js';
import { processTemplate } from './template-arguments.js';
import { substituteValue } from './variable-scope.js';
import { isFulfilled, type NodeInputs, type NodePhase, type NodeStatus } from './workflow-status.js';

/**
 * Runs a template as node `req.nodeName` (Argo's executeTemplate): resolves it, binds its
 * inputs, wraps it in a Retry node when it has a retry strategy, and starts a pod, a suspend,
 * or a steps/DAG frame. A node that already exists is adopted rather than created, which is
 * how a run continues after a restart. Never throws: whatever cannot be resolved becomes an
 * Error node with the reason as its message.
 */
export function executeTemplate(exec: Execution, req: ExecRequest): NodeStatus {
  const existing = exec.nodeByName(req.nodeName);
  if (existing && isFulfilled(existing.phase)) {
    exec.watch(existing, req.owner);
    return existing;
  }
  const resolved = exec.catalog.resolve(req.holder, req.scope);
  if ('error' in resolved) return failNode(exec, req, existing, 'Error', resolved.error);
  if (req.depth > exec.maxDepth) return failNode(exec, req, existing, 'Error', `maximum recursion depth exceeded (${exec.maxDepth} nested templates)`);
  if (!existing && !exec.mayStart(req.onExit)) return failNode(exec, req, existing, 'Failed', exec.shutdown!.message);

  const template = resolved.template;
  const type = templateTypeOf(template);
  const isPod = type !== undefined && type !== 'steps' && type !== 'dag' && type !== 'suspend';
  const strategy = req.attempt ? undefined : (template.retryStrategy ?? exec.spec.retryStrategy);
  const templateName = nodeTemplateName(req, template);

  const local: Record<string, string> = { ...(req.local ?? {}), 'node.name': req.nodeName };
  if (isPod && !strategy) local['pod.name'] = podName(exec.name, req.nodeName, templateName);
  if (req.attempt) {
    const last = req.attempt.last;
    local.retries = String(req.attempt.index);
    local['lastRetry.exitCode'] = last?.outputs?.exitCode ?? '0';
    local['lastRetry.status'] = last?.phase ?? '';
    local['lastRetry.duration'] = last ? String(durationSeconds(last)) : '0';
    local['lastRetry.message'] = last?.message ?? '';
  }
  const processed = processTemplate(template, req.args, exec.globals, local, {
    configMaps: exec.configMaps,
    ...(existing?.inputs ? { recorded: existing.inputs } : {}),
  });
  if ('error' in processed) return failNode(exec, req, existing, 'Error', processed.error);
  const memoized = memoizeTemplate(exec, req, processed.template, templateName, processed.inputs, existing);
  if (memoized && 'node' in memoized) return memoized.node;
  if (memoized && 'error' in memoized) return failNode(exec, req, existing, 'Error', memoized.error);
  if (memoized) req = memoized.req;

  // Runs the template as the node `node` (the one a restart finds, or the one that waited for its locks), or a new one.
  const proceed = (node: NodeStatus | undefined): NodeStatus => {
    if (strategy) return new RetryFrame(exec, req, strategy, templateName, node).start();
    switch (type) {
      case 'steps':
        return new StepsFrame(exec, req, processed.template, processed.scope, resolved.scope, templateName, processed.inputs, node).start();
      case 'dag':
        return new DagFrame(exec, req, processed.template, processed.scope, resolved.scope, templateName, processed.inputs, node).start();
      case 'suspend':
        return startSuspend(exec, req, processed.template, processed.inputs, templateName, node);
      case undefined:
        return failNode(exec, req, node, 'Error', `template "${template.name}" has no type (container, script, steps, dag, ...)`);
      default:
        return startPod(exec, req, processed.template, processed.inputs, templateName, node);
    }
  };
  // The locks are the whole node's (a Retry node's, not each attempt's).
  if (processed.template.synchronization && type !== undefined && !req.attempt) {
    const fail = (message: string) => failNode(exec, req, existing, 'Error', message);
    return synchronizeTemplate(
      exec,
      req,
      processed.template,
      nodeTypeOf(processed.template, type, strategy !== undefined),
      templateName,
      processed.inputs,
      existing,
      fail,
      proceed,
    );
  }
  return proceed(existing);
}

function nodeTemplateName(req: ExecRequest, template: Template): string {
  return req.holder.template ?? req.holder.templateRef?.template ?? template.name ?? '';
}

function setInputs(node: NodeStatus, inputs: NodeInputs): void {
  if (inputs.parameters || inputs.artifacts) node.inputs = inputs;
}

/** A node that could not run: Argo records it as a Skipped-type node in Error (or Failed on shutdown). */
export function failNode(exec: Execution, req: ExecRequest, existing: NodeStatus | undefined, phase: 'Error' | 'Failed', message: string): NodeStatus {
  const node =
    existing ??
    exec.createNode(req.nodeName, 'Skipped', req.boundaryId, {
      ...newNodeFields(req, req.holder.template ?? req.holder.templateRef?.template ?? '', phase),
      message,
    });
  if (existing) exec.markPhase(existing, phase, message);
  exec.watch(node, req.owner);
  return node;
}

function startPod(
  exec: Execution,
  req: ExecRequest,
  template: Template,
  inputs: NodeInputs,
  templateName: string,
  existing: NodeStatus | undefined,
): NodeStatus {
  // An http template runs no pod (Argo's agent makes the request): its node is of type HTTP.
  const node = existing ?? exec.createNode(req.nodeName, template.http ? 'HTTP' : 'Pod', req.boundaryId, newNodeFields(req, templateName, 'Pending'));
  if (!existing) setInputs(node, inputs);
  exec.watch(node, req.owner);
  const seconds = parseDuration(template.activeDeadlineSeconds) ?? parseDuration(template.timeout);
  const startedAt = Date.parse(node.startedAt ?? exec.nowIso);
  const deadlineAt = seconds !== undefined ? startedAt + seconds : undefined;
  const pending = parseDuration(template.pendingTimeout);
  openContainerNodes(exec, node, template);
  const request: PodRequest = {
    workflowName: exec.name,
    workflowNamespace: exec.namespace,
    nodeId: node.id,
    nodeName: node.name,
    podName: exec.podNameOf(node, templateName),
    template,
    inputs,
    ...(req.volumes ? { volumes: req.volumes } : {}),
  };
  const workflowPatch = exec.spec.podSpecPatch;
  if (typeof workflowPatch === 'string' && workflowPatch.trim() !== '') {
    request.workflowPodSpecPatch = substituteValue(workflowPatch, exec.globals, false).value;
  }
  if (typeof exec.spec.archiveLogs === 'boolean') request.workflowArchiveLogs = exec.spec.archiveLogs;
  // The node was in the status already: a driver before this one asked for its pod.
  if (existing?.startedAt) request.askedBefore = existing.startedAt;
  exec.pods.add(node, request, deadlineAt, pending !== undefined ? startedAt + pending : undefined);
  return node;
}

function startSuspend(
  exec: Execution,
  req: ExecRequest,
  template: Template,
  inputs: NodeInputs,
  templateName: string,
  existing: NodeStatus | undefined,
): NodeStatus {
  const node = existing ?? exec.createNode(req.nodeName, 'Suspend', req.boundaryId, newNodeFields(req, templateName, 'Running'));
  if (!existing) setInputs(node, inputs);
  exec.watch(node, req.owner);
  const finish = (phase: NodePhase, message: string, supplied?: Record<string, string>) => {
    exec.resumers.delete(node.id);
    exec.waiters.delete(node.id);
    exec.cancelTimer(`suspend:${node.id}`);
    const parameters = (template.outputs?.parameters ?? []).flatMap((p) => {
      const value =
        supplied?.[p.name] ?? (p.valueFrom?.default !== undefined ? String(p.valueFrom.default) : p.value !== undefined ? String(p.value) : undefined);
      return value === undefined ? [] : [{ name: p.name, value, ...(p.globalName ? { globalName: p.globalName } : {}) }];
    });
    if (parameters.length > 0) node.outputs = { parameters };
    exec.markPhase(node, phase, message);
  };
  exec.resumers.set(node.id, (supplied) => finish('Succeeded', '', supplied));
  exec.waiters.set(node.id, () => finish('Failed', exec.shutdown?.message ?? 'stopped'));
  const duration = template.suspend?.duration;
  if (duration !== undefined && duration !== '') {
    const ms = parseDuration(duration);
    if (ms === undefined) finish('Error', `suspend duration "${duration}" is neither seconds nor a duration such as "20s"`);
    else exec.addTimer(Date.parse(node.startedAt ?? exec.nowIso) + ms, `suspend:${node.id}`, () => finish('Succeeded', ''));
  }
  return node;
}

function durationSeconds(node: NodeStatus): number {
  if (!node.startedAt || !node.finishedAt) return 0;
  return (Date.parse(node.finishedAt) - Date.parse(node.startedAt)) / 1000;
}
