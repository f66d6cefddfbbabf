import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';

/** How far a pod has come, as its status shows it. */
export interface PodProgress {
  /** A user container (main, or a containerSet's) is running or has run. */
  started: boolean;
  /** Running with every container ready: what a daemon's successors wait for. */
  ready: boolean;
  /** The wait container has ended (its report, if any, is in the same status update), or the pod has. */
  ended: boolean;
  /**
   * A container cannot start: `fatal` when no retry of the kubelet's mends it (an invalid image
   * name), else a condition that may clear (an image pull backing off) and fails the pod only
   * if it lasts.
   */
  stuck?: { message: string; fatal: boolean };
}

/** Waiting reasons no kubelet retry mends. */
const FATAL_WAITING = new Set(['InvalidImageName', 'ErrImageNeverPull', 'CreateContainerError', 'RunContainerError']);
/** Waiting reasons that may clear (a registry back up, a Secret created): fatal only if they last. */
const LASTING_WAITING = new Set(['ErrImagePull', 'ImagePullBackOff', 'CreateContainerConfigError', 'PreCreateHookError']);

/**
 * Reads a pod's status as the runtime needs it: started, ready, ended, or stuck. Only the
 * containers of `users` count as the step having started (not Skiff's or sidecars). Pure.
 *
 * @example podProgress(pod, ['main']) // { started: true, ready: false, ended: false }
 */
export function podProgress(pod: V1Pod, users: string[]): PodProgress {
  const status = pod.status ?? {};
  const containers = status.containerStatuses ?? [];
  const all: V1ContainerStatus[] = [...(status.initContainerStatuses ?? []), ...containers];
  const started = containers.some((c) => users.includes(c.name) && (c.state?.running !== undefined || c.state?.terminated !== undefined));
  const phase = status.phase;
  const ready = phase === 'Running' && containers.length > 0 && containers.every((c) => c.ready === true);
  const wait = containers.find((c) => c.name === 'wait');
  const ended = phase === 'Succeeded' || phase === 'Failed' || wait?.state?.terminated !== undefined;
  const progress: PodProgress = { started, ready, ended };
  for (const c of all) {
    const waiting = c.state?.waiting;
    if (!waiting?.reason) continue;
    const fatal = FATAL_WAITING.has(waiting.reason);
    if (!fatal && !LASTING_WAITING.has(waiting.reason)) continue;
    const image = c.image ? ` (image "${c.image}")` : '';
    progress.stuck = { message: `container "${c.name}"${image} cannot start: ${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}`, fatal };
    if (fatal) break;
  }
  return progress;
}
