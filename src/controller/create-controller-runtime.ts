import type { Repository } from '../artifacts/index.js';
import type { KubeClient } from '../kube/kube-client.js';
import { createKubeRuntime, type KubeRuntime } from '../runtime/cluster/kube-runtime.js';

export interface ControllerRuntimeOptions {
  /** The image whose `skiff executor init|wait` runs in every pod. */
  executorImage?: string | undefined;
  /** The controller's instance id: its pods carry it, and only they are watched. */
  instanceId?: string | undefined;
  /** The one namespace whose pods are watched; every namespace when neither this nor `namespaces` is given. */
  namespace?: string | undefined;
  /** The namespaces whose pods are watched. */
  namespaces?: readonly string[] | undefined;
  /** Who resource templates act as (see KubeRuntimeOptions); default the step's service account. */
  resourceStepsAs?: 'service-account' | 'controller' | undefined;
  /** Told of what went wrong without failing a node (a pod that could not be garbage collected). */
  warn?: (message: string) => void;
  /** Argo's controller default: the repository when neither the workflow nor its namespace names one. */
  defaultRepository?: Repository | undefined;
}

/**
 * The Runtime `skiff controller` drives its runs with: pods in the cluster (KubeRuntime, from
 * runtime/cluster). The one place where the controller meets it, so the controller and its
 * tests depend only on the Runtime port. It starts watching pods on its first pod; `close()` stops
 * watching and leaves the pods running, for the next leader to reattach to.
 */
export function createControllerRuntime(connection: KubeClient, options: ControllerRuntimeOptions): KubeRuntime {
  return createKubeRuntime({
    client: connection,
    ...(options.executorImage !== undefined ? { executorImage: options.executorImage } : {}),
    ...(options.namespaces !== undefined
      ? { namespaces: [...options.namespaces] }
      : options.namespace !== undefined
        ? { namespaces: [options.namespace] }
        : {}),
    ...(options.instanceId !== undefined ? { instanceId: options.instanceId } : {}),
    ...(options.resourceStepsAs !== undefined ? { resourceStepsAs: options.resourceStepsAs } : {}),
    ...(options.warn ? { warn: options.warn } : {}),
    ...(options.defaultRepository ? { defaultRepository: options.defaultRepository } : {}),
  });
}
