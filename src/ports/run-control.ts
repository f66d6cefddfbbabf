import type { RunKey } from './run-key.js';

/** What people and schedulers ask of a run while it is driven: stop, terminate, resume its suspended steps. */
export type RunSignal = { op: 'stop' | 'terminate'; message?: string } | { op: 'resume' };

/** A signal that was sent; `taken` resolves true once the run's driver has taken it, false after `timeoutMs`. */
export interface SentSignal {
  taken(timeoutMs: number): Promise<boolean>;
}

/**
 * How control signals reach the driver of a run, whichever process or replica drives it: the
 * `skiff` commands, a `/skiff stop` comment and the run page send; the driver watches. A signal
 * sent while no one drives the run waits for the next driver, so nothing asked is lost. Locally:
 * request files in the state directory (LocalRunControl); in a cluster: the Workflow object.
 *
 * @example
 *   const sent = await control.send('ci/build-x7k2p', { op: 'stop', message: 'superseded' });
 *   await sent.taken(5000);
 *   const watching = control.watch('ci/build-x7k2p', (signal) => driver.signal('ci/build-x7k2p', signal));
 */
export interface RunControl {
  send(key: RunKey, signal: RunSignal): Promise<SentSignal>;
  /** Hands every signal for the run to `handle`, those already waiting first, each once, in the order sent. */
  watch(key: RunKey, handle: (signal: RunSignal) => void): { close(): void };
}
