import type { PodRequest } from '../../src/engine/engine-events.js';
import { splitRunKey, type RunKey } from '../../src/ports/run-key.js';
import type { Runtime, RuntimeEvent } from '../../src/ports/runtime.js';

interface Pod {
  request: PodRequest;
  report: (event: RuntimeEvent) => void;
  /** Set once the pod has ended: told again to whoever asks for it later (a new leader). */
  result?: RuntimeEvent;
  killed?: boolean;
}

/**
 * The pods of a test cluster, shared by every controller that runs against it, as a cluster's
 * pods are: each controller gets its own Runtime (`runtime()`), and one asked for a pod that
 * exists reattaches to it (an ended pod reports its end again) instead of starting it twice.
 * Pods whose template `held` names wait until `release()`; the others end at once, those `failing`
 * names with exit code 1, the others successfully. `starts`
 * counts real starts per pod, the figure a test of "nothing runs twice" asserts on.
 */
export class SharedPods {
  private readonly pods = new Map<string, Pod>();
  readonly starts = new Map<string, number>();
  private readonly held: Set<string>;
  /** Templates whose pods fail (exit 1); a test may change it between runs. */
  readonly failing: Set<string>;

  constructor(options: { held?: string[]; failing?: string[] } = {}) {
    this.held = new Set(options.held ?? []);
    this.failing = new Set(options.failing ?? []);
  }

  runtime(): Runtime {
    return {
      run: (request, report) => this.run(request, report),
      kill: (key, podName) => this.kill(key, podName),
    };
  }

  /** Pods started, running now (not ended, not killed). */
  get running(): string[] {
    return [...this.pods].filter(([, pod]) => !pod.result && !pod.killed).map(([key]) => key);
  }

  /** Ends every held pod that is running, successfully; later pods of those templates run at once. */
  release(): void {
    this.held.clear();
    for (const pod of this.pods.values()) if (!pod.result && !pod.killed) this.finish(pod);
  }

  /** The largest number of starts of any one pod. */
  get mostStarts(): number {
    return Math.max(0, ...this.starts.values());
  }

  private run(request: PodRequest, report: (event: RuntimeEvent) => void): void {
    const key = `${request.workflowNamespace}/${request.podName}`;
    const existing = this.pods.get(key);
    if (existing) {
      existing.report = report;
      if (existing.result) setImmediate(() => report(existing.result!));
      return;
    }
    const pod: Pod = { request, report };
    this.pods.set(key, pod);
    this.starts.set(key, (this.starts.get(key) ?? 0) + 1);
    report({ type: 'pod-started', nodeId: request.nodeId });
    if (!this.held.has(request.template.name ?? '')) setImmediate(() => this.finish(pod));
  }

  private finish(pod: Pod): void {
    if (pod.result || pod.killed) return;
    const exitCode = this.failing.has(pod.request.template.name ?? '') ? 1 : 0;
    pod.result = { type: 'pod-finished', nodeId: pod.request.nodeId, exitCode, outputs: {} };
    pod.report(pod.result);
  }

  /** A killed pod is deleted, as a cluster runtime deletes it: asked for again, it starts anew. */
  private kill(key: RunKey, podName: string): void {
    const podKey = `${splitRunKey(key).namespace}/${podName}`;
    const pod = this.pods.get(podKey);
    if (!pod) return;
    pod.killed = true;
    this.pods.delete(podKey);
  }
}
