import { splitRunKey, type RunKey } from '../ports/run-key.js';

export { describeRun } from '../ports/run-key.js';

/**
 * The arguments that name the run again in a command a message suggests: `-n ci build-x7k2p`,
 * or just the name in `default`.
 *
 * @example `skiff resume ${runArgs('ci/build-x7k2p')}` // 'skiff resume -n ci build-x7k2p'
 */
export function runArgs(key: RunKey): string {
  const { namespace, name } = splitRunKey(key);
  return namespace === 'default' ? name : `-n ${namespace} ${name}`;
}

/** The run's name alone, for output that lists runs one a line as argo does (`build-x7k2p stopped`). */
export function nameOf(key: RunKey): string {
  return splitRunKey(key).name;
}
