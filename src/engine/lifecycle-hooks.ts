import type { LifecycleHook } from '../spec/model/workflow.js';
import { evaluateCondition } from '../expr/index.js';
import { executeTemplate, failNode } from './execute-template.js';
import type { ExecRequest, Execution, Frame } from './execution.js';
import { exposeNode } from './node-variables.js';
import type { TemplateScope } from './template-catalog.js';
import { substituteValue, type VariableScope } from './variable-scope.js';
import { isFulfilled, isWorkflowDone, type NodeStatus } from './workflow-status.js';

export interface HookSiteOptions {
  /** The node the hooks watch: a step's or task's node, or the run's entry node. */
  node: NodeStatus;
  /** The hooks as written (`exit` is the exit handler's, run elsewhere, and is ignored here). */
  hooks: Record<string, LifecycleHook> | undefined;
  /** Where hook nodes go and how their templates are found. */
  boundaryId: string | undefined;
  templateScope: TemplateScope;
  depth: number;
  /** The variables the expressions and arguments see now (`steps.x.status`, `workflow.status`, ...). */
  variables(): VariableScope;
  /** Whether the hooks are looked at in the node's current phase (Argo's DAG waits for Running). */
  evaluates?(node: NodeStatus): boolean;
  /** The watched node is part of an exit handler: its hooks still run after a Stop. */
  onExit?: boolean;
}

/**
 * Lifecycle hooks other than `exit` (Argo's workflow/controller/hooks.go): each hook runs its
 * template once, as node `<watched node>.hooks.<name>` (flagged hooked, under the watched node),
 * the first time its `expression` is true. Expressions are looked at after every event while the
 * watched node runs, and once more when it ends; the frame that owns the node then waits for every
 * hook that started (`close`) before it goes on — to the step's exit handler, the next step group,
 * the task's dependents, or the workflow's exit handler. A hook that fails does not change the
 * phase of what it watches (as in Argo); a hook whose expression cannot be evaluated gets an Error
 * node with the reason and ends the run in Error.
 *
 * Returns undefined when there is nothing but an exit hook to watch.
 */
export function openHookSite(exec: Execution, options: HookSiteOptions): HookSite | undefined {
  const entries = Object.entries(options.hooks ?? {}).filter(([name]) => name !== 'exit');
  if (entries.length === 0) return undefined;
  const site = new HookSite(exec, options, entries);
  exec.hooks.sites.add(site);
  site.adopt();
  site.check();
  return site;
}

/**
 * Looks at the expressions of every hook not started yet, after an event. True when a hook
 * started (its node may already have settled: the caller drains and asks again).
 */
export function checkHooks(exec: Execution): boolean {
  const { hooks } = exec;
  if (hooks.sites.size === 0 || isWorkflowDone(exec.status.phase)) return false;
  let started = false;
  for (const site of [...hooks.sites]) started = site.check() || started;
  return started;
}

/** Why hooks could not be decided in this run, if any could not (one line). */
export function hookErrors(exec: Execution): string | undefined {
  const { errors } = exec.hooks;
  return errors.length > 0 ? errors.join('; ') : undefined;
}

export class HookSite implements Frame {
  private readonly started = new Set<string>();
  private running = 0;
  private then: (() => void) | undefined;
  private closed = false;

  constructor(
    private readonly exec: Execution,
    private readonly options: HookSiteOptions,
    private readonly entries: Array<[string, LifecycleHook]>,
  ) {}

  private nodeName(hook: string): string {
    return `${this.options.node.name}.hooks.${hook}`;
  }

  /** Hooks whose node the status has (a run picked up after a restart) are continued, whatever their expression says now. */
  adopt(): void {
    for (const [name, hook] of this.entries) if (this.exec.nodeByName(this.nodeName(name))) this.start(name, hook);
  }

  /** Starts the hooks whose expression is now true; true when one started. */
  check(): boolean {
    const { node, evaluates, boundaryId } = this.options;
    if (this.closed || (evaluates && !evaluates(node))) return false;
    // A steps or DAG template that failFast stopped starts no hook either (Argo never gets to evaluate it).
    if (boundaryId !== undefined && this.exec.closedBoundaries.has(boundaryId)) return false;
    let started = false;
    let scope: VariableScope | undefined;
    for (const [name, hook] of this.entries) {
      if (this.started.has(name)) continue;
      scope ??= this.options.variables();
      const decided = this.decide(name, hook, scope);
      if (decided === false) continue;
      if (typeof decided === 'string') this.fail(name, decided);
      else this.start(name, hook, scope);
      started = true;
    }
    return started;
  }

  private decide(name: string, hook: LifecycleHook, scope: VariableScope): boolean | string {
    const expression = hook.expression;
    if (expression === undefined || expression.trim() === '')
      return `lifecycle hook "${name}" of ${this.options.node.name} has no expression (only the exit hook may leave it out)`;
    try {
      return evaluateCondition(expression, scope.lookup, { now: this.exec.now });
    } catch (error) {
      return `lifecycle hook "${name}" of ${this.options.node.name}: cannot evaluate expression '${expression}': ${(error as Error).message}`;
    }
  }

  private request(name: string, hook: LifecycleHook, scope: VariableScope | undefined): ExecRequest {
    const args = hook.arguments && scope ? substituteValue(hook.arguments, scope, false).value : hook.arguments;
    return {
      nodeName: this.nodeName(name),
      boundaryId: this.options.boundaryId,
      holder: hook,
      args,
      scope: this.options.templateScope,
      owner: this,
      depth: this.options.depth,
      nodeFlag: { hooked: true },
      ...(this.options.onExit ? { onExit: true } : {}),
    };
  }

  private start(name: string, hook: LifecycleHook, scope?: VariableScope): void {
    const req = this.request(name, hook, scope ?? this.options.variables());
    const isNew = this.exec.nodeByName(req.nodeName) === undefined;
    this.started.add(name);
    this.running++;
    const child = executeTemplate(this.exec, req);
    if (isNew) this.exec.addChild(this.options.node, child.id);
  }

  private fail(name: string, message: string): void {
    const req = this.request(name, {}, undefined);
    this.started.add(name);
    this.running++;
    this.exec.hooks.errors.push(message);
    const child = failNode(this.exec, req, undefined, 'Error', message);
    this.exec.addChild(this.options.node, child.id);
  }

  /**
   * The watched node has ended: looks at the expressions a last time, then calls `then` once every
   * hook that started has settled (at once when none is running).
   */
  close(then: () => void): void {
    this.check();
    this.closed = true;
    this.exec.hooks.sites.delete(this);
    if (this.running === 0) then();
    else this.then = then;
  }

  childSettled(child: NodeStatus): void {
    if (!child.nodeFlag?.hooked || !isFulfilled(child.phase)) return;
    this.running--;
    if (this.running === 0 && this.closed && this.then) {
      const then = this.then;
      this.then = undefined;
      then();
    }
  }
}

/**
 * What a step's or task's hooks see: the frame's variables, with `<prefix>.<name>.status` the
 * watched node's phase now, and its outputs once it has ended (for the hook's arguments).
 */
export function hookVariables(exec: Execution, frameScope: VariableScope, prefix: 'steps' | 'tasks', name: string, node: NodeStatus): VariableScope {
  const scope = frameScope.child();
  if (isFulfilled(node.phase)) exposeNode(exec, scope, prefix, name, node);
  return scope.set(`${prefix}.${name}.status`, node.phase);
}

/** Where a step's or task's exit hook runs from: its frame, and the names it is known by there. */
export interface ExitHookCaller {
  frame: Frame;
  req: ExecRequest;
  /** The steps or DAG node the hook's node belongs to (its boundary). */
  boundary: NodeStatus;
  scope: VariableScope;
  templateScope: TemplateScope;
  prefix: 'steps' | 'tasks';
  /** The step's or task's name, for `{{steps.<name>...}}` in the hook's arguments. */
  name: string;
}

/**
 * Runs a step's or task's exit hook (`hooks.exit` or `onExit`) once its node has ended, as Argo
 * does: a node `<node>.onExit` under it, whose arguments see the node's outputs and status.
 */
export function runExitHook(exec: Execution, caller: ExitHookCaller, child: NodeStatus, hook: LifecycleHook): NodeStatus {
  const name = `${child.name}.onExit`;
  const isNew = exec.nodeByName(name) === undefined;
  const scope = caller.scope.child();
  exposeNode(exec, scope, caller.prefix, caller.name, child);
  const args = hook.arguments ? substituteValue(hook.arguments, scope, false).value : undefined;
  const node = executeTemplate(exec, {
    nodeName: name,
    boundaryId: caller.boundary.id,
    holder: hook,
    args,
    scope: caller.templateScope,
    owner: caller.frame,
    depth: caller.req.depth + 1,
    nodeFlag: { hooked: true },
    onExit: true,
  });
  if (isNew) exec.addChild(child, node.id);
  return node;
}
