import type { V1Pod } from '@kubernetes/client-node';
import type { ExecutorReportChannel, PodRef } from '../../ports/executor-reports.js';
import type { RuntimeEvent } from '../../ports/runtime.js';
import { podOutcome } from '../local/pod-outcome.js';

/** What Kubernetes says when it ends a pod for running past activeDeadlineSeconds (the kubelet's words). */
export const DEADLINE_MESSAGE = 'Pod was active on the node longer than the specified deadline';

/**
 * The one event for a pod that ended in a cluster (or vanished). A pod whose wait container filed
 * its report ends as every runtime's pod does (podOutcome: init failures, main's exit code, the
 * outputs). One that ended without a report says why in words a person can act on: evicted,
 * past its deadline, killed for memory, deleted by someone else; never a run left waiting.
 */
export async function clusterPodOutcome(
  nodeId: string,
  pod: V1Pod | undefined,
  ref: PodRef,
  reports: ExecutorReportChannel,
  containerSet: boolean,
  /** The deleted pod's last copy, when `pod` is undefined because it vanished: it may say who took it. */
  lastSeen?: V1Pod,
): Promise<RuntimeEvent> {
  const filed = await reports.read(ref);
  if (filed && !filed.malformed && pod) return podOutcome(nodeId, pod.status, ref, reports, [], containerSet);
  const error = (message: string): RuntimeEvent => ({ type: 'pod-error', nodeId, message });
  if (filed?.malformed && filed.report.error) return error(`failed to collect the outputs: ${filed.report.error}`);
  if (!pod) return error(deletedMessage(ref.podName, lastSeen));
  const status = pod.status ?? {};
  if (status.reason === 'Evicted') return error(`pod ${ref.podName} was evicted from its node: ${status.message ?? 'no reason given'}`);
  if (status.reason === 'DeadlineExceeded') return { type: 'pod-finished', nodeId, exitCode: 137, message: DEADLINE_MESSAGE };
  const init = (status.initContainerStatuses ?? []).find((c) => (c.state?.terminated?.exitCode ?? 0) !== 0);
  if (init) return podOutcome(nodeId, status, ref, reports, [], containerSet);
  const containers = status.containerStatuses ?? [];
  const oom = containers.find((c) => c.state?.terminated?.reason === 'OOMKilled');
  if (oom && oom.name !== 'wait')
    return { type: 'pod-finished', nodeId, exitCode: oom.state!.terminated!.exitCode, message: `OOMKilled (exit code ${oom.state!.terminated!.exitCode})` };
  if (oom) return error(`the wait container ran out of memory (OOMKilled) before it filed the step's outputs; give it more with podSpecPatch`);
  if (pod.metadata?.deletionTimestamp) return error(deletedMessage(ref.podName, pod));
  const wait = containers.find((c) => c.name === 'wait')?.state?.terminated;
  if (wait) {
    const told = wait.message?.trim();
    return error(
      `the wait container ended (exit code ${wait.exitCode}${wait.reason ? `, ${wait.reason}` : ''}) without filing the step's outputs${told ? `: ${told.slice(0, 1024)}` : ''}`,
    );
  }
  return error(
    `pod ${ref.podName} ended (${status.phase ?? 'no phase'}${status.message ? `: ${status.message}` : ''}) before its wait container filed the outputs`,
  );
}

/** Kubernetes' reasons on a pod's DisruptionTarget condition, in a person's words. */
const DISRUPTIONS: Record<string, string> = {
  EvictionByEvictionAPI: 'evicted through the Eviction API (a node drain, or a kubectl or autoscaler eviction)',
  PreemptionByScheduler: 'preempted by the scheduler for a pod of higher priority',
  DeletionByTaintManager: 'deleted by the taint manager (its node got a NoExecute taint it does not tolerate)',
  TerminationByKubelet: 'ended by the kubelet (node pressure or a node shutdown)',
  DeletionByPodGC: 'deleted by the pod garbage collector (its node is gone)',
};

/**
 * Why a pod that vanished mid-step is gone: Kubernetes marks a pod it disrupts with a
 * DisruptionTarget condition before deleting it; without one, someone deleted it.
 */
function deletedMessage(podName: string, pod: V1Pod | undefined): string {
  const target = pod?.status?.conditions?.find((c) => c.type === 'DisruptionTarget' && c.status === 'True');
  if (target?.reason) {
    const how = DISRUPTIONS[target.reason] ?? `disrupted (${target.reason})`;
    return `pod ${podName} was ${how} before it finished${target.message ? `: ${target.message}` : ''}; its outputs are lost`;
  }
  return `pod ${podName} was deleted before it finished (by something other than Skiff); its outputs are lost`;
}
