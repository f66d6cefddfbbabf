import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { SyncLockResult, SyncLocks } from '../ports/sync-locks.js';
import type { KubeClient } from './kube-client.js';
import { type Lease, LeaseLeaderElection } from './lease-leader-election.js';

/**
 * Sync locks in the cluster: a Lease per repository (`skiff-sync-<hash>`) in `namespace`, held
 * with the controller's leader-election rules, so syncs from any machine exclude each other. A
 * holder that died without releasing is taken over once its lease has run out unrenewed (15 s).
 */
export class KubeSyncLocks implements SyncLocks {
  constructor(
    private readonly client: KubeClient,
    private readonly namespace: string,
  ) {}

  async acquire(repository: string, options: { waitMs: number; onWait?: (holder: string) => void }): Promise<SyncLockResult> {
    const name = `skiff-sync-${createHash('sha256').update(repository).digest('hex').slice(0, 24)}`;
    const identity = `${hostname()}/${process.pid}/${randomBytes(4).toString('hex')}`;
    let won: () => void = () => {};
    const acquired = new Promise<void>((resolve) => {
      won = resolve;
    });
    const election = new LeaseLeaderElection(this.client, {
      namespace: this.namespace,
      name,
      identity,
      retryPeriodMs: 500,
      onStartedLeading: () => won(),
      onStoppedLeading: () => {},
    });
    election.start();
    const holder = async (): Promise<string> =>
      (await this.client.get<Lease>({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace: this.namespace, name }).catch(() => undefined))?.spec
        ?.holderIdentity || 'another sync';
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const waited = await Promise.race([
      acquired.then(() => true),
      new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), options.waitMs);
        // Say who is in the way once the first round has lost.
        setTimeout(async () => {
          if (!settled && !election.isLeader && options.onWait) options.onWait(await holder());
        }, 1000).unref();
      }),
    ]);
    settled = true;
    clearTimeout(timer);
    if (waited) return { held: { release: () => election.close() } };
    const heldBy = await holder();
    await election.close();
    return { heldBy };
  }
}
