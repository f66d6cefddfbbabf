import type { PodRequest } from '../../engine/engine-events.js';
import type { ExecutorReportChannel, PodRef } from '../../ports/executor-reports.js';
import type { RuntimeEvent } from '../../ports/runtime.js';
import { reportOutputs } from './pod-outcome.js';

/**
 * The end of a pod that a driver before this one asked for, as the pod filed it through the
 * executor report channel: the wait container's report, its last act, written once main has ended and the
 * outputs are collected and saved. A driver killed after that write and before it journaled the
 * end would otherwise run the step a second time; with this the step runs once, and its outputs
 * are the ones it produced. Undefined when no whole report of this attempt is there (the pod was
 * cut short, or the report is older than the node): the pod must then run again.
 *
 * @example
 * const ended = await recordedPodEnd(request, { run, podName: request.podName }, reports);
 * if (ended) report(ended);
 */
export async function recordedPodEnd(request: PodRequest, pod: PodRef, reports: ExecutorReportChannel): Promise<RuntimeEvent | undefined> {
  if (request.askedBefore === undefined || request.template.daemon === true) return undefined;
  const filed = await reports.read(pod);
  // None, or cut short by the kill: run it again.
  if (!filed || filed.malformed) return undefined;
  const { report, filedAt: writtenAt } = filed;
  // A report from before the node was created is an earlier attempt's (a retried step).
  if (writtenAt < Date.parse(request.askedBefore)) return undefined;
  // Argo's times are whole seconds.
  const finishedAt = new Date(writtenAt).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const { nodeId } = request;
  if (report.error !== undefined) return { type: 'pod-error', nodeId, message: `failed to collect the outputs: ${report.error}` };
  const exitCode = report.exitCode;
  if (exitCode === undefined) return undefined;
  const outputs = reportOutputs(report);
  return { type: 'pod-finished', nodeId, exitCode, outputs, finishedAt, ...(report.containers ? { containers: report.containers } : {}) };
}
