import type { V1PodStatus } from '@kubernetes/client-node';
import type { RuntimeEvent } from '../../ports/runtime.js';
import { readStepFile } from '../../executor/read-step-file.js';
import type { ExecutorReportChannel, PodRef } from '../../ports/executor-reports.js';
import type { ExecutorReport } from '../pod-spec/executor-plan.js';

type PodFinished = Extract<RuntimeEvent, { type: 'pod-finished' }>;

/**
 * Turns a pod that ran to its end into the one event the engine gets: `pod-error` when the pod
 * could not do its job (init failed, main could not start, wait could not collect the outputs),
 * else `pod-finished` with main's exit code and the outputs wait collected, and for a
 * containerSet how each of its containers ended (one that could not start fails on its own).
 */
export async function podOutcome(
  nodeId: string,
  status: V1PodStatus | undefined,
  pod: PodRef,
  reports: ExecutorReportChannel,
  warnings: string[],
  containerSet: boolean,
): Promise<RuntimeEvent> {
  const error = (message: string): RuntimeEvent => ({ type: 'pod-error', nodeId, message });
  for (const init of status?.initContainerStatuses ?? []) {
    const ended = init.state?.terminated;
    if (ended && ended.exitCode !== 0) {
      const told = await reports.terminationMessage(pod, init.name);
      return error(told ?? ended.message ?? `init container "${init.name}" failed with exit code ${ended.exitCode}`);
    }
  }
  const users = (status?.containerStatuses ?? []).filter((c) => c.name !== 'wait');
  const main = users.find((c) => c.name === 'main')?.state?.terminated;
  const report = (await reports.read(pod))?.report;
  // On a busy node the kubelet can show wait's end before main's: main's end reached wait through
  // the wrapper, whose report carries the exit codes, so a report that has them stands for it.
  const reported = report !== undefined && report.error === undefined && (containerSet ? report.containers !== undefined : report.exitCode !== undefined);
  if (containerSet && !reported && !users.some((c) => c.state?.terminated)) return error(status?.message ?? 'the pod ended before its containers ran');
  if (!containerSet && !reported && !main) return error(status?.message ?? 'the pod ended before its main container ran');
  if (!containerSet && main && main.exitCode === 128 && main.message) return error(main.message);
  if (!report || report.error !== undefined) {
    const told = await reports.terminationMessage(pod, 'wait');
    return error(`failed to collect the outputs: ${report?.error ?? told ?? 'the wait container failed (see its log)'}`);
  }
  const outputs = reportOutputs(report);
  const exitCode = main?.exitCode ?? report.exitCode ?? 1;
  const event: Extract<RuntimeEvent, { type: 'pod-finished' }> = { type: 'pod-finished', nodeId, exitCode, outputs };
  if (report.containers) {
    event.containers = report.containers.map((c) => {
      const terminated = users.find((u) => u.name === c.name)?.state?.terminated;
      // Exit code 128 with a message is a container the sandbox could not start (see run-pod).
      const message = terminated?.exitCode === 128 && terminated.message ? terminated.message : undefined;
      return { ...c, ...(message ? { message } : {}) };
    });
  }
  const failed = exitCode !== 0 || (event.containers ?? []).some((c) => c.exitCode !== 0);
  // The engine names a failed containerSet member itself; the warnings only add why it may have failed.
  if (failed && warnings.length > 0) event.message = report.containers ? warnings.join('; ') : `Error (exit code ${exitCode}); ${warnings.join('; ')}`;
  return event;
}

/** The outputs an executor report carries, in the shape the engine's pod-finished event takes. */
export function reportOutputs(report: ExecutorReport): NonNullable<PodFinished['outputs']> {
  const outputs: NonNullable<PodFinished['outputs']> = {};
  if (report.parameters) outputs.parameters = report.parameters;
  if (report.result !== undefined) outputs.result = report.result;
  if (report.artifacts) outputs.artifacts = report.artifacts;
  return outputs;
}

/**
 * A file the pod left in its run volume (the wait container's report, a termination log). The
 * user's containers write that volume too, so a link there is not followed (it could lead to any
 * file Skiff can read), a FIFO does not block, and at most `limit` bytes are read.
 */
export async function readText(path: string, runDir: string, limit = 16 << 20): Promise<string | undefined> {
  try {
    const found = await readStepFile(path, { under: runDir, limit });
    return found.kind === 'file' ? found.text : undefined;
  } catch {
    return undefined;
  }
}
