import { inputLocation, locationKey, type StorageLocation } from '../artifacts/index.js';
import type { NodeStatus } from '../engine/workflow-status.js';
import type { Artifact } from '../spec/model/workflow.js';
import type { ArtifactAccess } from '../ports/run-page-source.js';

/** Said wherever an archived log stands in for a pod's: the pod is gone, this is the copy archiveLogs kept. */
export const ARCHIVED_LOG_NOTE = 'the pod is gone: this is its archived log (archiveLogs)';

/** Most bytes of an archived log read into memory: the end is kept, as the run page shows a log's end. */
export const ARCHIVED_LOG_LIMIT = 64 << 20;

/**
 * The log a step's container left in the artifact repository (its `<container>-logs` output, which
 * archiveLogs saves: see executor/archive-container-logs.ts), for when its pod, and the log the
 * kubelet kept with it, is gone. `undefined` when the step archived none. It is the raw log: whoever
 * shows it hides Secrets' values, as for a pod's own log. Only the last `limit` bytes are kept.
 */
export async function readArchivedLog(
  access: ArtifactAccess,
  node: NodeStatus | undefined,
  container: string,
  limit = ARCHIVED_LOG_LIMIT,
): Promise<Buffer | undefined> {
  const artifact = node?.outputs?.artifacts?.find((a) => a.name === `${container}-logs`);
  if (!artifact) return undefined;
  const location = inputLocation(artifact, access.repository as StorageLocation | undefined);
  if (!location) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of await access.driver.openRead(location)) {
    chunks.push(Buffer.from(chunk));
    size += chunk.length;
    while (size - (chunks[0]?.length ?? 0) >= limit) size -= chunks.shift()!.length;
  }
  const whole = Buffer.concat(chunks);
  return whole.length > limit ? whole.subarray(whole.length - limit) : whole;
}

/**
 * Whether an output is a container's archived log (`<container>-logs` at `<key>/<container>.log`):
 * the raw log, so wherever people are handed it (the run page's download, a comment's link) it
 * goes through the redaction every log shown goes through, never as a raw link to the store.
 */
export function isArchivedLog(artifact: Artifact): boolean {
  const container = /^(.+)-logs$/.exec(artifact.name)?.[1];
  if (container === undefined) return false;
  const key = locationKey(artifact as StorageLocation);
  return key === `${container}.log` || key.endsWith(`/${container}.log`);
}
