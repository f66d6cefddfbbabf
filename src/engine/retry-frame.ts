import type { RetryStrategy } from '../spec/model/workflow.js';
import { evaluateExpression, nestFlatVariables } from '../expr/index.js';
import { formatDuration, parseDuration } from './durations.js';
import { executeTemplate } from './execute-template.js';
import { openTemplateNode } from './open-template-node.js';
import { retryAttempts } from './retry-attempts.js';
import { isTransientFailure } from './transient-errors.js';
import type { ExecRequest, Execution, Frame } from './execution.js';
import { isFailedOrError, isFulfilled, type NodeStatus } from './workflow-status.js';

/**
 * A template with a `retryStrategy`: a Retry node whose children are the attempts `name(0)`,
 * `name(1)`, ... Decides after each failed attempt, as Argo's processNodeRetries
 * (workflow/controller/operator.go): stop on shutdown, on `backoff.maxDuration`, when the
 * `retryPolicy` does not cover the phase (OnFailure by default, Always with an expression;
 * OnTransientError only a message that `isTransientFailure` recognises), when
 * `limit` retries were made (no limit: retry until it works), or when `expression` is false;
 * otherwise wait `duration * factor^(attempts-1)` (capped) after the attempt ended, and retry.
 */
export class RetryFrame implements Frame {
  private node!: NodeStatus;

  constructor(
    private readonly exec: Execution,
    private readonly req: ExecRequest,
    private readonly strategy: RetryStrategy,
    private readonly templateName: string,
    private readonly existing: NodeStatus | undefined,
  ) {}

  start(): NodeStatus {
    const { exec, req } = this;
    this.node = openTemplateNode(exec, req, 'Retry', this.templateName, undefined, this.existing);
    const children = retryAttempts(this.node, (id) => exec.node(id));
    const last = exec.node(children[children.length - 1]);
    if (!last) this.attempt(0, undefined);
    else if (!isFulfilled(last.phase)) this.attempt(children.length - 1, exec.node(children[children.length - 2]));
    else this.childSettled(last);
    return this.node;
  }

  private attempt(index: number, last: NodeStatus | undefined): void {
    const name = `${this.req.nodeName}(${index})`;
    const isNew = this.exec.nodeByName(name) === undefined;
    const attempt: NonNullable<ExecRequest['attempt']> = last ? { index, last } : { index };
    const child = executeTemplate(this.exec, { ...this.req, nodeName: name, owner: this, attempt, nodeFlag: { ...this.req.nodeFlag, retried: true } });
    if (isNew) this.exec.addChild(this.node, child.id);
  }

  childSettled(child: NodeStatus): void {
    const { exec, node, strategy } = this;
    if (!isFulfilled(child.phase)) {
      // A daemon attempt is ready: the Retry node is daemoned with it, and still retries it if it fails later.
      exec.daemons.daemoned(node, child.podIP);
      exec.watch(child, this, true);
      return;
    }
    if (!isFailedOrError(child.phase)) {
      if (child.outputs) node.outputs = child.outputs;
      exec.markPhase(node, 'Succeeded', '');
      return;
    }
    const attempts = retryAttempts(node, (id) => exec.node(id)).length || 1;
    if (exec.shutdown) return exec.markPhase(node, child.phase, exec.shutdown.message);
    // The steps or DAG template around it stopped starting nodes (failFast): no new attempt either.
    if (this.req.boundaryId !== undefined && exec.closedBoundaries.has(this.req.boundaryId)) return exec.markPhase(node, child.phase, child.message ?? '');

    let waitMs = 0;
    let maxDeadline: number | undefined;
    const backoff = strategy.backoff;
    if (backoff) {
      const max = backoff.maxDuration !== undefined ? parseDuration(backoff.maxDuration) : undefined;
      const first = exec.node(retryAttempts(node, (id) => exec.node(id))[0]);
      if (max !== undefined && first?.startedAt) {
        maxDeadline = Date.parse(first.startedAt) + max;
        if (exec.now > maxDeadline) return exec.markPhase(node, child.phase, 'Max duration limit exceeded');
      }
      const base = parseDuration(backoff.duration);
      if (base === undefined) return exec.markPhase(node, 'Error', `retryStrategy.backoff.duration "${backoff.duration ?? ''}" is not a duration`);
      const factor = Number(backoff.factor ?? 0);
      waitMs = factor > 0 ? base * factor ** (attempts - 1) : base;
      const cap = backoff.cap !== undefined ? parseDuration(backoff.cap) : undefined;
      if (cap !== undefined && waitMs > cap) waitMs = cap;
    }

    const policy = strategy.retryPolicy ?? (strategy.expression ? 'Always' : 'OnFailure');
    // OnTransientError retries either phase, but only when the attempt's message says the failure was transient.
    const transient = policy === 'OnTransientError' && isTransientFailure(child.message, exec.transientErrorPattern);
    const onFailed = policy === 'Always' || policy === 'OnFailure' || transient;
    const onError = policy === 'Always' || policy === 'OnError' || transient;
    if ((child.phase === 'Failed' && !onFailed) || (child.phase === 'Error' && !onError)) return exec.markPhase(node, child.phase, child.message ?? '');

    if (strategy.limit !== undefined && strategy.limit !== null) {
      const limit = Number(strategy.limit);
      if (!Number.isFinite(limit)) return exec.markPhase(node, 'Error', `retryStrategy.limit "${strategy.limit}" is not a number`);
      if (attempts > limit) return exec.markPhase(node, child.phase, 'No more retries left');
    }

    if (strategy.expression) {
      const flat: Record<string, string> = {
        retries: String(attempts - 1),
        'lastRetry.exitCode': child.outputs?.exitCode ?? '-1',
        'lastRetry.status': child.phase,
        'lastRetry.duration': String(seconds(child)),
        'lastRetry.message': child.message ?? '',
      };
      let proceed: unknown;
      try {
        proceed = evaluateExpression(strategy.expression, nestFlatVariables(flat), { now: exec.now });
      } catch (error) {
        return exec.markPhase(node, 'Error', `retryStrategy.expression: ${(error as Error).message}`);
      }
      if (proceed !== true) return exec.markPhase(node, child.phase, 'retryStrategy.expression evaluated to false');
    }

    const finished = Date.parse(child.finishedAt ?? exec.nowIso);
    const at = finished + waitMs;
    if (maxDeadline !== undefined && at > maxDeadline) return exec.markPhase(node, child.phase, 'Backoff would exceed max duration limit');
    if (at > exec.now) {
      node.message = `Backoff for ${formatDuration(waitMs)}`;
      exec.touch(node);
      exec.waiters.set(node.id, () => {
        exec.cancelTimer(`backoff:${node.id}`);
        exec.markPhase(node, child.phase, exec.shutdown?.message ?? '');
      });
      exec.addTimer(at, `backoff:${node.id}`, () => {
        exec.waiters.delete(node.id);
        if (isFulfilled(node.phase)) return; // a daemon whose scope ended while it waited
        if (this.req.boundaryId !== undefined && exec.closedBoundaries.has(this.req.boundaryId)) return exec.markPhase(node, child.phase, child.message ?? '');
        delete node.message;
        exec.touch(node);
        this.attempt(attempts, child);
      });
      return;
    }
    this.attempt(attempts, child);
  }
}

function seconds(node: NodeStatus): number {
  if (!node.startedAt || !node.finishedAt) return 0;
  return (Date.parse(node.finishedAt) - Date.parse(node.startedAt)) / 1000;
}
