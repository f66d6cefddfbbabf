import PQueue from 'p-queue';

/**
 * One queue per repository: a repository's deliveries are handled one at a time, in the order they
 * came (a PR's synchronize after its opened), while different repositories go on in parallel.
 * Idle queues are dropped, so memory follows the repositories being worked on, not all of them.
 */
export class WorkQueues {
  private readonly queues = new Map<string, PQueue>();
  private pending = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly onError: (error: unknown, key: string) => void) {}

  /** Queues `work` behind the repository's earlier work; its failure goes to onError, never unhandled. */
  add(key: string, work: () => Promise<void>): void {
    let queue = this.queues.get(key);
    if (!queue) {
      queue = new PQueue({ concurrency: 1 });
      this.queues.set(key, queue);
    }
    this.pending++;
    const owner = queue;
    void owner
      .add(async () => {
        try {
          await work();
        } catch (error) {
          this.onError(error, key);
        }
      })
      .finally(() => {
        if (owner.size === 0 && owner.pending === 0 && this.queues.get(key) === owner) this.queues.delete(key);
        if (--this.pending === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
      });
  }

  /** Work queued and not finished, over all repositories. */
  get depth(): number {
    return this.pending;
  }

  /** Resolves once no work is queued or running. */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}
