import type { Volume } from '../spec/model/kubernetes.js';
import type { Arguments, Template, Workflow, WorkflowSpec } from '../spec/model/workflow.js';
import { ConfigMapParameters, type ParameterConfigMap } from './config-map-parameters.js';
import { DaemonTracker } from './daemon-tracker.js';
import type { EngineAction } from './engine-events.js';
import { LockTracker } from './lock-tracker.js';
import { type CacheConfigMap, MemoizationCaches } from './memoization-caches.js';
import { PodTracker } from './pod-tracker.js';
import { displayNameOf, nodeId, podName } from './node-naming.js';
import { lastAttempt } from './retry-attempts.js';
import { transientErrorPattern } from './transient-errors.js';
import type { TemplateCatalog, TemplateHolder, TemplateScope } from './template-catalog.js';
import { VariableScope } from './variable-scope.js';
import { isFulfilled, isSettled, type NodePhase, type NodeStatus, type NodeType, type WorkflowStatus } from './workflow-status.js';

/**
 * Something that waits for nodes it started: a steps template waits for its step groups, a
 * group for its steps, a DAG for its tasks, a Retry node for its attempts, the run for its entry
 * node and exit handler. Told once, when the node is fulfilled.
 */
export interface Frame {
  childSettled(child: NodeStatus): void;
}

/** How a template is to be executed: which node, under which boundary, called how and by whom. */
export interface ExecRequest {
  nodeName: string;
  boundaryId: string | undefined;
  holder: TemplateHolder;
  args: Arguments | undefined;
  /** Where the holder's template name is looked up. */
  scope: TemplateScope;
  owner: Frame;
  depth: number;
  /** `steps.name`/`tasks.name` and other variables of the caller. */
  local?: Record<string, string>;
  nodeFlag?: { hooked?: boolean; retried?: boolean };
  /** Part of an exit handler: still runs after a Stop. */
  onExit?: boolean;
  /** An attempt under a Retry node (the retry strategy was applied by the parent). */
  attempt?: { index: number; last?: NodeStatus };
  /** The node runs because a memoization cache missed: it records so (see memoizeTemplate). */
  memoizationStatus?: NodeStatus['memoizationStatus'];
  /** The workflow's volumes with the callers' variables substituted (see volumesFor); absent: as declared. */
  volumes?: Volume[];
}

export interface EngineOptions {
  /** Nesting depth at which a template is refused (recursion cap). Argo's default is 150. */
  maxDepth?: number;
  /** Longest `outputs.result` kept, in characters. */
  resultLimit?: number;
  /**
   * Argo's controller setting `TRANSIENT_ERROR_PATTERN`: a regular expression; a failed attempt
   * whose message matches it is retried by `retryPolicy: OnTransientError`.
   */
  transientErrorPattern?: string;
}

interface Timer {
  at: number;
  key: string;
  fire: () => void;
}

/** A shutdown in progress: what new nodes get as their message, and whether exit handlers run. */
export interface Shutdown {
  message: string;
  runExitHandlers: boolean;
}

/**
 * The working state of one run while the engine handles an event: the status being updated in
 * place, the actions and changed nodes collected for the driver, and the in-memory frames and
 * indexes that make each event cost only the nodes it touches. Everything here can be rebuilt
 * from the workflow and its status (see `advanceRun`), which is what a restart does.
 */
export class Execution {
  readonly name: string;
  /** The run's namespace (`default` when the workflow names none). */
  readonly namespace: string;
  readonly globals: VariableScope;
  readonly maxDepth: number;
  readonly resultLimit: number;
  readonly transientErrorPattern: RegExp | undefined;
  now = 0;
  actions: EngineAction[] = [];
  changed = new Set<string>();
  shutdown: Shutdown | undefined;
  /** The workflow cannot run at all (a workflowTemplateRef that is not there). */
  specError: string | undefined;
  /** Nodes waiting on the clock or a person (suspend, backoff), failed on shutdown. */
  readonly waiters = new Map<string, () => void>();
  /** Suspended nodes and how to resume each (with supplied output parameters). */
  readonly resumers = new Map<string, (parameters?: Record<string, string>) => void>();
  readonly pods: PodTracker;
  /** Where `configMapKeyRef` parameters are read (the ConfigMaps the run definition carries). */
  readonly configMaps: ConfigMapParameters;
  readonly daemons: DaemonTracker;
  /** The memoization caches (`memoize`) the run definition carries, with the hits its status records. */
  readonly memoization: MemoizationCaches;
  /** The mutexes and semaphores the run and its nodes ask for and hold. */
  readonly locks: LockTracker;
  /** Told when a node of the boundary (a steps or DAG node's id) ends: template-level failFast. */
  readonly boundaryListeners = new Map<string, (node: NodeStatus) => void>();
  /**
   * The lifecycle hooks watching nodes, checked whenever nodes settle (see lifecycle-hooks.ts),
   * and the reasons of those whose expression could not be evaluated (the run ends in Error).
   */
  readonly hooks: { sites: Set<{ check(): boolean }>; errors: string[] } = { sites: new Set(), errors: [] };
  /** Boundaries in which no new node may start (failFast tripped): a retry makes no new attempt there. */
  readonly closedBoundaries = new Set<string>();

  private readonly owners = new Map<string, Frame>();
  private readonly settleQueue: NodeStatus[] = [];
  private settleHead = 0;
  private timers: Timer[] = [];
  private wakeAt: number | undefined;

  constructor(
    readonly workflow: Workflow,
    readonly spec: WorkflowSpec,
    readonly catalog: TemplateCatalog,
    readonly status: WorkflowStatus,
    data: { configMaps?: ParameterConfigMap[] | undefined; caches?: CacheConfigMap[] | undefined } = {},
    options: EngineOptions = {},
  ) {
    this.name = workflow.metadata?.name ?? '';
    this.namespace = String(workflow.metadata?.namespace || 'default');
    this.globals = new VariableScope().setClock(() => this.now).setSeed(String(workflow.metadata?.uid || this.name));
    this.maxDepth = options.maxDepth ?? 150;
    this.resultLimit = options.resultLimit ?? 256 * 1024;
    this.transientErrorPattern = transientErrorPattern(options.transientErrorPattern);
    // The trackers hold this execution; it hands itself over once its own fields are set.
    this.pods = new PodTracker(this, spec.parallelism);
    this.configMaps = new ConfigMapParameters(this.namespace, data.configMaps);
    this.daemons = new DaemonTracker(this);
    this.memoization = new MemoizationCaches(this.namespace, data.caches, status);
    this.locks = new LockTracker(this);
  }

  private isoAt = NaN;
  private iso = '';

  /** The time as Argo prints it (RFC 3339, whole seconds), cached per transition. */
  get nowIso(): string {
    if (this.isoAt !== this.now) {
      this.isoAt = this.now;
      this.iso = new Date(this.now).toISOString().replace(/\.\d{3}Z$/, 'Z');
    }
    return this.iso;
  }

  idOf(nodeName: string): string {
    return this.altIds.get(nodeName) ?? nodeId(this.name, nodeName);
  }

  nodeByName(nodeName: string): NodeStatus | undefined {
    const node = this.status.nodes[this.idOf(nodeName)];
    return node && node.name === nodeName ? node : undefined;
  }

  /**
   * Argo's ids are a 32-bit hash of the node name, so a run with ~100,000 nodes expects a
   * collision or two (Argo would overwrite one node with the other). The later node gets
   * `<id>-<k>` instead, remembered here and found again from the status after a restart.
   */
  private readonly altIds = new Map<string, string>();

  rememberIds(): void {
    for (const id in this.status.nodes) {
      const node = this.status.nodes[id]!;
      if (id !== nodeId(this.name, node.name)) this.altIds.set(node.name, id);
    }
  }

  /** The pod name of a pod node: Argo's, with the id's collision suffix when it has one. */
  podNameOf(node: NodeStatus, templateName: string): string {
    const name = podName(this.name, node.name, templateName);
    const base = nodeId(this.name, node.name);
    return node.id === base ? name : `${name}${node.id.slice(base.length)}`;
  }

  node(id: string | undefined): NodeStatus | undefined {
    return id === undefined ? undefined : this.status.nodes[id];
  }

  touch(node: NodeStatus): void {
    this.changed.add(node.id);
  }

  createNode(
    name: string,
    type: NodeType,
    boundaryId: string | undefined,
    fields: {
      phase: NodePhase;
      templateName?: string;
      message?: string;
      nodeFlag?: NodeStatus['nodeFlag'];
      templateRef?: NodeStatus['templateRef'];
      memoizationStatus?: NodeStatus['memoizationStatus'];
    },
  ): NodeStatus {
    let id = this.idOf(name);
    if (this.status.nodes[id] !== undefined) {
      let k = 1;
      while (this.status.nodes[`${id}-${k}`] !== undefined) k++;
      id = `${id}-${k}`;
      this.altIds.set(name, id);
    }
    const boundary = this.node(boundaryId);
    const node: NodeStatus = { id, name, displayName: displayNameOf(name, boundary?.name), type, phase: fields.phase, startedAt: this.nowIso };
    if (fields.templateName !== undefined) node.templateName = fields.templateName;
    if (fields.templateRef !== undefined) node.templateRef = fields.templateRef;
    if (boundaryId !== undefined) node.boundaryID = boundaryId;
    if (fields.message) node.message = fields.message;
    if (fields.nodeFlag && (fields.nodeFlag.hooked || fields.nodeFlag.retried)) node.nodeFlag = { ...fields.nodeFlag };
    if (fields.memoizationStatus) node.memoizationStatus = { ...fields.memoizationStatus };
    if (isFulfilled(fields.phase)) node.finishedAt = node.startedAt;
    this.status.nodes[id] = node;
    this.changed.add(id);
    return node;
  }

  /** Links a child under a parent in the node graph. Called once per new link, never to adopt. */
  addChild(parent: NodeStatus, childId: string): void {
    (parent.children ??= []).push(childId);
    this.changed.add(parent.id);
  }

  /** Moves a node to a phase; a fulfilled node is reported to its owner once the handler is done. */
  markPhase(node: NodeStatus, phase: NodePhase, message?: string): void {
    if (isFulfilled(node.phase)) return;
    node.phase = phase;
    if (message !== undefined) {
      if (message === '') delete node.message;
      else node.message = message;
    }
    if (isFulfilled(phase)) {
      node.finishedAt ??= this.nowIso;
      this.settleQueue.push(node);
      this.daemons.ended(node);
      this.locks.ended(node);
      if (node.boundaryID !== undefined) this.boundaryListeners.get(node.boundaryID)?.(node);
    }
    this.changed.add(node.id);
  }

  /**
   * Makes `owner` the one told when `node` settles: when it is fulfilled, or, unless `untilEnd`,
   * when it is a daemon that is ready (see isSettled). At once, if it already has.
   */
  watch(node: NodeStatus, owner: Frame, untilEnd = false): void {
    this.owners.set(node.id, owner);
    if (untilEnd ? isFulfilled(node.phase) : isSettled(node)) this.settleQueue.push(node);
  }

  /** Tells `node`'s owner that it has settled without being fulfilled (a daemon became ready). */
  settle(node: NodeStatus): void {
    this.settleQueue.push(node);
  }

  /** Tells owners about fulfilled nodes, in order, until nothing is left to tell. */
  drain(): void {
    while (this.settleHead < this.settleQueue.length) {
      const node = this.settleQueue[this.settleHead++]!;
      const owner = this.owners.get(node.id);
      if (!owner) continue;
      this.owners.delete(node.id);
      owner.childSettled(node);
    }
    this.settleQueue.length = 0;
    this.settleHead = 0;
  }

  // Timers: few at a time (deadlines, backoffs, suspends), so a sorted array is enough.
  addTimer(at: number, key: string, fire: () => void): void {
    this.timers = this.timers.filter((t) => t.key !== key);
    const index = this.timers.findIndex((t) => t.at > at);
    const timer = { at, key, fire };
    if (index < 0) this.timers.push(timer);
    else this.timers.splice(index, 0, timer);
  }

  cancelTimer(key: string): void {
    this.timers = this.timers.filter((t) => t.key !== key);
  }

  fireTimers(): void {
    while (this.timers.length > 0 && this.timers[0]!.at <= this.now) {
      const timer = this.timers.shift()!;
      timer.fire();
      this.drain();
    }
  }

  /** Adds a `wake-at` action when the earliest timer changed. */
  scheduleWake(force: boolean): void {
    const next = this.timers[0]?.at;
    if (next !== undefined && (force || next !== this.wakeAt)) {
      this.actions.push({ type: 'wake-at', time: new Date(next).toISOString() });
    }
    this.wakeAt = next;
  }

  /** Whether a new node may still start (during a shutdown only exit handlers may). */
  mayStart(onExit: boolean | undefined): boolean {
    return !this.shutdown || (onExit === true && this.shutdown.runExitHandlers);
  }

  /** Outbound nodes of a node, as Argo's getOutboundNodes: the nodes the next step hangs under. */
  outboundOf(id: string): string[] {
    const node = this.node(id);
    if (!node) return [];
    switch (node.type) {
      case 'Pod':
        // A containerSet's pod leads on from its last containers, as Argo links it.
        if (node.children?.some((c) => this.node(c)?.type === 'Container')) return [...new Set(this.containerOutbound(node))];
        return [node.id];
      case 'Container':
        return [...new Set(this.containerOutbound(node))];
      case 'HTTP':
      case 'Skipped':
      case 'Suspend':
        return [node.id];
      case 'TaskGroup': {
        if (!node.children || node.children.length === 0) return [node.id];
        return node.children.flatMap((c) => this.outboundOf(c));
      }
      case 'Retry': {
        const last = lastAttempt(node, (id) => this.node(id));
        return last === undefined ? [] : [last.id];
      }
      default:
        // A steps or DAG node taken from a memoization cache ran no children: it is its own end.
        if (node.memoizationStatus?.hit) return [node.id];
        return (node.outboundNodes ?? []).flatMap((c) => this.outboundOf(c));
    }
  }

  /** The Container nodes at the end of a containerSet's graph (a child in another boundary is a later step). */
  private containerOutbound(node: NodeStatus): string[] {
    const inside = (node.children ?? []).filter(
      (c) => this.node(c)?.type === 'Container' && this.node(c)?.boundaryID === (node.type === 'Pod' ? node.id : node.boundaryID),
    );
    if (inside.length === 0) return [node.id];
    return inside.flatMap((c) => this.containerOutbound(this.node(c)!));
  }

  /** The template a node ran, for nodes whose outputs must be defaulted (skipped steps). */
  templateFor(holder: TemplateHolder, scope: TemplateScope): Template | undefined {
    const resolved = this.catalog.resolve(holder, scope);
    return 'template' in resolved ? resolved.template : undefined;
  }
}
