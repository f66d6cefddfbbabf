/**
 * Runs tasks one at a time per key and concurrently across keys: two fetches into one mirror
 * would each write packs and refs the other does not expect, a save and an append of one run
 * would cut each other's journal, while different keys share nothing. In-process only. A failed
 * task fails only its own caller.
 *
 * @example await serializer.run(mirrorDir, () => fetchInto(mirrorDir))
 */
export class KeyedSerializer {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    // A failed task must not fail the ones queued behind it, so the chain swallows its outcome.
    const result = previous.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Keys with a task running or queued. */
  get busyKeys(): string[] {
    return [...this.tails.keys()];
  }
}
