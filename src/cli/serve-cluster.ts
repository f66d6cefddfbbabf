import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { createControllerRuntime } from '../controller/create-controller-runtime.js';
import { type Controller, type ControllerOptions, startController } from '../controller/start-controller.js';
import type { Repository } from '../artifacts/index.js';
import type { KubeClient } from '../kube/kube-client.js';
import type { Runtime } from '../ports/runtime.js';
import type { ClusterTarget } from './cluster-target.js';
import { ClusterRunLauncher } from './cluster-run-launcher.js';

/** Who drives `skiff serve`'s runs on a cluster: a controller in the same process, or a separate `skiff controller`. */
export type ControllerMode = 'embedded' | 'external';

export interface ServeClusterOptions {
  controller: ControllerMode;
  /** The namespaces runs are created in, followed in and driven in; every namespace when undefined. */
  namespaces?: readonly string[] | undefined;
  /** The image that runs `skiff executor` in each pod (the embedded controller's). */
  executorImage?: string | undefined;
  /** The embedded controller's default artifact repository (Argo's controller default). */
  defaultRepository?: Repository | undefined;
  /** Who this replica is in the controller's Lease; default the pod's name or host, plus something unique. */
  identity?: string;
  /** The runtime the embedded controller drives pods with; default the cluster's (tests may pass their own). */
  runtime?: Runtime & { close?(): Promise<void> };
  /** Lease timings (tests shorten them). */
  lease?: Pick<ControllerOptions, 'leaseDurationSeconds' | 'retryPeriodMs' | 'renewDeadlineMs' | 'leaseNamespace'>;
  log: (line: string) => void;
}

export interface ServeCluster {
  client: KubeClient;
  launcher: ClusterRunLauncher;
  /** The embedded controller; undefined with an external one. */
  controller: Controller | undefined;
  close(): Promise<void>;
}

/**
 * `skiff serve` against a cluster: runs are Workflows there (ClusterRunLauncher), and with the
 * embedded controller this process also drives them. The controller is leader-elected by the same
 * Lease `skiff controller` uses, so several serve replicas (and separate controllers) drive each
 * run once.
 */
export function openServeCluster(target: ClusterTarget, options: ServeClusterOptions): ServeCluster {
  const launcher = new ClusterRunLauncher(target, {
    namespaces: options.namespaces,
    onWatchError: (error) => options.log(`skiff serve: watching Workflows: ${error.message}`),
  });
  let controller: Controller | undefined;
  let runtime: (Runtime & { close?(): Promise<void> }) | undefined;
  if (options.controller === 'embedded') {
    runtime =
      options.runtime ??
      createControllerRuntime(target.client, {
        executorImage: options.executorImage,
        namespaces: options.namespaces,
        warn: options.log,
        defaultRepository: options.defaultRepository,
      });
    controller = startController({
      connection: target.client,
      namespaces: options.namespaces,
      runtime,
      identity: options.identity ?? `${process.env.POD_NAME ?? hostname()}-${randomUUID().slice(0, 8)}`,
      log: (line) => options.log(`skiff serve: controller: ${line}`),
      ...options.lease,
    });
  }
  return {
    client: target.client,
    launcher,
    controller,
    async close() {
      launcher.close();
      await controller?.close();
      // Pods keep running: the next leader reattaches to them.
      await runtime?.close?.();
    },
  };
}
