import type { ExecutorReport } from '../runtime/pod-spec/executor-plan.js';
import type { RunKey } from './run-key.js';

/** Which pod: its run (whose namespace it is in) and its name. */
export interface PodRef {
  run: RunKey;
  podName: string;
}

/** A pod's report as its executor filed it, and when (ms since the epoch). */
export interface FiledReport {
  report: ExecutorReport;
  filedAt: number;
  /** The report was there but not JSON (`report.error` says so): cut short, or written by something else. */
  malformed?: true;
}

/**
 * The one channel by which a pod's outputs reach the engine. The wait container (`skiff executor
 * wait`) files an ExecutorReport as its last act, once main has ended and the outputs are saved;
 * the runtime reads it before it reports the pod finished, so a node completes only with its
 * outputs recorded. Locally the report is a file in the pod's run volume, read from the host
 * without following links (RunVolumeReports); a cluster runtime fills the same port.
 *
 * @example
 *   const filed = await reports.read({ run: 'ci/build-x7k2p', podName: 'build-x7k2p-compile-1234' });
 *   if (filed && filed.report.error === undefined) outputs = filed.report.parameters;
 */
export interface ExecutorReportChannel {
  /** The pod's report; undefined when none (whole) was filed. A report that is not JSON reads as `{ error }`. */
  read(pod: PodRef): Promise<FiledReport | undefined>;
  /** What a container of the pod left in its termination log (why an init or wait container failed), if anything. */
  terminationMessage(pod: PodRef, container: string): Promise<string | undefined>;
}
