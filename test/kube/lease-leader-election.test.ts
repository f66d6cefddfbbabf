// LeaseLeaderElection over an in-memory Lease with resourceVersion checks and a fake clock: a leader
// that cannot reach the server keeps leading until the renew deadline, then steps down; a
// conflicting write is a lost round, not an error.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KubeClient } from '../../src/kube/kube-client.js';
import { KubeAlreadyExistsError, KubeConflictError, type KubeError, KubeNotFoundError, KubeUnavailableError } from '../../src/kube/kube-errors.js';
import { type Lease, LeaseLeaderElection } from '../../src/kube/lease-leader-election.js';

const init = (reason: string, status: number | undefined) => ({
  status,
  reason,
  object: { kind: 'Lease', namespace: 'skiff', name: 'leader' },
  serverMessage: '',
});

class FakeLeases {
  lease: Lease | undefined;
  down = false;
  version = 0;
  /** Another replica writes between our read and our write, once. */
  raceOnce = false;

  private check(): void {
    if (this.down) throw new KubeUnavailableError('unreachable', init('ECONNREFUSED', undefined));
  }

  async get(): Promise<Lease> {
    this.check();
    if (!this.lease) throw new KubeNotFoundError('not found', init('NotFound', 404));
    return structuredClone(this.lease);
  }

  async create(lease: Lease): Promise<Lease> {
    this.check();
    if (this.lease) throw new KubeAlreadyExistsError('exists', init('AlreadyExists', 409));
    this.lease = { ...lease, metadata: { ...lease.metadata, resourceVersion: String(++this.version) } };
    return structuredClone(this.lease);
  }

  async replace(lease: Lease): Promise<Lease> {
    this.check();
    if (this.raceOnce && this.lease) {
      this.raceOnce = false;
      this.lease.metadata.resourceVersion = String(++this.version);
    }
    if (lease.metadata.resourceVersion !== String(this.version)) throw new KubeConflictError('conflict', init('Conflict', 409));
    this.lease = { ...lease, metadata: { ...lease.metadata, resourceVersion: String(++this.version) } };
    return structuredClone(this.lease);
  }

  asClient(): KubeClient {
    return this as unknown as KubeClient;
  }
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 2));
  assert.ok(condition(), 'condition not reached');
}

describe('LeaseLeaderElection', () => {
  test('keeps leading through failed renewals until the renew deadline, then steps down', async () => {
    const leases = new FakeLeases();
    let clock = 1_000_000;
    const log: string[] = [];
    const errors: KubeError[] = [];
    const election = new LeaseLeaderElection(leases.asClient(), {
      namespace: 'skiff',
      name: 'leader',
      identity: 'a',
      retryPeriodMs: 1,
      renewDeadlineMs: 10_000,
      now: () => clock,
      onStartedLeading: () => log.push('start'),
      onStoppedLeading: () => log.push('stop'),
      onError: (error) => errors.push(error),
    });
    election.start();
    await until(() => election.isLeader);
    leases.down = true;
    clock += 9_000;
    await until(() => errors.length >= 3);
    assert.equal(election.isLeader, true, 'still inside the renew deadline');
    clock += 1_000;
    await until(() => !election.isLeader);
    assert.deepEqual(log, ['start', 'stop']);
    assert.ok(errors.every((e) => e instanceof KubeUnavailableError));
    leases.down = false;
    await election.close();
  });

  test('a write that loses the race is a lost round, and the lease says who won', async () => {
    const leases = new FakeLeases();
    const clock = 5_000;
    const a = new LeaseLeaderElection(leases.asClient(), {
      namespace: 'skiff',
      name: 'leader',
      identity: 'a',
      now: () => clock,
      onStartedLeading: () => {},
      onStoppedLeading: () => {},
    });
    assert.equal(await a.tryAcquireOrRenew(), true);
    leases.raceOnce = true;
    assert.equal(await a.tryAcquireOrRenew(), false);
    assert.equal(await a.tryAcquireOrRenew(), true);
    assert.equal(leases.lease?.spec?.holderIdentity, 'a');
    assert.equal(leases.lease?.spec?.leaseTransitions, 0, 'renewals are no transitions');
  });
});
