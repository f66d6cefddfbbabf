/**
 * A client-side rate limit as client-go's (a token bucket): up to `burst` requests at once, then
 * `qps` a second on average. Callers wait their turn in the order they asked; nothing is refused.
 * Keeps a controller with many runs from flooding the API server (which would throttle every
 * client of the cluster with 429s, not just this one).
 *
 * @example
 *   const bucket = new TokenBucket({ qps: 50, burst: 100 });
 *   await bucket.take(); // then send the request
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private tail: Promise<void> = Promise.resolve();
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly limit: { qps: number; burst: number },
    clock: { now?: () => number; sleep?: (ms: number) => Promise<void> } = {},
  ) {
    if (!(limit.qps > 0) || !Number.isFinite(limit.qps)) throw new Error(`the request rate must be a positive number of requests a second, not ${limit.qps}`);
    if (!Number.isInteger(limit.burst) || limit.burst < 1) throw new Error(`the burst must be a whole number of requests of at least 1, not ${limit.burst}`);
    this.now = clock.now ?? Date.now;
    this.sleep = clock.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.tokens = limit.burst;
    this.last = this.now();
  }

  /** Resolves when a request may be sent; one token is spent. */
  take(): Promise<void> {
    // One waiter at a time, in order: a later caller never overtakes an earlier one.
    const turn = this.tail.then(() => this.takeNow());
    this.tail = turn;
    return turn;
  }

  private async takeNow(): Promise<void> {
    for (;;) {
      const now = this.now();
      this.tokens = Math.min(this.limit.burst, this.tokens + ((now - this.last) / 1000) * this.limit.qps);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.sleep(Math.ceil(((1 - this.tokens) / this.limit.qps) * 1000));
    }
  }
}
