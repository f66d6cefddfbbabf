import { randomUUID } from 'node:crypto';
import type { RunControl, RunSignal, SentSignal } from '../ports/run-control.js';
import { type RunKey, splitRunKey } from '../ports/run-key.js';
import type { Workflow } from '../spec/model/workflow.js';
import type { KubeClient } from './kube-client.js';
import { KubeNotFoundError } from './kube-errors.js';
import { RESUME_REQUEST_ANNOTATION, SHUTDOWN_MESSAGE_ANNOTATION } from './kube-names.js';
import { workflowRef, WORKFLOW_API } from './run-workflow-object.js';
import { WatchObjects } from './watch-objects.js';
import { hasResumeRequest, workflowSignals } from './workflow-signals.js';

/**
 * Run control signals on the run's Workflow, as Argo keeps them: stop and terminate set
 * `spec.shutdown` (with Skiff's message annotation), so `argo stop`, `kubectl patch` and `skiff
 * stop` are one and the same; resume leaves a request annotation (and clears `spec.suspend`, as
 * `argo resume` does). A signal waits on the object for whichever replica drives the run, even
 * one not started yet, so it is `taken` once the API server has stored it; a resume request is
 * taken once the driver removed it.
 *
 * @example
 *   await (await new KubeRunControl(kube).send('ci/build-x7k2p', { op: 'stop', message: 'superseded' })).taken(0);
 */
export class KubeRunControl implements RunControl {
  constructor(private readonly client: KubeClient) {}

  async send(key: RunKey, signal: RunSignal): Promise<SentSignal> {
    const ref = workflowRef(key);
    if (signal.op === 'resume') {
      await this.client.patch<Workflow>(ref, { metadata: { annotations: { [RESUME_REQUEST_ANNOTATION]: randomUUID() } }, spec: { suspend: null } }, 'merge');
      return { taken: (timeoutMs) => this.resumeTaken(key, timeoutMs) };
    }
    const shutdown = signal.op === 'stop' ? 'Stop' : 'Terminate';
    await this.client.patch<Workflow>(
      ref,
      { metadata: { annotations: { [SHUTDOWN_MESSAGE_ANNOTATION]: signal.message ?? null } }, spec: { shutdown } },
      'merge',
    );
    return { taken: async () => true };
  }

  watch(key: RunKey, handle: (signal: RunSignal) => void): { close(): void } {
    const { namespace, name } = splitRunKey(key);
    let before: Workflow | undefined;
    const watcher = new WatchObjects<Workflow>(this.client, {
      apiVersion: WORKFLOW_API,
      kind: 'Workflow',
      namespace,
      fieldSelector: `metadata.name=${name}`,
      onEvent: (event) => {
        if (event.type === 'deleted') return;
        for (const signal of workflowSignals(before, event.object)) handle(signal);
        before = event.object;
        if (hasResumeRequest(event.object)) void takeResumeRequest(this.client, key).catch(() => undefined);
      },
    });
    void watcher.start();
    return { close: () => watcher.close() };
  }

  private async resumeTaken(key: RunKey, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        if (!hasResumeRequest(await this.client.get<Workflow>(workflowRef(key)))) return true;
      } catch (error) {
        if (error instanceof KubeNotFoundError) return false;
        throw error;
      }
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Removes a resume request the driver has taken (a merge patch: no conflict with the store's writes). */
export async function takeResumeRequest(client: KubeClient, key: RunKey): Promise<void> {
  await client.patch<Workflow>(workflowRef(key), { metadata: { annotations: { [RESUME_REQUEST_ANNOTATION]: null } } }, 'merge');
}
