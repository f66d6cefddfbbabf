import type { KubeClient } from '../kube/kube-client.js';
import type { Runtime } from '../ports/runtime.js';

export interface ControllerRuntimeOptions {
  /** The image whose `skiff executor init|wait` runs in every pod. */
  executorImage?: string | undefined;
}

/** The cluster runtime is not part of this build yet: `skiff controller` says so and exits. */
export class ControllerRuntimeUnavailableError extends Error {
  override name = 'ControllerRuntimeUnavailableError';
}

/**
 * The Runtime `skiff controller` drives its runs with: pods in the cluster (KubeRuntime, from
 * runtime/cluster). The one place where the controller meets it, so the controller and its
 * tests depend only on the Runtime port.
 */
export function createControllerRuntime(_connection: KubeClient, _options: ControllerRuntimeOptions): Runtime {
  throw new ControllerRuntimeUnavailableError(
    'this build of skiff has no cluster runtime yet (pods for steps): skiff controller cannot run workflows; the run commands against a cluster (--kubeconfig) work, and runs wait for a controller',
  );
}
