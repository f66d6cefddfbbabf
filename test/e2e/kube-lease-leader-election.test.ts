// Leader election over a real Lease on kube-apiserver: one winner per round, a takeover only
// after the holder stops renewing for a lease duration, and an immediate handover on close().
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { KubeConnection } from '../../src/kube/kube-connection.js';
import { type Lease, LeaseLeaderElection, type LeaseLeaderElectionOptions } from '../../src/kube/lease-leader-election.js';
import { startSkiffKube, type KubeEnv } from '../env/kube/index.js';

const NAMESPACE = 'default';

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('LeaseLeaderElection against kube-apiserver', () => {
  let kube: KubeEnv;
  let client: KubeConnection;

  before(async () => {
    ({ kube, client } = await startSkiffKube());
  });

  after(async () => {
    await kube?.stop();
  });

  function election(name: string, identity: string, extra: Partial<LeaseLeaderElectionOptions> = {}): LeaseLeaderElection {
    return new LeaseLeaderElection(client, {
      namespace: NAMESPACE,
      name,
      identity,
      leaseDurationSeconds: 1,
      retryPeriodMs: 100,
      renewDeadlineMs: 800,
      onStartedLeading: () => {},
      onStoppedLeading: () => {},
      ...extra,
    });
  }

  const readLease = (name: string) => client.get<Lease>({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace: NAMESPACE, name });

  test('the first replica creates and holds the lease; the other waits until it is not renewed', async () => {
    const a = election('rounds', 'replica-a');
    const b = election('rounds', 'replica-b');
    assert.equal(await a.tryAcquireOrRenew(), true);
    assert.equal(await b.tryAcquireOrRenew(), false);
    const first = await readLease('rounds');
    assert.equal(first.spec?.holderIdentity, 'replica-a');
    assert.match(first.spec?.renewTime ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);

    await new Promise((resolve) => setTimeout(resolve, 600));
    assert.equal(await a.tryAcquireOrRenew(), true, 'the holder renews');
    assert.equal(await b.tryAcquireOrRenew(), false, 'a renewed lease is not taken, whatever the time since acquiring');

    // replica-a stops renewing; b takes over once it has seen the same record for a lease duration.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    assert.equal(await b.tryAcquireOrRenew(), true);
    const taken = await readLease('rounds');
    assert.equal(taken.spec?.holderIdentity, 'replica-b');
    assert.equal(taken.spec?.leaseTransitions, 1);
    assert.equal(await a.tryAcquireOrRenew(), false, 'the old holder sees it lost');
  });

  test('start() leads one replica at a time, and close() hands over at once', async () => {
    const log: string[] = [];
    const a = election('loop', 'replica-a', { onStartedLeading: () => log.push('a leads'), onStoppedLeading: () => log.push('a stops') });
    const b = election('loop', 'replica-b', {
      leaseDurationSeconds: 30,
      onStartedLeading: () => log.push('b leads'),
      onStoppedLeading: () => log.push('b stops'),
    });
    a.start();
    await until(() => a.isLeader, 'a to lead');
    b.start();
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal(b.isLeader, false);

    await a.close();
    // b waits no lease duration (30 s here): the lease was released, not left to expire.
    await until(() => b.isLeader, 'b to lead after a released');
    assert.deepEqual(log, ['a leads', 'a stops', 'b leads']);
    await b.close();
    assert.equal((await readLease('loop')).spec?.holderIdentity, '');
  });

  test('a leader whose lease another replica took steps down', async () => {
    const log: string[] = [];
    const a = election('stolen', 'replica-a', { onStoppedLeading: () => log.push('a stops') });
    a.start();
    await until(() => a.isLeader, 'a to lead');
    const lease = await readLease('stolen');
    await client.replace<Lease>({ ...lease, spec: { ...lease.spec, holderIdentity: 'intruder', leaseDurationSeconds: 30 } });
    await until(() => !a.isLeader, 'a to step down');
    assert.deepEqual(log, ['a stops']);
    await a.close();
    assert.equal((await readLease('stolen')).spec?.holderIdentity, 'intruder', 'close() releases only its own lease');
  });
});
