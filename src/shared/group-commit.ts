/**
 * Group commit: items added while a write is in flight wait for the next write and go in it
 * together, so a burst of a thousand costs a few writes instead of a thousand, and the writes
 * never overlap (each sees the file as the last one left it). `add` resolves once its item is
 * written and rejects with the write's error.
 *
 * @example
 *   const appends = new GroupCommit<string>((lines) => appendFile(file, lines.map((l) => `${l}\n`).join('')));
 *   await appends.add('a'); // written, maybe with others added meanwhile
 */
export class GroupCommit<T> {
  private waiting: T[] = [];
  private next: Promise<void> | undefined;
  private last: Promise<void> = Promise.resolve();

  constructor(private readonly write: (items: T[]) => Promise<void>) {}

  add(item: T): Promise<void> {
    this.waiting.push(item);
    this.next ??= this.exclusive(() => {
      const items = this.waiting;
      this.waiting = [];
      this.next = undefined;
      return this.write(items);
    });
    return this.next;
  }

  /** Runs `work` between writes: none starts until it has finished (a file rewritten whole, say). */
  exclusive<R>(work: () => Promise<R>): Promise<R> {
    const result = this.last.then(work);
    this.last = result.then(noop, noop);
    return result;
  }
}

function noop(): void {}
