import type { Finding } from '../diagnostic.js';
import { isGoDuration } from './go-duration.js';
import { isRecord, type SpecContext } from './spec-context.js';

/**
 * `podGC.deleteDelayDuration` is a duration Argo can read: a Go duration such as "30s" or "1h", or
 * a bare number of seconds, and not negative. A controller meeting anything else deletes pods at
 * once (Argo only logs a warning), which is the opposite of what the person asked for.
 */
export function checkPodGC(context: SpecContext): Finding[] {
  const podGC = context.spec.podGC;
  if (!isRecord(podGC)) return [];
  const delay = podGC.deleteDelayDuration;
  if (typeof delay !== 'string' || delay === '') return [];
  const text = delay.trim();
  if ((/^\d+$/.test(text) || isGoDuration(text)) && !text.startsWith('-')) return [];
  return [
    {
      path: [...context.specPath, 'podGC', 'deleteDelayDuration'],
      severity: 'error',
      rule: 'pod-gc',
      message: `podGC.deleteDelayDuration "${delay}" is not a duration such as "30s", "5m" or "1h" (nor a number of seconds, nor negative)`,
    },
  ];
}
