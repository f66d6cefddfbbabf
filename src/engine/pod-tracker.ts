import type { Outputs, Parameter, Template } from '../spec/model/workflow.js';
import { containerSetFailure, settleContainerNodes, startContainerNodes } from './container-nodes.js';
import type { ContainerOutcome, PodOutputs, PodRequest } from './engine-events.js';
import type { Execution } from './execution.js';
import type { NodeStatus } from './workflow-status.js';
import { recordGlobalOutputs } from './global-outputs.js';
import { httpOutcome } from './http-outcome.js';

interface ActivePod {
  node: NodeStatus;
  request: PodRequest;
  /** run-pod was sent (it waits for a slot under the workflow's parallelism otherwise). */
  sent: boolean;
  /** Deadlines that wait with the pod: they run from when the pod is sent (see add). */
  held?: { since: number; deadlineAt: number | undefined; pendingAt: number | undefined };
}

/**
 * The pods of a run that have not finished: sends `run-pod` under the workflow's
 * `parallelism`, turns `pod-finished` into the node's outputs and phase, enforces pod
 * deadlines, and kills everything on shutdown. All operations are O(1) per pod.
 */
export class PodTracker {
  private readonly active = new Map<string, ActivePod>();
  private readonly waiting: ActivePod[] = [];
  private waitingHead = 0;
  private sent = 0;

  constructor(
    private readonly exec: Execution,
    private readonly parallelism: number | undefined,
  ) {}

  get size(): number {
    return this.active.size;
  }

  has(nodeId: string): boolean {
    return this.active.has(nodeId);
  }

  /**
   * Registers a pod node; sends it to the runtime now or when a slot frees. `deadlineAt` ends the
   * pod whatever it does (activeDeadlineSeconds, timeout); `pendingAt` only if it has not started
   * by then (pendingTimeout), with Argo's message "timeout".
   */
  add(node: NodeStatus, request: PodRequest, deadlineAt: number | undefined, pendingAt?: number): void {
    const pod: ActivePod = { node, request, sent: false };
    this.active.set(node.id, pod);
    if (node.daemoned) this.exec.daemons.adopt(node);
    const free = this.parallelism === undefined || this.parallelism <= 0 || this.sent < this.parallelism;
    // Argo creates no node while the workflow's parallelism is reached, so a template's timeout
    // starts when the pod can start: a pod held back here gets its deadline moved by the wait.
    if (free) this.setDeadlines(pod, deadlineAt, pendingAt);
    else if (deadlineAt !== undefined || pendingAt !== undefined) pod.held = { since: this.exec.now, deadlineAt, pendingAt };
    if (free) this.send(pod);
    else this.waiting.push(pod);
  }

  private setDeadlines(pod: ActivePod, deadlineAt: number | undefined, pendingAt: number | undefined): void {
    const { node } = pod;
    if (deadlineAt !== undefined) {
      pod.request.deadline = new Date(deadlineAt).toISOString();
      this.exec.addTimer(deadlineAt, `deadline:${node.id}`, () => this.expire(node.id, 'Pod was active on the node longer than the specified deadline'));
    }
    if (pendingAt !== undefined) {
      this.exec.addTimer(pendingAt, `pending:${node.id}`, () => {
        if (node.phase === 'Pending') this.expire(node.id, 'timeout');
      });
    }
  }

  private send(pod: ActivePod): void {
    const held = pod.held;
    if (held) {
      const waited = this.exec.now - held.since;
      this.setDeadlines(
        pod,
        held.deadlineAt === undefined ? undefined : held.deadlineAt + waited,
        held.pendingAt === undefined ? undefined : held.pendingAt + waited,
      );
    }
    pod.sent = true;
    this.sent++;
    this.exec.actions.push({ type: 'run-pod', pod: pod.request });
  }

  private remove(nodeId: string): ActivePod | undefined {
    const pod = this.active.get(nodeId);
    if (!pod) return undefined;
    this.active.delete(nodeId);
    this.exec.cancelTimer(`deadline:${nodeId}`);
    this.exec.cancelTimer(`pending:${nodeId}`);
    if (pod.sent) {
      this.sent--;
      while (this.waitingHead < this.waiting.length && (this.parallelism === undefined || this.sent < this.parallelism)) {
        const next = this.waiting[this.waitingHead++]!;
        if (this.active.get(next.node.id) === next) this.send(next);
      }
      if (this.waitingHead > 1024 && this.waitingHead * 2 > this.waiting.length) {
        this.waiting.splice(0, this.waitingHead);
        this.waitingHead = 0;
      }
    }
    return pod;
  }

  started(nodeId: string, hostNodeName: string | undefined, restarted = false): void {
    const pod = this.active.get(nodeId);
    if (!pod) return;
    if (restarted) {
      // Its earlier run was lost with the driver: the node's time is this run's only.
      pod.node.startedAt = this.exec.nowIso;
      this.exec.touch(pod.node);
    }
    if (hostNodeName !== undefined && pod.node.hostNodeName !== hostNodeName) {
      pod.node.hostNodeName = hostNodeName;
      this.exec.touch(pod.node);
    }
    // As Argo, a daemon's node stays Pending until the pod is ready too (`ready`).
    if (pod.node.phase === 'Pending' && pod.request.template.daemon !== true) {
      pod.node.phase = 'Running';
      this.exec.touch(pod.node);
      startContainerNodes(this.exec, pod.node, pod.request.template);
    }
  }

  /** A pod is running and ready: a daemon's node becomes daemoned; other pods need nothing more. */
  ready(nodeId: string, podIP: string | undefined): void {
    const pod = this.active.get(nodeId);
    if (pod && pod.request.template.daemon === true) this.exec.daemons.daemoned(pod.node, podIP);
  }

  finished(
    nodeId: string,
    exitCode: number,
    reported: PodOutputs | undefined,
    message: string | undefined,
    containers?: ContainerOutcome[],
    finishedAt?: string,
  ): void {
    const pod = this.remove(nodeId);
    if (!pod) return; // late or repeated report: the node already has its outcome
    const { node, request } = pod;
    // An end found recorded after a restart: it ended then, not when it was found.
    if (finishedAt !== undefined && !node.finishedAt) node.finishedAt = finishedAt;
    const template = request.template;
    if (template.http) {
      const http = httpOutcome(exitCode, reported, message, this.exec.resultLimit);
      if (http.outputs) node.outputs = http.outputs;
      return this.exec.markPhase(node, http.phase, http.message);
    }
    const outputs: Outputs = {};
    let failure: string | undefined;
    const parameters: Parameter[] = [];
    for (const declared of template.outputs?.parameters ?? []) {
      // A parameter given as `value` (substituted with the template) is the output as it stands, as in Argo.
      const given = declared.valueFrom === undefined ? stringOf(declared.value) : undefined;
      const value = reported?.parameters?.find((p) => p.name === declared.name)?.value ?? given ?? stringOf(declared.valueFrom?.default);
      if (value === undefined) {
        failure ??= `output parameter "${declared.name}" has no value and no default`;
        continue;
      }
      const out: Parameter = { name: declared.name, value };
      if (declared.globalName) out.globalName = declared.globalName;
      parameters.push(out);
    }
    if (parameters.length > 0) outputs.parameters = parameters;
    const artifacts = (template.outputs?.artifacts ?? []).map((declared) => ({
      ...declared,
      ...(reported?.artifacts?.find((a) => a.name === declared.name) ?? {}),
    }));
    // Archived logs (`main-logs`, a containerSet's `<container>-logs`) are outputs no template declares: after the declared ones, as Argo lists them.
    const declaredNames = new Set(artifacts.map((a) => a.name));
    for (const a of reported?.artifacts ?? []) if (!declaredNames.has(a.name) && a.name.endsWith('-logs')) artifacts.push(a);
    if (artifacts.length > 0) outputs.artifacts = artifacts;
    let result = reported?.result;
    if (result === undefined && template.script) result = '';
    if (result !== undefined) {
      // Argo's executor trims the trailing newline of stdout; we also cap what we keep.
      result = result.replace(/\r?\n$/, '');
      if (result.length > this.exec.resultLimit) result = result.slice(0, this.exec.resultLimit);
      outputs.result = result;
    }
    outputs.exitCode = String(exitCode);
    node.outputs = outputs;
    recordGlobalOutputs(this.exec, outputs);
    // A containerSet fails when any of its containers does, whatever main's exit code.
    const containerFailure = containerSetFailure(containers);
    settleContainerNodes(this.exec, node, template, containers, 'Failed', message);
    if (template.daemon === true) {
      // A daemon runs until its scope ends and it is killed; ending on its own, even with 0, is a failure (as Argo).
      const what = node.daemoned ? 'daemon stopped while the steps after it were still running' : 'daemon exited before it was ready';
      this.exec.markPhase(node, 'Failed', message ? `${what}: ${message}` : `${what} (exit code ${exitCode})`);
    } else if (containerFailure) this.exec.markPhase(node, 'Failed', message ? `${containerFailure}; ${message}` : containerFailure);
    else if (exitCode !== 0) this.exec.markPhase(node, 'Failed', message ?? `Error (exit code ${exitCode})`);
    else if (failure) this.exec.markPhase(node, 'Failed', failure);
    else this.exec.markPhase(node, 'Succeeded', message ?? '');
  }

  lost(nodeId: string, message: string): void {
    const pod = this.remove(nodeId);
    if (!pod) return;
    settleContainerNodes(this.exec, pod.node, pod.request.template, undefined, 'Error', message);
    this.exec.markPhase(pod.node, 'Error', message);
  }

  private expire(nodeId: string, message: string): void {
    const pod = this.remove(nodeId);
    if (!pod) return;
    if (pod.sent) this.exec.actions.push({ type: 'kill-pod', nodeId, podName: pod.request.podName, reason: 'deadline' });
    settleContainerNodes(this.exec, pod.node, pod.request.template, undefined, 'Failed', message);
    this.exec.markPhase(pod.node, 'Failed', message);
  }

  /** Stops a pod without deciding its node's phase (a daemon whose scope ended: the caller does). */
  release(nodeId: string, reason: string): void {
    const pod = this.remove(nodeId);
    if (pod?.sent) this.exec.actions.push({ type: 'kill-pod', nodeId, podName: pod.request.podName, reason });
  }

  /**
   * Fails every unfinished pod with `message` and asks the runtime to kill the ones it runs.
   * Daemons that are ready are left to end with their scope (as Argo's shutdown leaves fulfilled nodes).
   */
  killAll(message: string): void {
    for (const [nodeId, active] of [...this.active]) {
      if (active.node.daemoned) continue;
      const pod = this.remove(nodeId)!;
      if (pod.sent) this.exec.actions.push({ type: 'kill-pod', nodeId, podName: pod.request.podName, reason: message });
      settleContainerNodes(this.exec, pod.node, pod.request.template, undefined, 'Failed', message);
      this.exec.markPhase(pod.node, 'Failed', message);
    }
  }

  /** Pods the runtime should be running, to resend after a restart. */
  templateOf(nodeId: string): Template | undefined {
    return this.active.get(nodeId)?.request.template;
  }
}

function stringOf(value: unknown): string | undefined {
  return value === undefined || value === null ? undefined : String(value);
}
