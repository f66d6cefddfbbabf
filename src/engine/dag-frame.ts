import type { DagTask, LifecycleHook, Template } from '../spec/model/workflow.js';
import { dependenciesToDepends, type DependencyState, type DependsAst, dependsTaskNames, evaluateDepends, parseDepends } from '../expr/index.js';
import { executeTemplate } from './execute-template.js';
import { FailFast } from './fail-fast.js';
import { openTemplateNode } from './open-template-node.js';
import type { ExecRequest, Execution, Frame } from './execution.js';
import { recordGlobalOutputs } from './global-outputs.js';
import { type HookSite, hookVariables, openHookSite, runExitHook } from './lifecycle-hooks.js';
import { expandLoop, isLooped, type LoopIteration } from './loop-items.js';
import { dropAbsentArguments, exposeAggregate, exposeNode, exposeSkipped, templateOutputsFromScope } from './node-variables.js';
import { continuesOn, decideWhen, exitHookOf } from './invocation-decisions.js';
import type { TemplateScope } from './template-catalog.js';
import { describeProblems, substituteValue, type VariableScope } from './variable-scope.js';
import { isFailedOrError, type NodeInputs, type NodePhase, type NodeStatus } from './workflow-status.js';
import { TaskGroupFrame } from './task-group-frame.js';
import { volumesFor } from './workflow-volumes.js';

interface TaskState {
  task: DagTask;
  deps: string[];
  depends?: DependsAst;
  dependsError?: string;
  /** Dependencies not yet settled. */
  waiting: number;
  started: boolean;
  node?: NodeStatus;
  settled: boolean;
  /** Holds a slot under the template's `parallelism`. */
  slot?: boolean;
}

/**
 * A DAG template (Argo's executeDAG/executeDAGTask in workflow/controller/dag.go). Each task
 * starts the moment its last dependency settles: its `depends` (or `dependencies`, expanded as
 * Argo's ancestry.go does, with the dependencies' `continueOn`) decides run or omit, then `when`
 * decides run or skip. Looped tasks get a TaskGroup node. The DAG ends when nothing runs and
 * nothing can start; it fails when a target task's branch failed (Argo's assessDAGPhase: a task
 * that did not run inherits the failure of what it depended on) unless `continueOn` covers it.
 *
 * `dag.failFast` is read but, as in Argo's code (unlike its field docs), does not stop other
 * branches from being scheduled: Argo's assessDAGPhase waits for every task node it can reach,
 * and schedules each ready task before it assesses, so the flag only decides the phase of a DAG
 * whose ready tasks a parallelism limit held back, which this frame never leaves waiting.
 * The template-level `failFast: true` does stop it (see FailFast).
 */
export class DagFrame implements Frame {
  node!: NodeStatus;
  private readonly scope: VariableScope;
  private readonly tasks = new Map<string, TaskState>();
  private readonly dependents = new Map<string, string[]>();
  private readonly taskOfNode = new Map<string, string>();
  private readonly hookParent = new Map<string, { task: string; node: NodeStatus }>();
  /** Lifecycle hooks of tasks still running, by the task's node id. */
  private readonly hookSites = new Map<string, HookSite>();
  private running = 0;
  private queue: Array<() => void> = [];
  private active = 0;
  private failFast: FailFast | undefined;
  private done = false;

  constructor(
    readonly exec: Execution,
    readonly req: ExecRequest,
    readonly template: Template,
    scope: VariableScope,
    readonly templateScope: TemplateScope,
    private readonly templateName: string,
    private readonly inputs: NodeInputs,
    private readonly existing: NodeStatus | undefined,
  ) {
    this.scope = scope.child();
  }

  start(): NodeStatus {
    const { exec, req } = this;
    this.node = openTemplateNode(exec, req, 'DAG', this.templateName, this.inputs, this.existing);
    if (this.template.failFast === true) {
      this.failFast = new FailFast(exec, this.node, (message) => this.failedFast(message), this.existing !== undefined);
      this.failFast.settleNow();
      if (this.done) return this.node;
    }
    const list = this.template.dag?.tasks ?? [];
    const byName = new Map(list.map((t) => [t.name, t]));
    for (const task of list) {
      const state: TaskState = { task, deps: [], waiting: 0, started: false, settled: false };
      try {
        const text =
          task.depends ??
          (task.dependencies && task.dependencies.length > 0 ? dependenciesToDepends(task.dependencies, (d) => byName.get(d)?.continueOn) : undefined);
        if (text) {
          state.depends = parseDepends(text);
          state.deps = dependsTaskNames(state.depends).filter((d) => byName.has(d));
        }
      } catch (error) {
        state.dependsError = `invalid depends of task "${task.name}": ${(error as Error).message}`;
      }
      state.waiting = state.deps.length;
      this.tasks.set(task.name, state);
      for (const dep of state.deps) {
        let list = this.dependents.get(dep);
        if (!list) this.dependents.set(dep, (list = []));
        list.push(task.name);
      }
    }
    for (const state of this.tasks.values()) if (state.waiting === 0) this.consider(state);
    this.checkDone();
    return this.node;
  }

  private taskNodeName(name: string): string {
    return `${this.node.name}.${name}`;
  }

  private consider(state: TaskState): void {
    if (state.started || this.done) return;
    const name = this.taskNodeName(state.task.name);
    const existing = this.exec.nodeByName(name);
    if (!existing && this.failFast?.tripped) return; // as Argo, a task failFast holds back leaves no node
    state.started = true;
    this.running++;
    if (existing) return this.adopt(state, existing);
    if (state.dependsError) return this.settledTask(state, name, 'Error', state.dependsError);
    if (state.depends) {
      const run = evaluateDepends(state.depends, (t) => this.dependencyState(t), { continueOn: (t) => this.tasks.get(t)?.task.continueOn });
      if (run === false) return this.settledTask(state, name, 'Omitted', 'omitted: depends condition not met');
    }
    const { hooks: _hooks, onExit: _onExit, ...rest } = state.task;
    if (state.task.when && !isLooped(state.task)) {
      const when = substituteValue(state.task.when, this.scope, ['steps', 'tasks']);
      if (when.problems.length > 0) return this.settledTask(state, name, 'Error', describeProblems(when.problems));
      const decided = decideWhen(when.value);
      if (decided !== true)
        return this.settledTask(state, name, decided === false ? 'Skipped' : 'Error', decided === false ? `when '${when.value}' evaluated false` : decided);
    }
    // Seeded for the task's node, so random values in its arguments are its own (after a restart too).
    const resolved = substituteValue(dropAbsentArguments(rest, this.scope) as DagTask, this.scope.child().seedForNode(name), ['steps', 'tasks']);
    if (resolved.problems.length > 0) return this.settledTask(state, name, 'Error', describeProblems(resolved.problems));
    if (isLooped(state.task)) {
      let iterations: LoopIteration<DagTask>[];
      try {
        iterations = expandLoop(resolved.value, this.scope).iterations;
      } catch (error) {
        return this.settledTask(state, name, 'Error', (error as Error).message);
      }
      if (iterations.length === 0) return this.settledTask(state, name, 'Skipped', 'Skipped, empty params');
      const group = this.exec.createNode(name, 'TaskGroup', this.node.id, { phase: 'Running', templateName: state.task.template ?? '' });
      this.link(state, group.id);
      return this.startGroup(state, group, iterations);
    }
    this.launch(() => {
      state.slot = true;
      const child = this.execute(name, resolved.value, state.task.name, this);
      this.link(state, child.id);
      this.track(state, child);
    });
  }

  /** A task node found in the status (after a restart): continue it rather than start it. */
  private adopt(state: TaskState, existing: NodeStatus): void {
    if (existing.type === 'TaskGroup') {
      const { hooks: _h, onExit: _o, ...rest } = state.task;
      const resolved = substituteValue(rest as DagTask, this.scope.child().seedForNode(existing.name), ['steps', 'tasks']);
      let iterations: LoopIteration<DagTask>[] = [];
      try {
        iterations = expandLoop(resolved.value, this.scope).iterations;
      } catch {
        // the group's children are in the status already; nothing new will start
      }
      return this.startGroup(state, existing, iterations);
    }
    if (existing.type === 'Skipped') {
      this.track(state, existing);
      return this.exec.watch(existing, this);
    }
    const resolved = substituteValue(state.task, this.scope.child().seedForNode(existing.name), ['steps', 'tasks']).value;
    this.launch(() => {
      state.slot = true;
      this.track(state, this.execute(existing.name, resolved, state.task.name, this));
    }, true);
  }

  execute(nodeName: string, task: DagTask, taskName: string, owner: Frame): NodeStatus {
    return executeTemplate(this.exec, {
      nodeName,
      boundaryId: this.node.id,
      holder: task,
      args: task.arguments,
      scope: this.templateScope,
      owner,
      depth: this.req.depth + 1,
      local: { 'tasks.name': taskName },
      volumes: volumesFor(this.exec.spec.volumes, this.req, this.scope),
      ...(this.req.onExit ? { onExit: true } : {}),
    });
  }

  private startGroup(state: TaskState, group: NodeStatus, iterations: LoopIteration<DagTask>[]): void {
    this.track(state, group);
    this.exec.watch(group, this);
    new TaskGroupFrame(this, group, state.task.name, iterations).start();
  }

  private track(state: TaskState, node: NodeStatus): void {
    state.node = node;
    this.taskOfNode.set(node.id, state.task.name);
    // Argo looks at a task's lifecycle hooks once its node runs or has ended, never while Pending.
    const site = openHookSite(this.exec, {
      node,
      hooks: state.task.hooks,
      boundaryId: this.node.id,
      templateScope: this.templateScope,
      depth: this.req.depth + 1,
      variables: () => hookVariables(this.exec, this.scope, 'tasks', state.task.name, node),
      evaluates: (n) => n.phase !== 'Pending',
      ...(this.req.onExit ? { onExit: true } : {}),
    });
    if (site) this.hookSites.set(node.id, site);
  }

  /** Runs now, or when a slot frees under the template's `parallelism`. */
  launch(run: () => void, now = false): void {
    const limit = this.template.parallelism;
    if (now || !limit || this.active < limit) {
      this.active++;
      run();
    } else this.queue.push(run);
  }

  release(): void {
    this.active--;
    if (this.failFast?.tripped) this.queue = []; // queued tasks and iterations never start
    const limit = this.template.parallelism;
    while (this.queue.length > 0 && (!limit || this.active < limit)) {
      this.active++;
      this.queue.shift()!();
    }
  }

  private settledTask(state: TaskState, name: string, phase: NodePhase, message: string): void {
    const node = this.exec.createNode(name, 'Skipped', this.node.id, { phase, message, templateName: state.task.template ?? '' });
    this.link(state, node.id);
    this.track(state, node);
    this.exec.watch(node, this);
  }

  /** Hangs a new task node under the outbound nodes of its dependencies (or the DAG node). */
  private link(state: TaskState, childId: string): void {
    if (state.deps.length === 0) return this.exec.addChild(this.node, childId);
    for (const dep of state.deps) {
      const depNode = this.tasks.get(dep)?.node;
      if (!depNode) continue;
      for (const out of this.exec.outboundOf(depNode.id)) {
        const outNode = this.exec.node(out);
        if (outNode) this.exec.addChild(outNode, childId);
      }
    }
  }

  private dependencyState(task: string): DependencyState | undefined {
    const node = this.tasks.get(task)?.node;
    if (!node) return undefined;
    if (node.type !== 'TaskGroup') return node.daemoned ? { phase: node.phase, daemoned: true } : { phase: node.phase };
    return { phase: node.phase, childPhases: (node.children ?? []).map((c) => this.exec.node(c)?.phase ?? 'Pending') };
  }

  childSettled(child: NodeStatus): void {
    if (this.done) return;
    const hooked = this.hookParent.get(child.id);
    if (hooked) {
      this.hookParent.delete(child.id);
      return this.taskDone(hooked.task, hooked.node);
    }
    const site = this.hookSites.get(child.id);
    if (site) {
      this.hookSites.delete(child.id);
      return site.close(() => this.childSettled(child));
    }
    const taskName = this.taskOfNode.get(child.id);
    if (taskName === undefined) return;
    const state = this.tasks.get(taskName)!;
    const hook = exitHookOf(state.task);
    if (hook && child.type !== 'Skipped' && child.type !== 'TaskGroup') return this.runExitHook(state, child, hook);
    this.taskDone(taskName, child);
  }

  private runExitHook(state: TaskState, child: NodeStatus, hook: LifecycleHook): void {
    const caller = {
      frame: this,
      req: this.req,
      boundary: this.node,
      scope: this.scope,
      templateScope: this.templateScope,
      prefix: 'tasks' as const,
      name: state.task.name,
    };
    const node = runExitHook(this.exec, caller, child, hook);
    this.hookParent.set(node.id, { task: state.task.name, node: child });
  }

  private taskDone(taskName: string, child: NodeStatus): void {
    const state = this.tasks.get(taskName)!;
    if (state.settled) return;
    state.settled = true;
    this.running--;
    if (state.slot) {
      state.slot = false;
      this.release();
    }
    this.expose(state, child);
    for (const dependent of this.dependents.get(taskName) ?? []) {
      const next = this.tasks.get(dependent)!;
      if (--next.waiting === 0) this.consider(next);
    }
    this.checkDone();
  }

  private expose(state: TaskState, node: NodeStatus): void {
    const name = state.task.name;
    if (node.type === 'TaskGroup') {
      const children = (node.children ?? []).map((c) => this.exec.node(c)).filter((n): n is NodeStatus => n !== undefined);
      exposeAggregate(this.exec, this.scope, 'tasks', name, children);
      this.scope.set(`tasks.${name}.status`, node.phase).set(`tasks.${name}.id`, node.id);
    } else if ((node.phase === 'Skipped' || node.phase === 'Omitted') && !node.outputs) {
      exposeSkipped(this.scope, 'tasks', name, node, this.exec.templateFor(state.task, this.templateScope));
    } else exposeNode(this.exec, this.scope, 'tasks', name, node);
  }

  private checkDone(): void {
    // With failFast tripped, the DAG fails when its last pod ends (FailFast), not here.
    if (this.done || this.running > 0 || this.failFast?.tripped) return;
    this.done = true;
    const targets = this.targetNames();
    const memo = new Map<string, NodePhase>();
    let phase: NodePhase = 'Succeeded';
    for (const target of targets) {
      const branch = this.branchPhase(target, memo);
      const task = this.tasks.get(target)?.task;
      if (isFailedOrError(branch) && !(task && continuesOn(task, branch))) {
        phase = branch;
        break;
      }
    }
    this.setOutboundNodes(targets);
    if (phase !== 'Succeeded') return this.exec.markPhase(this.node, phase);
    const { outputs, error } = templateOutputsFromScope(this.template, this.scope);
    if (error) return this.exec.markPhase(this.node, 'Error', error);
    if (outputs) {
      this.node.outputs = outputs;
      recordGlobalOutputs(this.exec, outputs);
    }
    this.exec.markPhase(this.node, 'Succeeded');
  }

  /** failFast ended the DAG, whatever still runs under it. */
  private failedFast(message: string): void {
    this.done = true;
    this.setOutboundNodes(this.targetNames());
    this.exec.markPhase(this.node, 'Failed', message);
  }

  /** `dag.target`, or the tasks nothing depends on. */
  private targetNames(): string[] {
    return this.template.dag?.target
      ? this.template.dag.target.split(' ').filter(Boolean)
      : [...this.tasks.keys()].filter((t) => !this.dependents.has(t)).sort();
  }

  private setOutboundNodes(targets: string[]): void {
    this.node.outboundNodes = targets.flatMap((t) => {
      const node = this.tasks.get(t)?.node;
      return node ? this.exec.outboundOf(node.id) : [];
    });
    this.exec.touch(this.node);
  }

  /** A task's own phase if it completed, else the first failure among what it depended on. */
  private branchPhase(name: string, memo: Map<string, NodePhase>): NodePhase {
    const known = memo.get(name);
    if (known) return known;
    memo.set(name, 'Succeeded');
    const state = this.tasks.get(name);
    let phase: NodePhase = 'Succeeded';
    const node = state?.node;
    if (node && (node.phase === 'Succeeded' || isFailedOrError(node.phase))) phase = node.phase;
    else {
      for (const dep of state?.deps ?? []) {
        const p = this.branchPhase(dep, memo);
        if (isFailedOrError(p)) {
          phase = p;
          break;
        }
      }
    }
    memo.set(name, phase);
    return phase;
  }
}
