import type { LifecycleHook, Template, WorkflowStep } from '../spec/model/workflow.js';
import { continuesOn, decideWhen, exitHookOf } from './invocation-decisions.js';
import { executeTemplate } from './execute-template.js';
import { FailFast } from './fail-fast.js';
import { openTemplateNode } from './open-template-node.js';
import type { ExecRequest, Execution, Frame } from './execution.js';
import { recordGlobalOutputs } from './global-outputs.js';
import { type HookSite, hookVariables, openHookSite, runExitHook } from './lifecycle-hooks.js';
import { expandLoop, isLooped, type LoopIteration } from './loop-items.js';
import { dropAbsentArguments, exposeAggregate, exposeNode, exposeSkipped, templateOutputsFromScope } from './node-variables.js';
import type { TemplateScope } from './template-catalog.js';
import { describeProblems, substituteValue, type VariableScope } from './variable-scope.js';
import { isFailedOrError, type NodeInputs, type NodeStatus } from './workflow-status.js';
import { volumesFor } from './workflow-volumes.js';

interface StepEntry {
  step: WorkflowStep;
  looped: boolean;
  /** The step's nodes in loop order (one node when not looped). */
  nodes: NodeStatus[];
  count: number;
}

interface Group {
  index: number;
  node: NodeStatus;
  entries: StepEntry[];
  /** Children not yet settled (including their exit hooks). */
  pending: number;
  active: number;
  queue: Array<() => void>;
  queueHead: number;
}

/** Which step a child node belongs to, and whether it counts against `parallelism`. */
interface ChildInfo {
  entry: StepEntry;
  launched: boolean;
}

/**
 * A steps template (Argo's executeSteps/executeStepGroup in workflow/controller/steps.go):
 * groups run one after another, the steps of a group in parallel (up to the template's
 * `parallelism`); a group fails when a step failed that `continueOn` does not cover; the
 * outputs of a group's steps are in scope for the groups after it. Node shape as Argo's:
 * `name[i]` StepGroup nodes, steps as `name[i].step` or `name[i].step(k:item)`, each group
 * hung under the outbound nodes of the one before.
 */
export class StepsFrame implements Frame {
  private node!: NodeStatus;
  private readonly scope: VariableScope;
  private groupIndex = -1;
  private group: Group | undefined;
  private readonly children = new Map<string, ChildInfo>();
  private readonly hookParent = new Map<string, NodeStatus>();
  /** Lifecycle hooks of steps still running, by the step's node id. */
  private readonly hookSites = new Map<string, HookSite>();
  /** The template's `failFast: true`; once it ended the template, nothing here acts again. */
  private failFast: FailFast | undefined;
  private closed = false;

  constructor(
    private readonly exec: Execution,
    private readonly req: ExecRequest,
    private readonly template: Template,
    scope: VariableScope,
    private readonly templateScope: TemplateScope,
    private readonly templateName: string,
    private readonly inputs: NodeInputs,
    private readonly existing: NodeStatus | undefined,
  ) {
    this.scope = scope.child();
  }

  start(): NodeStatus {
    const { exec, req } = this;
    this.node = openTemplateNode(exec, req, 'Steps', this.templateName, this.inputs, this.existing);
    if (this.template.failFast === true) {
      this.failFast = new FailFast(exec, this.node, (message) => this.failedFast(message), this.existing !== undefined);
      this.failFast.settleNow();
      if (this.closed) return this.node;
    }
    this.advance();
    return this.node;
  }

  /** Starts the next group; groups with no steps are passed straight through. */
  private advance(): void {
    const groups = this.template.steps ?? [];
    for (;;) {
      if (this.closed) return;
      const index = ++this.groupIndex;
      // With failFast tripped, the template fails when its last pod ends (FailFast), not here.
      if (index >= groups.length) return this.failFast?.tripped ? undefined : this.finish();
      const name = `${this.node.name}[${index}]`;
      let groupNode = this.exec.nodeByName(name);
      // Tripped failFast: the template ends when its last pod does, never with a new group.
      if (!groupNode && this.failFast?.tripped) return;
      if (!groupNode) {
        groupNode = this.exec.createNode(name, 'StepGroup', this.node.id, { phase: 'Running' });
        this.link(index, groupNode);
      }
      const group: Group = { index, node: groupNode, entries: [], pending: 0, active: 0, queue: [], queueHead: 0 };
      this.group = group;
      this.launch(group, groups[index] ?? []);
      if (group.pending > 0) return;
      if (!this.groupDone(group)) return;
    }
  }

  private link(index: number, groupNode: NodeStatus): void {
    if (index === 0) return this.exec.addChild(this.node, groupNode.id);
    const previous = this.exec.nodeByName(`${this.node.name}[${index - 1}]`);
    if (!previous) return;
    if (!previous.children || previous.children.length === 0) return this.exec.addChild(previous, groupNode.id);
    for (const child of previous.children) {
      for (const out of this.exec.outboundOf(child)) {
        const outNode = this.exec.node(out);
        if (outNode) this.exec.addChild(outNode, groupNode.id);
      }
    }
  }

  private launch(group: Group, steps: readonly WorkflowStep[]): void {
    for (const step of steps) {
      const entry: StepEntry = { step, looped: isLooped(step), nodes: [], count: 0 };
      group.entries.push(entry);
      const base = `${group.node.name}.${step.name}`;
      const { hooks: _hooks, onExit: _onExit, ...rest } = step;
      if (step.when && !entry.looped && !this.exec.nodeByName(base)) {
        // As Argo, decide `when` first so a skipped step's other fields need not resolve.
        const when = substituteValue(step.when, this.scope, ['steps', 'tasks']);
        if (when.problems.length > 0) {
          this.settledChild(group, entry, base, 'Error', describeProblems(when.problems));
          continue;
        }
        const decided = decideWhen(when.value);
        if (decided !== true) {
          this.settledChild(group, entry, base, decided === false ? 'Skipped' : 'Error', decided === false ? `when '${when.value}' evaluated false` : decided);
          continue;
        }
      }
      // Seeded for the step's node, so random values in its arguments are its own.
      const resolved = substituteValue(dropAbsentArguments(rest, this.scope) as WorkflowStep, this.scope.child().seedForNode(base), ['steps', 'tasks']);
      if (resolved.problems.length > 0) {
        this.settledChild(group, entry, base, 'Error', describeProblems(resolved.problems));
        continue;
      }
      if (!entry.looped) {
        this.spawn(group, entry, base, resolved.value);
        continue;
      }
      let iterations: LoopIteration<WorkflowStep>[];
      try {
        iterations = expandLoop(resolved.value, this.scope).iterations;
      } catch (error) {
        this.settledChild(group, entry, base, 'Error', (error as Error).message);
        continue;
      }
      if (iterations.length === 0) this.settledChild(group, entry, base, 'Skipped', 'Skipped, empty params');
      for (const iteration of iterations) this.spawn(group, entry, `${group.node.name}.${iteration.name}`, iteration.invocation);
    }
  }

  /** A child decided without running anything: skipped by `when`, or in error. */
  private settledChild(group: Group, entry: StepEntry, name: string, phase: 'Skipped' | 'Error', message: string): void {
    group.pending++;
    let node = this.exec.nodeByName(name);
    if (!node) {
      node = this.exec.createNode(name, 'Skipped', this.node.id, { phase, message, templateName: entry.step.template ?? '' });
      this.exec.addChild(group.node, node.id);
    }
    entry.nodes[entry.count++] = node;
    this.children.set(node.id, { entry, launched: false });
    this.exec.watch(node, this);
  }

  private spawn(group: Group, entry: StepEntry, name: string, invocation: WorkflowStep): void {
    const existing = this.exec.nodeByName(name);
    if (!existing && this.failFast?.tripped) return; // as Argo, a step failFast holds back leaves no node
    if (!existing && invocation.when) {
      const decided = decideWhen(invocation.when);
      if (decided !== true) {
        this.settledChild(
          group,
          entry,
          name,
          decided === false ? 'Skipped' : 'Error',
          decided === false ? `when '${invocation.when}' evaluated false` : decided,
        );
        return;
      }
    }
    group.pending++;
    const slot = entry.count++;
    const run = (): void => {
      group.active++;
      const child = executeTemplate(this.exec, {
        nodeName: name,
        boundaryId: this.node.id,
        holder: invocation,
        args: invocation.arguments,
        scope: this.templateScope,
        owner: this,
        depth: this.req.depth + 1,
        local: { 'steps.name': entry.step.name },
        volumes: volumesFor(this.exec.spec.volumes, this.req, this.scope),
        ...(this.req.onExit ? { onExit: true } : {}),
      });
      if (!existing) this.exec.addChild(group.node, child.id);
      this.watchHooks(entry.step, child);
      entry.nodes[slot] = child;
      this.children.set(child.id, { entry, launched: true });
    };
    const limit = this.template.parallelism;
    if (existing || !limit || group.active < limit) run();
    else group.queue.push(run);
  }

  /** A step's lifecycle hooks watch its node; Argo names it by display name in `steps.<name>.status`. */
  private watchHooks(step: WorkflowStep, child: NodeStatus): void {
    const site = openHookSite(this.exec, {
      node: child,
      hooks: step.hooks,
      boundaryId: this.node.id,
      templateScope: this.templateScope,
      depth: this.req.depth + 1,
      variables: () => hookVariables(this.exec, this.scope, 'steps', child.displayName, child),
      ...(this.req.onExit ? { onExit: true } : {}),
    });
    if (site) this.hookSites.set(child.id, site);
  }

  childSettled(child: NodeStatus): void {
    if (this.closed) return;
    const stepNode = this.hookParent.get(child.id);
    if (stepNode) {
      this.hookParent.delete(child.id);
      return this.stepDone(stepNode);
    }
    const site = this.hookSites.get(child.id);
    if (site) {
      this.hookSites.delete(child.id);
      return site.close(() => this.childSettled(child));
    }
    const info = this.children.get(child.id);
    const hook = info ? exitHookOf(info.entry.step) : undefined;
    const heldBack = this.failFast?.tripped === true && !this.exec.nodeByName(`${child.name}.onExit`);
    if (info && hook && child.type !== 'Skipped' && !heldBack) return this.runExitHook(info.entry, child, hook);
    this.stepDone(child);
  }

  private runExitHook(entry: StepEntry, child: NodeStatus, hook: LifecycleHook): void {
    const caller = {
      frame: this,
      req: this.req,
      boundary: this.node,
      scope: this.scope,
      templateScope: this.templateScope,
      prefix: 'steps' as const,
      name: entry.step.name,
    };
    this.hookParent.set(runExitHook(this.exec, caller, child, hook).id, child);
  }

  private stepDone(child: NodeStatus): void {
    const group = this.group;
    const info = this.children.get(child.id);
    if (!group || !info) return;
    this.children.delete(child.id);
    group.pending--;
    if (info.launched) group.active--;
    if (this.failFast?.tripped) {
      // Queued steps never start: they no longer count as pending.
      group.pending -= group.queue.length - group.queueHead;
      group.queueHead = group.queue.length;
    }
    const limit = this.template.parallelism;
    while (group.queueHead < group.queue.length && (!limit || group.active < limit)) group.queue[group.queueHead++]!();
    if (group.pending === 0 && this.groupDone(group)) this.advance();
  }

  /** Settles a group whose steps are all done; true when the next group may start. */
  private groupDone(group: Group): boolean {
    for (const entry of group.entries) {
      for (const child of entry.nodes) {
        if (child && isFailedOrError(child.phase) && !continuesOn(entry.step, child.phase)) {
          const message = `child '${child.id}' failed`;
          this.exec.markPhase(group.node, 'Failed', message);
          this.finish('Failed', message);
          return false;
        }
      }
    }
    this.exec.markPhase(group.node, 'Succeeded');
    for (const entry of group.entries) this.expose(entry, group.node);
    return true;
  }

  private expose(entry: StepEntry, groupNode: NodeStatus): void {
    const name = entry.step.name;
    const first = entry.nodes[0];
    if (entry.looped && !(entry.nodes.length === 1 && first?.name === `${groupNode.name}.${name}`)) {
      exposeAggregate(this.exec, this.scope, 'steps', name, entry.nodes.filter(Boolean));
      this.scope.set(`steps.${name}.status`, groupNode.phase);
      this.scope.set(`steps.${name}.id`, groupNode.id);
      return;
    }
    if (!first) return;
    if ((first.phase === 'Skipped' || first.phase === 'Omitted') && !first.outputs) {
      exposeSkipped(this.scope, 'steps', name, first, this.exec.templateFor(entry.step, this.templateScope));
    } else exposeNode(this.exec, this.scope, 'steps', name, first);
  }

  /** failFast ended the template: it and its last step group fail, whatever still runs under it. */
  private failedFast(message: string): void {
    this.closed = true;
    const groups = this.template.steps ?? [];
    let last = this.group?.node;
    for (let i = groups.length - 1; !last && i >= 0; i--) last = this.exec.nodeByName(`${this.node.name}[${i}]`);
    if (last) this.exec.markPhase(last, 'Failed', message);
    this.finish('Failed', message);
  }

  private finish(phase?: 'Failed', message?: string): void {
    const last = this.group?.node;
    this.node.outboundNodes = (last?.children ?? []).flatMap((c) => this.exec.outboundOf(c));
    this.exec.touch(this.node);
    if (phase) return this.exec.markPhase(this.node, phase, message);
    const { outputs, error } = templateOutputsFromScope(this.template, this.scope);
    if (error) return this.exec.markPhase(this.node, 'Error', error);
    if (outputs) {
      this.node.outputs = outputs;
      recordGlobalOutputs(this.exec, outputs);
    }
    this.exec.markPhase(this.node, 'Succeeded');
  }
}
