import type { V1Container } from '@kubernetes/client-node';
import type { PodNetwork } from './pod-network.js';
import { watchReadiness } from './readiness-probe.js';

/** How long a pod's relay may take to start before the pod is failed. */
export const RELAY_START_MS = 15_000;

export interface ReadinessHooks {
  /** The container's `ready` changed. */
  setReady(ready: boolean): void;
  /** A line for the container's log (why it is not ready yet). */
  log(line: string): void;
  /** The container cannot work here: end it with this message. */
  fail(message: string): void;
}

/**
 * Decides when a container with a network of its own is ready: once the pod's relay answers
 * (before that nothing reaches the container), and then as its readiness probe says; with no
 * probe, at once, as Kubernetes does.
 */
export function followReadiness(container: V1Container, network: PodNetwork, hooks: ReadinessHooks): { stop(): void } {
  let stopped = false;
  let probe: { stop(): void } | undefined;
  network.waitForRelay(RELAY_START_MS).then(
    () => {
      if (stopped) return;
      if (!container.readinessProbe) return hooks.setReady(true);
      probe = watchReadiness(container.readinessProbe, container, network, {
        onReady: (ready) => hooks.setReady(ready),
        onFailure: (reason) => hooks.log(`skiff: readiness probe: ${reason}`),
      });
    },
    (error: Error) => {
      if (!stopped) hooks.fail(`the local network relay of the pod did not start: ${error.message}`);
    },
  );
  return {
    stop() {
      stopped = true;
      probe?.stop();
    },
  };
}
