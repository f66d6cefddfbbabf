import assert from 'node:assert/strict';

/** What a probe gives: a value when the awaited thing is there, `undefined` or `false` while it is not. */
export type Probe<T> = () => Promise<T | undefined | false> | T | undefined | false;

/**
 * Polls `probe` every `pollMs` until it gives a value (neither `undefined` nor `false`) and
 * returns it; fails naming `what` once `timeoutMs` has passed. A wait, never a timed assertion:
 * the limit only stops a test that would otherwise hang.
 *
 * @example await until('the pod to run', () => pods.find((p) => p.status?.phase === 'Running'))
 */
export async function until<T>(what: string, probe: Probe<T>, timeoutMs = 60_000, pollMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** `until` with a file's own defaults (a test of slow things waits longer, one of fast things looks more often). */
export function untilWithin(defaults: { timeoutMs: number; pollMs: number }): <T>(what: string, probe: Probe<T>, timeoutMs?: number) => Promise<T> {
  return (what, probe, timeoutMs = defaults.timeoutMs) => until(what, probe, timeoutMs, defaults.pollMs);
}
