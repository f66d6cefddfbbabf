import type { V1Pod } from '@kubernetes/client-node';
import type { ArtifactDriver, StorageLocation } from '../../artifacts/index.js';
import { locationKey, withKey } from '../../artifacts/artifact-location.js';
import type { ExecutorReportChannel, FiledReport, PodRef } from '../../ports/executor-reports.js';
import { type ExecutorPlan, PLAN_ENV } from '../pod-spec/executor-plan.js';
import { parseReportMessage, verifiedPointedReport } from '../pod-spec/report-message.js';

/** The most read of a report stored in the repository (one too long for the termination message). */
const OVERFLOW_READ_LIMIT = 16 << 20;

export interface KubeExecutorReportsOptions {
  /** The pod as last seen (the runtime's informer copy), or undefined when it is gone. */
  podOf(pod: PodRef): V1Pod | undefined;
  /** A driver to read a long report from the run's repository, with the namespace's credentials. */
  driverFor(namespace: string): ArtifactDriver;
}

/**
 * The executor report channel of a cluster: the wait container's termination message, which the
 * kubelet writes into the pod's status in the same update as the container's end, so a pod's
 * outputs are visible exactly when its end is (no pod-phase-versus-result race), and a step's
 * pod needs no API credentials to report. A report longer than the message's 4096 bytes was
 * stored in the run's artifact repository at the location the pod's own plan named; the message
 * then holds its key, size and SHA-256, checked here before the report is believed.
 *
 * @example
 *   const reports = new KubeExecutorReports({ podOf: (ref) => pods.get(ref), driverFor: (ns) => createArtifactDriver({ secrets, namespace: ns }) });
 */
export class KubeExecutorReports implements ExecutorReportChannel {
  constructor(private readonly options: KubeExecutorReportsOptions) {}

  async read(ref: PodRef): Promise<FiledReport | undefined> {
    const pod = this.options.podOf(ref);
    const ended = pod?.status?.containerStatuses?.find((c) => c.name === 'wait')?.state?.terminated;
    if (!pod || !ended) return undefined;
    const filedAt = ended.finishedAt ? new Date(ended.finishedAt).getTime() : Date.now();
    const parsed = parseReportMessage(ended.message);
    if (!parsed) return undefined;
    if ('report' in parsed) return { report: parsed.report, filedAt };
    try {
      const overflow = planOf(pod)?.report?.overflow;
      if (!overflow) throw new Error('the pod names no repository location for a long report');
      // The pointer may only name the location the pod's plan gave: a message cannot send Skiff elsewhere.
      if (parsed.pointer.key !== locationKey(overflow)) throw new Error(`the report pointer names ${parsed.pointer.key}, not the pod's own report location`);
      const bytes = await readAll(this.options.driverFor(pod.metadata?.namespace ?? 'default'), withKey(overflow, parsed.pointer.key), parsed.pointer.size);
      return { report: verifiedPointedReport(parsed.pointer, bytes), filedAt };
    } catch (error) {
      return { report: { error: `cannot read the outputs stored in the artifact repository: ${(error as Error).message}` }, filedAt, malformed: true };
    }
  }

  async terminationMessage(ref: PodRef, container: string): Promise<string | undefined> {
    const status = this.options.podOf(ref)?.status;
    const found = [...(status?.initContainerStatuses ?? []), ...(status?.containerStatuses ?? [])].find((c) => c.name === container);
    const message = found?.state?.terminated?.message?.trim();
    if (!message) return undefined;
    // A report is not a reason; its error is.
    const parsed = parseReportMessage(message);
    if (parsed && 'report' in parsed) return parsed.report.error;
    return message;
  }
}

function planOf(pod: V1Pod): ExecutorPlan | undefined {
  const value = pod.spec?.containers.find((c) => c.name === 'wait')?.env?.find((e) => e.name === PLAN_ENV)?.value;
  try {
    return value ? (JSON.parse(value) as ExecutorPlan) : undefined;
  } catch {
    return undefined;
  }
}

async function readAll(driver: ArtifactDriver, location: StorageLocation, size: number): Promise<Buffer> {
  if (size > OVERFLOW_READ_LIMIT) throw new Error(`the stored report is ${size} bytes, more than the ${OVERFLOW_READ_LIMIT} Skiff reads`);
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of await driver.openRead(location)) {
      total += chunk.length;
      if (total > OVERFLOW_READ_LIMIT) throw new Error(`the stored report is more than ${OVERFLOW_READ_LIMIT} bytes`);
      chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  } finally {
    driver.close();
  }
}
