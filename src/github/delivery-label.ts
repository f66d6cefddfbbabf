import { createHash } from 'node:crypto';

/**
 * The delivery (X-GitHub-Delivery) that started a run. A delivery left in the inbox by a killed
 * process is handled again at the next start: its runs are found by this label and taken over
 * instead of being started a second time.
 */
export const DELIVERY_LABEL = 'skiff.dev/delivery';
/** The delivery whose command (or button) last retried a run, so handling it again does not retry it twice. */
export const RETRIED_BY_LABEL = 'skiff.dev/retried-by';

/** What a label value may be (Kubernetes): at most 63 characters, alphanumeric at both ends, `-_.` inside. */
const LABEL_VALUE = /^[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$/;

/**
 * The label value naming a delivery: its id as it is (GitHub's are UUIDs), or 40 hex digits of its
 * SHA-256 when the id could not be a label value.
 *
 * @example
 *   deliveryLabel('72d3162e-cc78-11e3-81ab-4c9367dc0958') // '72d3162e-cc78-11e3-81ab-4c9367dc0958'
 */
export function deliveryLabel(delivery: string): string {
  return LABEL_VALUE.test(delivery) ? delivery : createHash('sha256').update(delivery).digest('hex').slice(0, 40);
}
