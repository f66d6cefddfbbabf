import { describeRun, type RunKey } from '../ports/run-key.js';

/**
 * Another writer changed the run's nodes since this store read them: a second Skiff driving the
 * same run. The write was not made; the run must be loaded again by whoever should drive it.
 */
export class RunWriterConflictError extends Error {
  constructor(
    readonly key: RunKey,
    readonly problem: string,
  ) {
    super(`${describeRun(key)}: ${problem}; not overwriting it`);
    this.name = 'RunWriterConflictError';
  }
}
