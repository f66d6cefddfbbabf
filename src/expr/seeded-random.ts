import { createHash } from 'node:crypto';

/**
 * A deterministic stream of random bytes: SHA-256 of the seed and a block counter. Expressions
 * have no randomness of their own, as they have no clock: the engine passes a seed naming the run
 * and the node, so a node's "random" values are the same each time it is evaluated (after a
 * restart too) and differ from every other node's. Not for secrets: anyone who knows the seed
 * can compute the values.
 */
export class SeededRandom {
  private block = Buffer.alloc(0);
  private used = 0;
  private counter = 0;

  constructor(private readonly seed: string) {}

  /** The next `count` bytes of the stream. */
  bytes(count: number): Buffer {
    const out = Buffer.alloc(count);
    for (let i = 0; i < count; i++) {
      if (this.used === this.block.length) {
        this.block = createHash('sha256')
          .update(this.seed)
          .update('\0')
          .update(String(this.counter++))
          .digest();
        this.used = 0;
      }
      out[i] = this.block[this.used++]!;
    }
    return out;
  }

  /**
   * A uniform integer in [0, bound), by rejection so no value is favoured.
   *
   * @example
   * new SeededRandom('run/node').below(10) // the same digit every time for this seed
   */
  below(bound: number): number {
    if (!Number.isInteger(bound) || bound <= 0 || bound > 2 ** 48) throw new Error(`invalid argument to random: ${bound}`);
    const limit = 2 ** 48 - (2 ** 48 % bound);
    for (;;) {
      const value = this.bytes(6).readUIntBE(0, 6);
      if (value < limit) return value % bound;
    }
  }
}
