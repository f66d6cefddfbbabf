import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExecutorReportChannel, FiledReport, PodRef } from '../../ports/executor-reports.js';
import { type ExecutorReport, REPORT_PATH, RUN_DIR } from '../pod-spec/executor-plan.js';
import { readText } from './pod-outcome.js';

/**
 * The executor report channel of the local runtime: the wait container writes its report into
 * the pod's run volume, a directory on this machine, and the runtime reads it from the host. The
 * user's containers write that volume too, so nothing there is trusted: no link is followed, no
 * FIFO waited on, and at most 16 MiB of a report (64 KiB of a termination log) is read.
 *
 * @example
 *   const reports = new RunVolumeReports((pod) => join(layout.podDir(pod.run, pod.podName), 'volumes', RUN_VOLUME));
 */
export class RunVolumeReports implements ExecutorReportChannel {
  constructor(private readonly runVolumeOf: (pod: PodRef) => string) {}

  async read(pod: PodRef): Promise<FiledReport | undefined> {
    const runDir = this.runVolumeOf(pod);
    const path = join(runDir, REPORT_PATH.slice(RUN_DIR.length));
    let filedAt: number;
    try {
      filedAt = (await lstat(path)).mtimeMs;
    } catch {
      return undefined;
    }
    const text = await readText(path, runDir);
    if (text === undefined) return undefined;
    try {
      return { report: JSON.parse(text) as ExecutorReport, filedAt };
    } catch {
      return { report: { error: `the wait container's report is not JSON` }, filedAt, malformed: true };
    }
  }

  terminationMessage(pod: PodRef, container: string): Promise<string | undefined> {
    const runDir = this.runVolumeOf(pod);
    return readText(join(runDir, 'ctr', container, 'termination-log'), runDir, 64 << 10);
  }
}
