import type { KubeClient } from '../kube/kube-client.js';
import { SKIFF_INSTANCE_ID } from '../kube/kube-names.js';
import { LeaseLeaderElection } from '../kube/lease-leader-election.js';
import type { Runtime } from '../ports/runtime.js';
import { LeaderTerm, type LeaderTermOptions } from './leader-term.js';

export interface ControllerOptions {
  /** The API server (a KubeConnection, with its client-side rate limit). */
  connection: KubeClient;
  /** Runs the pods; shared by every term of leadership, so a new term reattaches to the pods of the last. */
  runtime: Runtime;
  /** The one namespace whose Workflows are driven; every namespace when neither this nor `namespaces` is given. */
  namespace?: string | undefined;
  /** The namespaces whose Workflows are driven (a Role in each suffices). */
  namespaces?: readonly string[] | undefined;
  /** Drives the Workflows labelled `workflows.argoproj.io/controller-instanceid` with this value; default `skiff`. */
  instanceId?: string;
  /** The Lease that elects the leader, in `leaseNamespace` (default: the connection's namespace). */
  leaseName?: string;
  leaseNamespace?: string;
  /** Who this replica is (the pod's name, plus something unique); written as the Lease's holder. */
  identity: string;
  /** Lease timings (see LeaseLeaderElection): defaults 15 s, 2 s and 10 s, as client-go's. */
  leaseDurationSeconds?: number;
  retryPeriodMs?: number;
  renewDeadlineMs?: number;
  log?: (line: string) => void;
  driver?: LeaderTermOptions['driver'];
}

/** A running controller: `close()` on SIGTERM; `term` is what the leader does now (undefined when not leading). */
export interface Controller {
  readonly isLeader: boolean;
  readonly term: LeaderTerm | undefined;
  /**
   * Stops: stops driving, and releases the lease so another replica takes over at once. With
   * `release: false` the lease is left to expire, as when a replica dies (for tests of takeover).
   */
  close(options?: { release?: boolean }): Promise<void>;
}

export const DEFAULT_LEASE_NAME = 'skiff-controller';

/**
 * Skiff's Kubernetes controller: several replicas may run; a Lease elects the one that drives
 * runs. The leader watches the Workflows of its instance id and drives them with the engine
 * (LeaderTerm); losing the lease stops that at once, and the next holder takes every unfinished
 * run up from the cluster. Returns at once; leadership comes when the lease is won.
 *
 * @example
 *   const controller = startController({ connection, runtime, identity: `${hostname()}-${process.pid}` });
 *   process.on('SIGTERM', () => void controller.close());
 */
export function startController(options: ControllerOptions): Controller {
  const log = options.log ?? (() => {});
  const instanceId = options.instanceId ?? SKIFF_INSTANCE_ID;
  const namespaces = options.namespaces ?? (options.namespace !== undefined ? [options.namespace] : undefined);
  let term: LeaderTerm | undefined;
  const election = new LeaseLeaderElection(options.connection, {
    namespace: options.leaseNamespace ?? options.connection.namespace,
    name: options.leaseName ?? DEFAULT_LEASE_NAME,
    identity: options.identity,
    ...(options.leaseDurationSeconds !== undefined ? { leaseDurationSeconds: options.leaseDurationSeconds } : {}),
    ...(options.retryPeriodMs !== undefined ? { retryPeriodMs: options.retryPeriodMs } : {}),
    ...(options.renewDeadlineMs !== undefined ? { renewDeadlineMs: options.renewDeadlineMs } : {}),
    onStartedLeading: () => {
      log(
        `${options.identity} leads: driving ${namespaces === undefined ? 'every namespace' : namespaces.map((namespace) => `namespace "${namespace}"`).join(', ')}'s runs (instance id ${instanceId})`,
      );
      term = new LeaderTerm({
        client: options.connection,
        runtime: options.runtime,
        namespaces,
        instanceId,
        log,
        ...(options.driver ? { driver: options.driver } : {}),
      });
      void term.start();
    },
    onStoppedLeading: () => {
      term?.close();
      term = undefined;
      log(`${options.identity} no longer leads: stopped driving runs`);
    },
    onError: (error) => log(`leader election: ${error.message}`),
  });
  election.start();
  return {
    get isLeader() {
      return election.isLeader;
    },
    get term() {
      return term;
    },
    close: (closeOptions = {}) => election.close(closeOptions),
  };
}
