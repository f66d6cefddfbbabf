import { type ArtifactDriver, artifactLocation, type StorageLocation } from '../../artifacts/index.js';
import type { PodRequest } from '../../engine/engine-events.js';
import { evaluateExpression } from '../../expr/index.js';
import type { RuntimeEvent } from '../../ports/runtime.js';

/** The most keys a source may list: the result is kept in the node's status. */
export const DATA_MAX_KEYS = 10_000;
/** The largest result kept: beyond it the node fails rather than swell the run's records. */
export const DATA_MAX_RESULT_BYTES = 256 * 1024;

type Finished = Extract<RuntimeEvent, { type: 'pod-finished' }>;

export interface DataTemplateOptions {
  /** Lists the source's keys (the run's namespace's credentials). */
  driver: Pick<ArtifactDriver, 'list'>;
  /** The run's archive location: where a source that names no endpoint (or no bucket) is completed from. */
  archive: () => Promise<StorageLocation | undefined>;
}

/**
 * Runs a `data` template, as Argo's executor does in its pod, but from Skiff itself (no pod: the
 * work is a listing and a few expressions): `source.artifactPaths` lists the keys under an s3 (or
 * local) location, whose missing fields come from the run's artifact repository (an s3 source
 * naming only a bucket lists that bucket at the repository's endpoint with its credentials; a
 * local source lists only under the repository's own directory); each
 * `transformation` expression then sees the previous value as `data` (`filter(data, {# endsWith
 * ".log"})`, `map(...)`). The node's `outputs.result` is the final value as JSON, ready for
 * `withParam`. Never throws: what goes wrong fails the node with the reason.
 *
 * @example await runDataTemplate(request, { driver, archive: () => repositories.archiveLocation(workflow, request) })
 */
export async function runDataTemplate(request: PodRequest, options: DataTemplateOptions): Promise<Finished> {
  const where = `data template "${request.template.name}"`;
  const failed = (message: string): Finished => ({ type: 'pod-finished', nodeId: request.nodeId, exitCode: 1, message: `${where}: ${message}` });
  const data = request.template.data;
  const source = data?.source?.artifactPaths;
  if (!source) return failed('source.artifactPaths is missing (the only source Argo defines)');
  let value: unknown;
  try {
    const location = sourceLocation(artifactLocation(source), await options.archive().catch(() => undefined));
    value = await options.driver.list(location, DATA_MAX_KEYS);
  } catch (error) {
    return failed(`cannot list source.artifactPaths: ${(error as Error).message}`);
  }
  for (const [index, step] of (data?.transformation ?? []).entries()) {
    if (typeof step?.expression !== 'string') return failed(`transformation[${index}] has no expression`);
    try {
      value = evaluateExpression(step.expression, { data: value });
    } catch (error) {
      return failed(`transformation[${index}] ${JSON.stringify(step.expression)}: ${(error as Error).message}`);
    }
  }
  const result = JSON.stringify(value ?? null);
  if (Buffer.byteLength(result) > DATA_MAX_RESULT_BYTES)
    return failed(`the result is ${Buffer.byteLength(result)} bytes, more than ${DATA_MAX_RESULT_BYTES}; narrow it with a transformation`);
  return { type: 'pod-finished', nodeId: request.nodeId, exitCode: 0, outputs: { result } };
}

/**
 * The source's own fields over the repository's (endpoint, credentials, bucket), with the source's
 * key (or none: the whole bucket) as the prefix; a source that names an endpoint stands alone.
 */
function sourceLocation(own: StorageLocation, archive: StorageLocation | undefined): StorageLocation {
  if (own.s3) {
    if (own.s3.endpoint || !archive?.s3) return { s3: { key: '', ...own.s3 } };
    const { keyFormat: _format, keyPrefix: _prefix, ...base } = archive.s3 as typeof archive.s3 & { keyFormat?: string; keyPrefix?: string };
    return { s3: { ...base, key: '', ...own.s3 } };
  }
  if (own.local) {
    // A directory of Skiff's own machine: only the repository's, never one a workflow names.
    if (!archive?.local?.root) throw new Error("a local source lists the run's local artifact repository, and the run has none");
    if (own.local.root && own.local.root !== archive.local.root)
      throw new Error(`a local source may not name its own root (${JSON.stringify(own.local.root)})`);
    return { local: { root: archive.local.root, key: own.local.key ?? '' } };
  }
  throw new Error(`artifactPaths must be an s3 or local location (Skiff lists no other kind)`);
}
