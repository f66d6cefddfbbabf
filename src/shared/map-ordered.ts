/**
 * Runs `task` over `items` with at most `concurrency` running at once, yielding results in the
 * items' order. Used for parallel gzip blocks and parallel ranged downloads, where work may finish
 * out of order but must be consumed in order; memory is bounded by `concurrency` results.
 *
 * @example
 *   for await (const part of mapOrdered(ranges, 4, (r) => getRange(r))) await write(part);
 */
export async function* mapOrdered<T, R>(
  items: Iterable<T> | AsyncIterable<T>,
  concurrency: number,
  task: (item: T, index: number) => Promise<R>,
): AsyncGenerator<R> {
  const running: Array<Promise<R>> = [];
  let index = 0;
  for await (const item of items) {
    const promise = task(item, index++);
    // Rejections are observed when the result's turn comes; don't let Node call them unhandled first.
    promise.catch(() => undefined);
    running.push(promise);
    if (running.length >= concurrency) yield await running.shift()!;
  }
  while (running.length > 0) yield await running.shift()!;
}

/**
 * Runs `task` over `items`, at most `concurrency` at once, for their side effects. Stops starting
 * new work after the first failure and rethrows it once running work has settled.
 */
export async function forEachConcurrent<T>(items: Iterable<T> | AsyncIterable<T>, concurrency: number, task: (item: T) => Promise<void>): Promise<void> {
  const running = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  for await (const item of items) {
    if (failure) break;
    const promise: Promise<void> = task(item).then(
      () => {
        running.delete(promise);
      },
      (error: unknown) => {
        running.delete(promise);
        failure ??= { error };
      },
    );
    running.add(promise);
    if (running.size >= concurrency) await Promise.race(running);
  }
  await Promise.all(running);
  if (failure) throw failure.error;
}
