import { SHUTDOWN_MESSAGE_ANNOTATION } from '../spec/model/argo-labels.js';
import { parseDuration } from './durations.js';
import type { EngineEvent } from './engine-events.js';
import { executeTemplate } from './execute-template.js';
import type { Execution, Frame, Shutdown } from './execution.js';
import { type HookSite, hookErrors, openHookSite } from './lifecycle-hooks.js';
import { podName } from './node-naming.js';
import { LOCAL_SCOPE } from './template-catalog.js';
import { setWorkflowGlobals } from './workflow-globals.js';
import { waitForWorkflowLocks } from './workflow-locks.js';
import { isFailedOrError, isFulfilled, isWorkflowDone, type NodeStatus, type WorkflowPhase } from './workflow-status.js';

/** Starts a new run, or picks an existing one up where its status says it is. */
export function bootRun(exec: Execution): void {
  const { status, spec } = exec;
  if (isWorkflowDone(status.phase)) return;
  if (status.phase === 'Pending') {
    status.phase = 'Running';
    status.startedAt = exec.nowIso;
    delete status.message;
    delete status.finishedAt;
  }
  if (exec.specError) return finishRun(exec, 'Error', exec.specError);
  // Argo fails the run, before any node exists, when a global parameter has no value.
  const globalsError = setWorkflowGlobals(exec);
  if (globalsError !== undefined) return finishRun(exec, 'Failed', globalsError);
  // A run picked up with a shutdown already under way (stop or terminate, or a restart after one)
  // must start nothing new, but the pods it still runs are only known once its templates are
  // walked again: mark the shutdown first, and kill them after the walk.
  const message = exec.workflow.metadata?.annotations?.[SHUTDOWN_MESSAGE_ANNOTATION];
  const restored = spec.shutdown === 'Stop' || spec.shutdown === 'Terminate' ? shutdownOf(spec.shutdown, message) : undefined;
  if (
    waitForWorkflowLocks(
      exec,
      restored,
      () => bootRun(exec),
      (phase, message) => finishRun(exec, phase, message),
    )
  )
    return;
  if (restored) exec.shutdown = restored;
  const deadline = spec.activeDeadlineSeconds;
  if (deadline !== undefined && status.startedAt) {
    const ms = parseDuration(deadline);
    if (ms !== undefined)
      exec.addTimer(Date.parse(status.startedAt) + ms, 'workflow-deadline', () =>
        applyShutdown(exec, { message: 'Step exceeded its deadline', runExitHandlers: true }),
      );
  }
  const entrypoint = spec.entrypoint ?? '';
  const root = new RootFrame(exec);
  root.watchHooks(
    executeTemplate(exec, {
      nodeName: exec.name,
      boundaryId: undefined,
      holder: { template: entrypoint },
      args: spec.arguments,
      scope: LOCAL_SCOPE,
      owner: root,
      depth: 0,
      local: ROOT_LOCALS,
    }),
  );
  if (restored) killForShutdown(exec, restored);
}

/** Argo calls the entrypoint and the exit handler as steps without a name: `{{steps.name}}` is empty there. */
const ROOT_LOCALS: Readonly<Record<string, string>> = { 'steps.name': '' };

function shutdownOf(strategy: 'Stop' | 'Terminate', message?: string): Shutdown {
  return { message: message ?? `Stopped with strategy '${strategy}'`, runExitHandlers: strategy === 'Stop' };
}

/** Applies one event to a run's working state. */
export function handleEvent(exec: Execution, event: EngineEvent): void {
  switch (event.type) {
    case 'start':
    case 'timer':
      return;
    case 'pod-started':
      // The repository the runtime resolved is recorded once, as Argo does at the run's start.
      if (event.artifactRepositoryRef && !exec.status.artifactRepositoryRef) exec.status.artifactRepositoryRef = event.artifactRepositoryRef;
      return exec.pods.started(event.nodeId, event.hostNodeName, event.restarted === true);
    case 'pod-ready':
      return exec.pods.ready(event.nodeId, event.podIP);
    case 'pod-finished':
      return exec.pods.finished(event.nodeId, event.exitCode, event.outputs, event.message, event.containers, event.finishedAt);
    case 'pod-error':
      return exec.pods.lost(event.nodeId, event.message);
    case 'resume': {
      const targets = event.nodeId !== undefined ? [event.nodeId] : [...exec.resumers.keys()];
      for (const id of targets) exec.resumers.get(id)?.(event.parameters);
      return;
    }
    case 'lock-acquired':
      return exec.locks.acquired(event.holder);
    case 'lock-waiting':
      return exec.locks.waiting(event.holder, event.lock, event.holders);
    case 'stop':
      return applyShutdown(exec, shutdownOf('Stop', event.message));
    case 'terminate':
      return applyShutdown(exec, shutdownOf('Terminate', event.message));
  }
}

/** Stops a run: pods are killed and waiting nodes failed; only exit handlers may still start. */
function applyShutdown(exec: Execution, shutdown: Shutdown): void {
  if (isWorkflowDone(exec.status.phase)) return;
  // A shutdown under way is only escalated (a stop becomes a terminate), never repeated.
  if (exec.shutdown && (!exec.shutdown.runExitHandlers || shutdown.runExitHandlers)) return;
  exec.shutdown = shutdown;
  killForShutdown(exec, shutdown);
}

/** Ends what a shutdown ends: every running pod, and every node waiting on the clock or a person. */
function killForShutdown(exec: Execution, shutdown: Shutdown): void {
  exec.pods.killAll(shutdown.message);
  for (const fail of [...exec.waiters.values()]) fail();
  exec.waiters.clear();
}

const WORKFLOW_PHASE: Record<string, WorkflowPhase> = { Succeeded: 'Succeeded', Skipped: 'Succeeded', Omitted: 'Succeeded', Failed: 'Failed', Error: 'Error' };

/** Waits for the entry node, then runs the workflow's exit handler, then ends the run. */
class RootFrame implements Frame {
  private entry: NodeStatus | undefined;
  private hooks: HookSite | undefined;

  constructor(private readonly exec: Execution) {}

  /** The workflow's lifecycle hooks (`spec.hooks` but `exit`) watch the entry node, seeing `workflow.status`. */
  watchHooks(entry: NodeStatus): void {
    const { exec } = this;
    const status = (): string => (entry.phase === 'Pending' || entry.phase === 'Running' ? entry.phase : (WORKFLOW_PHASE[entry.phase] ?? 'Error'));
    this.hooks = openHookSite(exec, {
      node: entry,
      hooks: exec.spec.hooks,
      boundaryId: undefined,
      templateScope: LOCAL_SCOPE,
      depth: 1,
      variables: () => exec.globals.child().set('workflow.status', status()),
    });
  }

  childSettled(node: NodeStatus): void {
    if (node.name === this.exec.name) return this.entryDone(node);
    if (this.entry) this.finish(this.entry, node);
  }

  private entryDone(entry: NodeStatus): void {
    const { exec } = this;
    this.entry = entry;
    // An entrypoint that is itself a daemon has no scope to outlive: it ends with the run's main part.
    if (entry.daemoned) exec.daemons.endScope(undefined);
    const phase = WORKFLOW_PHASE[entry.phase] ?? 'Error';
    exec.globals.set('workflow.status', phase);
    // As Argo, the exit handler starts once the hooks that started have ended.
    const hooks = this.hooks;
    this.hooks = undefined;
    if (hooks) return hooks.close(() => this.runExitHandler(entry));
    this.runExitHandler(entry);
  }

  private runExitHandler(entry: NodeStatus): void {
    const { exec } = this;
    exec.globals.set('workflow.failures', JSON.stringify(failures(exec)));
    const onExit = exec.spec.onExit ?? exec.spec.hooks?.exit?.template;
    if (!onExit || (exec.shutdown && !exec.shutdown.runExitHandlers)) return this.finish(entry, undefined);
    executeTemplate(exec, {
      nodeName: `${exec.name}.onExit`,
      boundaryId: undefined,
      holder: { template: onExit },
      local: ROOT_LOCALS,
      args: exec.spec.hooks?.exit?.arguments ?? exec.spec.arguments,
      scope: LOCAL_SCOPE,
      owner: this,
      depth: 0,
      nodeFlag: { hooked: true },
      onExit: true,
    });
  }

  private finish(entry: NodeStatus, exitNode: NodeStatus | undefined): void {
    const { exec } = this;
    let phase = WORKFLOW_PHASE[entry.phase] ?? 'Error';
    let message = isFailedOrError(entry.phase) && exec.shutdown ? exec.shutdown.message : entry.message;
    if (phase === 'Succeeded' && exitNode && isFailedOrError(exitNode.phase)) {
      phase = exitNode.phase === 'Failed' ? 'Failed' : 'Error';
      message = exitNode.message;
    }
    const hookError = hookErrors(exec);
    if (phase === 'Succeeded' && hookError) {
      phase = 'Error';
      message = hookError;
    }
    finishRun(exec, phase, message);
  }
}

function finishRun(exec: Execution, phase: WorkflowPhase, message: string | undefined): void {
  const { status } = exec;
  exec.locks.releaseAll();
  status.phase = phase;
  if (message) status.message = message;
  else delete status.message;
  status.finishedAt = exec.nowIso;
  exec.daemons.endScope(undefined);
  let pods = 0;
  let succeeded = 0;
  for (const id in status.nodes) {
    const node = status.nodes[id]!;
    if (node.type !== 'Pod') continue;
    pods++;
    if (node.phase === 'Succeeded') succeeded++;
  }
  status.progress = `${succeeded}/${pods}`;
  exec.pods.killAll(message ?? 'workflow finished');
}

interface Failure {
  displayName: string;
  message: string;
  templateName: string;
  phase: string;
  podName: string;
  finishedAt: string;
}

/** `workflow.failures`: the failed and errored nodes, as Argo lists them for exit handlers. */
function failures(exec: Execution): Failure[] {
  const out: Failure[] = [];
  for (const id in exec.status.nodes) {
    const node = exec.status.nodes[id]!;
    if (!isFulfilled(node.phase) || !isFailedOrError(node.phase)) continue;
    const templateName = node.templateName ?? node.templateRef?.template ?? '';
    out.push({
      displayName: node.displayName,
      message: node.message ?? '',
      templateName,
      phase: node.phase,
      podName: podName(exec.name, node.name, templateName),
      finishedAt: node.finishedAt ?? '',
    });
  }
  return out;
}
