import { createHash } from 'node:crypto';
import type { ExecutorReport } from './executor-plan.js';

/**
 * The most a kubelet keeps of a container's termination message (Kubernetes'
 * `MaxContainerTerminationMessageLength`); it cuts longer ones short.
 */
export const TERMINATION_MESSAGE_LIMIT = 4096;

/**
 * What a kubelet keeps of all a pod's termination messages together, shared equally among its
 * containers (init containers included): with more than three, each gets less than 4096 bytes.
 */
export const POD_TERMINATION_MESSAGES_LIMIT = 12 * 1024;

/** The termination message a container of a pod of `containers` containers may leave whole. */
export function terminationMessageLimit(containers: number): number {
  return Math.min(TERMINATION_MESSAGE_LIMIT, Math.floor(POD_TERMINATION_MESSAGES_LIMIT / Math.max(1, containers)));
}

/** Where a report too long for the termination message was stored, and how to know it is whole. */
export interface ReportPointer {
  /** The object's key in the run's artifact repository (the location wait was given as `overflow`). */
  key: string;
  /** Hex SHA-256 of the stored bytes. */
  sha256: string;
  size: number;
}

/**
 * What the wait container's termination message holds in a cluster: its report, or a pointer to
 * it. Tagged so that anything else in the message (a kubelet's own words, a report cut short)
 * reads as no report rather than as outputs.
 */
export type ReportMessage = { skiffReport: ExecutorReport } | { skiffReportPointer: ReportPointer };

/** The message for `report`, or undefined when it would not fit in `limit` bytes. */
export function reportMessage(report: ExecutorReport, limit = TERMINATION_MESSAGE_LIMIT): string | undefined {
  const text = JSON.stringify({ skiffReport: report } satisfies ReportMessage);
  return Buffer.byteLength(text) <= limit ? text : undefined;
}

export function pointerMessage(pointer: ReportPointer): string {
  return JSON.stringify({ skiffReportPointer: pointer } satisfies ReportMessage);
}

/**
 * Reads a termination message back: the report, a pointer, or undefined when the message is not
 * one of Skiff's (empty, cut short, or something else wrote it). Pure.
 *
 * @example parseReportMessage('{"skiffReport":{"exitCode":0}}') // { report: { exitCode: 0 } }
 */
export function parseReportMessage(message: string | undefined): { report: ExecutorReport } | { pointer: ReportPointer } | undefined {
  if (!message) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object') return undefined;
  const { skiffReport, skiffReportPointer } = parsed as Record<string, unknown>;
  if (skiffReport !== null && typeof skiffReport === 'object' && !Array.isArray(skiffReport)) return { report: skiffReport as ExecutorReport };
  if (skiffReportPointer !== null && typeof skiffReportPointer === 'object') {
    const { key, sha256, size } = skiffReportPointer as Record<string, unknown>;
    if (typeof key === 'string' && typeof sha256 === 'string' && /^[0-9a-f]{64}$/.test(sha256) && Number.isSafeInteger(size) && (size as number) >= 0)
      return { pointer: { key, sha256, size: size as number } };
  }
  return undefined;
}

/**
 * The report a pointer names, from the bytes read at its key: checked against the pointer's size
 * and digest first, so a report replaced or cut short in the repository is refused, not believed.
 */
export function verifiedPointedReport(pointer: ReportPointer, bytes: Buffer): ExecutorReport {
  if (bytes.length !== pointer.size)
    throw new Error(`the report stored at ${pointer.key} is ${bytes.length} bytes, not the ${pointer.size} the wait container wrote`);
  const digest = createHash('sha256').update(bytes).digest('hex');
  if (digest !== pointer.sha256) throw new Error(`the report stored at ${pointer.key} does not have the SHA-256 the wait container recorded`);
  const parsed = JSON.parse(bytes.toString('utf8')) as unknown;
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`the report stored at ${pointer.key} is not a report`);
  return parsed as ExecutorReport;
}

/** The pointer for report bytes stored at `key`. */
export function pointerTo(key: string, bytes: Buffer): ReportPointer {
  return { key, sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
}
