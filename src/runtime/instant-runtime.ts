import type { PodOutputs, PodRequest } from '../engine/engine-events.js';
import { splitRunKey, type RunKey } from '../ports/run-key.js';
import type { Runtime, RuntimeEvent } from '../ports/runtime.js';

/** What a scripted pod does. Everything is optional: by default a pod succeeds at once. */
export interface InstantPodScript {
  exitCode?: number;
  outputs?: PodOutputs;
  /** Milliseconds between start and finish. */
  delayMs?: number;
  /** Report a runtime error (lost pod) instead of finishing. */
  error?: string;
  /** Never finish on its own (until killed). */
  hang?: boolean;
}

export interface InstantRuntimeOptions {
  script?: (pod: PodRequest) => InstantPodScript | undefined;
  /** Called when a pod really starts (not when a running pod is asked for again). */
  onStart?: (pod: PodRequest) => void;
  onFinish?: (pod: PodRequest, exitCode: number) => void;
}

/**
 * A Runtime that runs nothing: each pod "runs" in memory and finishes at once or as a test
 * scripts it (exit code, outputs, delay, error). Declared output parameters get their
 * `valueFrom.default`, or an empty string, unless the script gives them. For tests and
 * benchmarks of the engine and the driver.
 *
 * @example
 * const runtime = new InstantRuntime({ script: (pod) => (pod.template.name === 'flip' ? { outputs: { result: 'heads' } } : undefined) });
 */
export class InstantRuntime implements Runtime {
  private readonly running = new Map<string, { report: (event: RuntimeEvent) => void; timer?: NodeJS.Timeout }>();
  started = 0;

  constructor(private readonly options: InstantRuntimeOptions = {}) {}

  run(pod: PodRequest, report: (event: RuntimeEvent) => void): void {
    const existing = this.running.get(`${pod.workflowNamespace}/${pod.podName}`);
    if (existing) {
      existing.report = report;
      return;
    }
    const entry: { report: (event: RuntimeEvent) => void; timer?: NodeJS.Timeout } = { report };
    this.running.set(`${pod.workflowNamespace}/${pod.podName}`, entry);
    this.started++;
    this.options.onStart?.(pod);
    const script = this.options.script?.(pod) ?? {};
    const finish = (): void => {
      if (this.running.get(`${pod.workflowNamespace}/${pod.podName}`) !== entry) return;
      if (script.hang) return;
      this.running.delete(`${pod.workflowNamespace}/${pod.podName}`);
      if (script.error !== undefined) return entry.report({ type: 'pod-error', nodeId: pod.nodeId, message: script.error });
      const exitCode = script.exitCode ?? 0;
      this.options.onFinish?.(pod, exitCode);
      entry.report({ type: 'pod-finished', nodeId: pod.nodeId, exitCode, outputs: script.outputs ?? defaultOutputs(pod) });
    };
    report({ type: 'pod-started', nodeId: pod.nodeId });
    if (script.delayMs && script.delayMs > 0) entry.timer = setTimeout(finish, script.delayMs);
    else setImmediate(finish);
  }

  /** Pods are namespaced: the run's namespace and the pod's name. */
  kill(key: RunKey, podName: string): void {
    const podKey = `${splitRunKey(key).namespace}/${podName}`;
    const entry = this.running.get(podKey);
    if (!entry) return;
    if (entry.timer) clearTimeout(entry.timer);
    this.running.delete(podKey);
  }

  get active(): number {
    return this.running.size;
  }
}

function defaultOutputs(pod: PodRequest): PodOutputs {
  const parameters = (pod.template.outputs?.parameters ?? []).map((p) => ({
    name: p.name,
    value: p.valueFrom?.default !== undefined ? String(p.valueFrom.default) : '',
  }));
  return parameters.length > 0 ? { parameters } : {};
}
