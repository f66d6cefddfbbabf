import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import type { PodRequest } from '../../engine/engine-events.js';
import type { RuntimeEvent } from '../../ports/runtime.js';
import { readText, reportOutputs } from './pod-outcome.js';
import { type ExecutorReport, REPORT_PATH, RUN_DIR, RUN_VOLUME } from '../pod-spec/executor-plan.js';

/**
 * The end of a pod that a driver before this one asked for, as the pod recorded it in its own
 * directory: the wait container's report, its last act, written once main has ended and the
 * outputs are collected and saved. A driver killed after that write and before it journaled the
 * end would otherwise run the step a second time; with this the step runs once, and its outputs
 * are the ones it produced. Undefined when no whole report of this attempt is there (the pod was
 * cut short, or the report is older than the node): the pod must then run again.
 *
 * @example
 * const ended = request.askedBefore ? await recordedPodEnd(request, layout.podDir(runId, request.podName)) : undefined;
 * if (ended) report(ended);
 */
export async function recordedPodEnd(request: PodRequest, podDir: string): Promise<RuntimeEvent | undefined> {
  if (request.askedBefore === undefined || request.template.daemon === true) return undefined;
  const runDir = join(podDir, 'volumes', RUN_VOLUME);
  const path = join(runDir, REPORT_PATH.slice(RUN_DIR.length));
  let report: ExecutorReport;
  let writtenAt: number;
  try {
    // The user's containers write this volume too: no link is followed, no FIFO waited on.
    writtenAt = (await lstat(path)).mtimeMs;
    const text = await readText(path, runDir);
    if (text === undefined) return undefined;
    report = JSON.parse(text) as ExecutorReport;
  } catch {
    return undefined; // none, or cut short by the kill: run it again
  }
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
