import { SHUTDOWN_MESSAGE_ANNOTATION } from '../spec/model/argo-labels.js';
import type { Workflow, WorkflowSpec } from '../spec/model/workflow.js';
import type { ParameterConfigMap } from './config-map-parameters.js';
import type { EngineAction, EngineEvent } from './engine-events.js';
import { type EngineOptions, Execution } from './execution.js';
import { checkHooks } from './lifecycle-hooks.js';
import type { CacheConfigMap } from './memoization-caches.js';
import { bootRun, handleEvent } from './run-lifecycle.js';
import { effectiveSpec, type ReferencedTemplate, TemplateCatalog } from './template-catalog.js';
import { isWorkflowDone, type NodeStatus, type WorkflowStatus } from './workflow-status.js';

/** What the engine runs: the workflow (with `metadata.name` set) and the templates it refers to. */
export interface RunDefinition {
  workflow: Workflow;
  /** WorkflowTemplates and ClusterWorkflowTemplates named by templateRef/workflowTemplateRef. */
  referenced?: ReferencedTemplate[];
  /**
   * The ConfigMaps of the workflow's namespace that `valueFrom.configMapKeyRef` parameters name,
   * as they were when the run was submitted or retried (see `loadParameterConfigMaps`).
   */
  configMaps?: ParameterConfigMap[];
  /**
   * The memoization cache ConfigMaps the templates name (`memoize.cache.configMap`), as they were
   * when the run was submitted or retried (see `loadMemoizationCaches`).
   */
  caches?: CacheConfigMap[];
  options?: EngineOptions;
}

/** The outcome of one event: the status (the session's own), what to do, and what changed. */
export interface Transition {
  status: WorkflowStatus;
  actions: EngineAction[];
  /** Nodes created or changed by this event, for the journal and observers. */
  changed: NodeStatus[];
  /**
   * The workflow, when the event changed it: a stop or terminate is kept in `spec.shutdown` (and
   * its message in an annotation), as Argo keeps it, so a run picked up after a restart still
   * honours it. Save it with the changes.
   */
  workflow?: Workflow;
}

/** Status changes made outside the engine (artifact GC after the run ended) to fold into a session. */
export interface OutsideChanges {
  nodes: NodeStatus[];
  run: Partial<Omit<WorkflowStatus, 'nodes'>>;
}

/** The status of a run that has not started. */
export function newRunStatus(): WorkflowStatus {
  return { phase: 'Pending', nodes: {} };
}

/**
 * One run in the engine's hands: opened on a workflow and a status, advanced one event at a
 * time, read, and closed. The session owns the status object it was opened with and updates it in
 * place (copying a 100,000-node status per event would make a run quadratic): open it on a copy of
 * a status you must keep (an informer's cache). Its working state (frames, indexes) is built
 * when the first event arrives, in O(nodes) — a run picked up after a restart is adopted where its
 * status says it is — and later events cost only the nodes they touch.
 *
 * Pure in the sense that matters: no I/O and no clock of its own; the same definition, status,
 * events and times always give the same results. `advance` never throws: an internal failure ends
 * the run in Error with the reason.
 *
 * @example
 * const session = new RunSession({ workflow }, newRunStatus());
 * const { actions } = session.advance({ type: 'start' }, Date.now());
 * // actions: [{ type: 'run-pod', pod: { nodeId: 'hello', podName: 'hello', ... } }]
 * session.advance({ type: 'pod-finished', nodeId: 'hello', exitCode: 0 }, Date.now());
 * session.status.phase; // 'Succeeded'
 */
export class RunSession {
  private exec: Execution | undefined;
  private definition: RunDefinition;
  private closed = false;

  constructor(
    definition: RunDefinition,
    readonly status: WorkflowStatus,
  ) {
    this.definition = definition;
  }

  /** The workflow as the run now has it (with `spec.shutdown` once stopped or terminated). */
  get workflow(): Workflow {
    return this.definition.workflow;
  }

  advance(event: EngineEvent, now: Date | string | number): Transition {
    if (this.closed) throw new Error(`run ${this.workflow.metadata?.name ?? ''} is closed`);
    const { status } = this;
    const fresh = this.exec === undefined;
    const time = typeof now === 'number' ? now : typeof now === 'string' ? Date.parse(now) : now.getTime();
    let exec = this.exec;
    try {
      exec ??= createExecution(this.definition, status, time);
      this.exec = exec;
      exec.now = time;
      exec.actions = [];
      exec.changed = new Set();
      if (fresh) bootRun(exec);
      settle(exec);
      const shutdownBefore = exec.shutdown;
      if (!(fresh && event.type === 'start')) handleEvent(exec, event);
      settle(exec);
      exec.fireTimers();
      settle(exec);
      exec.scheduleWake(fresh);
      const transition: Transition = { status, actions: exec.actions, changed: changedNodes(exec) };
      if ((event.type === 'stop' || event.type === 'terminate') && exec.shutdown !== shutdownBefore) {
        transition.workflow = this.keepShutdown(event.type === 'stop' ? 'Stop' : 'Terminate', event.message);
      }
      return transition;
    } catch (error) {
      // The working state may be half-updated: the next event rebuilds it from the status.
      this.exec = undefined;
      const message = `internal error: ${(error as Error).message}`;
      if (!isWorkflowDone(status.phase)) {
        status.phase = 'Error';
        status.message = message;
        status.finishedAt = new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z');
      }
      return { status, actions: exec?.actions ?? [], changed: exec ? changedNodes(exec) : [] };
    }
  }

  /**
   * Folds changes made outside the engine into the status (artifact GC marks artifacts deleted
   * after the run ended). Returns the nodes as they now are, for the journal and observers.
   */
  record(changes: OutsideChanges): NodeStatus[] {
    const { nodes } = this.status;
    for (const node of changes.nodes) {
      // In place: the working state holds these node objects.
      const existing = nodes[node.id];
      if (existing) Object.assign(existing, node);
      else nodes[node.id] = node;
    }
    Object.assign(this.status, changes.run);
    return changes.nodes.map((n) => nodes[n.id]!);
  }

  /** Lets go of the working state; the session takes no more events. */
  close(): void {
    this.closed = true;
    this.exec = undefined;
  }

  /** Argo keeps a shutdown in `spec.shutdown`; its message rides in an annotation. */
  private keepShutdown(strategy: 'Stop' | 'Terminate', message: string | undefined): Workflow {
    const { workflow } = this.definition;
    const metadata =
      message === undefined
        ? workflow.metadata
        : { ...workflow.metadata, annotations: { ...workflow.metadata.annotations, [SHUTDOWN_MESSAGE_ANNOTATION]: message } };
    const next: Workflow = { ...workflow, metadata, spec: { ...workflow.spec, shutdown: strategy } };
    this.definition = { ...this.definition, workflow: next };
    return next;
  }
}

/** Tells owners about settled nodes, and starts the lifecycle hooks that this made due, until both are quiet. */
function settle(exec: Execution): void {
  do exec.drain();
  while (checkHooks(exec));
}

function changedNodes(exec: Execution): NodeStatus[] {
  const out: NodeStatus[] = [];
  for (const id of exec.changed) {
    const node = exec.status.nodes[id];
    if (node) out.push(node);
  }
  return out;
}

function createExecution(run: RunDefinition, status: WorkflowStatus, now: number): Execution {
  const referenced = run.referenced ?? [];
  const spec = effectiveSpec(run.workflow, referenced);
  const specError = 'error' in spec && typeof spec.error === 'string' ? spec.error : undefined;
  const specOk: WorkflowSpec = specError !== undefined ? { ...run.workflow.spec, templates: [] } : spec;
  const exec = new Execution(run.workflow, specOk, new TemplateCatalog(specOk, referenced), status, run, run.options);
  exec.now = now;
  exec.rememberIds();
  if (specError !== undefined) exec.specError = specError;
  return exec;
}
