import type { KubernetesObject } from '../spec/model/kubernetes.js';
import type { KubeClient, ResourceRef } from './kube-client.js';
import { type KubeError, KubeAlreadyExistsError, KubeConflictError, KubeNotFoundError, toKubeError } from './kube-errors.js';

/** A coordination.k8s.io/v1 Lease, the parts leader election reads and writes. */
export interface Lease extends KubernetesObject {
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

export interface LeaseLeaderElectionOptions {
  namespace: string;
  /** The Lease's name: one per controller, e.g. `skiff-controller`. */
  name: string;
  /** Who this replica is (pod name plus something unique); written as the Lease's holder. */
  identity: string;
  /** How long a holder that stops renewing keeps the lease; default 15 s (client-go's default). */
  leaseDurationSeconds?: number;
  /** How often to try to acquire, and to renew; default 2 s. */
  retryPeriodMs?: number;
  /** A leader that could not renew for this long steps down (shorter than the lease); default 10 s. */
  renewDeadlineMs?: number;
  onStartedLeading: () => void;
  /** Called when leadership is lost or given up; the caller must stop acting as leader at once. */
  onStoppedLeading: () => void;
  onError?: (error: KubeError) => void;
  /** The clock; tests pass a fake. */
  now?: () => number;
}

/**
 * Leader election over a Lease, as client-go's leaderelection does it: a replica holds the lease
 * while it renews it; the others take it over only once they have seen the same record unchanged
 * for a whole lease duration, measured on their own clock (so clocks need not agree). Every write
 * carries the resourceVersion just read, so two replicas never both win one round. `close()` gives
 * the lease up at once instead of letting it expire.
 *
 * @example
 *   const election = new LeaseLeaderElection(kube, { namespace: 'skiff', name: 'skiff-controller', identity: podName,
 *     onStartedLeading: () => controller.start(), onStoppedLeading: () => controller.stop() });
 *   election.start();
 *   await election.close(); // on shutdown
 */
export class LeaseLeaderElection {
  private leading = false;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private loop: Promise<void> | undefined;
  /** The record last read, and when (our clock) it last changed: the basis of expiry. */
  private observed: Observed | undefined;
  private lastRenewal = 0;
  private readonly ref: ResourceRef;

  constructor(
    private readonly client: KubeClient,
    private readonly options: LeaseLeaderElectionOptions,
  ) {
    this.ref = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace: options.namespace, name: options.name };
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /** Tries to acquire now and then every retry period; renews while leading. */
  start(): void {
    if (this.loop || this.closed) return;
    this.loop = this.tick();
  }

  /**
   * Stops trying; a leader steps down and releases the lease so another replica takes over at once.
   * With `release: false` the lease is left to expire, as when a replica dies (for tests of takeover).
   */
  async close(options: { release?: boolean } = {}): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.loop;
    this.stepDown();
    if (options.release === false) return;
    // Released even if this replica never heard it had won: a round in flight may have just acquired it.
    try {
      const lease = await this.client.get<Lease>(this.ref);
      if (lease.spec?.holderIdentity !== this.options.identity) return;
      // As client-go's ReleaseOnCancel: an empty holder and a one-second lease, so others need not wait.
      await this.client.replace<Lease>({ ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(this.now()) } });
    } catch (error) {
      this.options.onError?.(toKubeError(error, this.ref));
    }
  }

  /**
   * One round: acquire the lease if it is free or expired, renew it if held. True when this replica
   * holds it afterwards. Conflicts (another replica wrote first) are a lost round, not an error.
   */
  async tryAcquireOrRenew(): Promise<boolean> {
    const now = this.now();
    const duration = this.options.leaseDurationSeconds ?? 15;
    let lease: Lease;
    try {
      lease = await this.client.get<Lease>(this.ref);
    } catch (error) {
      if (!(error instanceof KubeNotFoundError)) throw error;
      const spec = {
        holderIdentity: this.options.identity,
        leaseDurationSeconds: duration,
        acquireTime: microTime(now),
        renewTime: microTime(now),
        leaseTransitions: 0,
      };
      try {
        await this.client.create<Lease>({
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: this.ref.name, namespace: this.ref.namespace },
          spec,
        });
        this.observed = observe(spec, now);
        return true;
      } catch (createError) {
        if (createError instanceof KubeAlreadyExistsError) return false;
        throw createError;
      }
    }
    const spec = lease.spec ?? {};
    const seen = observe(spec, now);
    if (this.observed?.record !== seen.record) this.observed = seen;
    const mine = spec.holderIdentity === this.options.identity;
    const free = !spec.holderIdentity;
    const expired = this.observed.at + (spec.leaseDurationSeconds ?? duration) * 1000 <= now;
    if (!mine && !free && !expired) return false;
    const next: Lease = {
      ...lease,
      spec: {
        ...spec,
        holderIdentity: this.options.identity,
        leaseDurationSeconds: duration,
        renewTime: microTime(now),
        ...(mine ? {} : { acquireTime: microTime(now), leaseTransitions: (spec.leaseTransitions ?? 0) + 1 }),
      },
    };
    try {
      const written = await this.client.replace<Lease>(next);
      this.observed = observe(written.spec ?? {}, now);
      return true;
    } catch (error) {
      if (error instanceof KubeConflictError) return false;
      throw error;
    }
  }

  private async tick(): Promise<void> {
    if (this.closed) return;
    let held = false;
    try {
      held = await this.tryAcquireOrRenew();
    } catch (error) {
      this.options.onError?.(toKubeError(error, this.ref));
    }
    if (this.closed) return;
    const now = this.now();
    if (held) {
      this.lastRenewal = now;
      if (!this.leading) {
        this.leading = true;
        this.options.onStartedLeading();
      }
    } else if (this.leading) {
      // Another holder in the lease means it is lost: step down at once. A leader that merely could
      // not reach the server keeps leading until the renew deadline, still inside its lease.
      const takenOver = this.observed !== undefined && this.observed.holder !== this.options.identity;
      if (takenOver || now - this.lastRenewal >= (this.options.renewDeadlineMs ?? 10_000)) this.stepDown();
    }
    this.timer = setTimeout(() => {
      this.loop = this.tick();
    }, this.options.retryPeriodMs ?? 2000);
  }

  private stepDown(): void {
    if (!this.leading) return;
    this.leading = false;
    this.options.onStoppedLeading();
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}

interface Observed {
  record: string;
  holder: string;
  at: number;
}

// The fields whose change shows the holder alive; `at` is when this replica saw them change.
function observe(spec: NonNullable<Lease['spec']>, at: number): Observed {
  return { record: JSON.stringify([spec.holderIdentity, spec.renewTime, spec.leaseDurationSeconds]), holder: spec.holderIdentity ?? '', at };
}

/** A MicroTime as the API server parses it: RFC 3339 with exactly six fractional digits. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
