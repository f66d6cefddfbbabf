import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { artifactLocation, createArtifactDriver, inputLocation, type SecretSource, type StorageLocation } from '../../../artifacts/index.js';
import { unarchiveMode } from '../../../artifacts/archive/archive-strategy.js';
import type { PodRequest } from '../../../engine/engine-events.js';

/** A manifest is one Kubernetes object: a file larger than etcd's object limit cannot be one. */
const MANIFEST_LIMIT_BYTES = 1024 * 1024;

export interface ManifestSources {
  /** Where S3 credentials are read (the run's namespace's Secrets). */
  secrets: SecretSource;
  namespace: string;
  /** The run's archive location, for an artifact that names only a key in the repository (asked only then). */
  archiveLocation: () => Promise<StorageLocation | undefined>;
}

/**
 * The text of a resource template's `manifestFrom.artifact`: the step's input artifact of that
 * name, as Argo reads it. Only `raw` artifacts and S3 (the run's repository, or a full S3
 * location) are read: the controller loads it itself, not a pod, and must not fetch the URLs (http,
 * git) or read the files (local) a workflow names from where the controller runs. Throws an Error
 * saying what is wrong.
 *
 * @example await manifestFromArtifact(request, { secrets, namespace: 'ci' }) // 'apiVersion: v1\nkind: ConfigMap\n...'
 */
export async function manifestFromArtifact(request: PodRequest, sources: ManifestSources): Promise<string> {
  const from = (request.template.resource as { manifestFrom?: { artifact?: { name?: unknown } } } | undefined)?.manifestFrom;
  const name = from?.artifact?.name;
  if (typeof name !== 'string' || name === '') throw new Error('resource manifestFrom.artifact needs the name of one of the step’s input artifacts');
  const artifact = request.inputs.artifacts?.find((a) => a.name === name);
  if (!artifact) throw new Error(`resource manifestFrom.artifact names "${name}", which is not an input artifact of the step`);
  const raw = artifactLocation(artifact).raw as { data?: unknown } | undefined;
  if (raw) return checked(String(raw.data ?? ''), name);
  let location: StorageLocation | undefined;
  try {
    location = inputLocation(artifact, undefined);
  } catch {
    // A key without a bucket: it is in the run's repository, asked for only now.
    location = inputLocation(artifact, await sources.archiveLocation());
  }
  if (!location) throw new Error(`input artifact "${name}" (the resource manifest) was not supplied`);
  if (!location.s3)
    throw new Error(
      `input artifact "${name}" (the resource manifest) must be raw or in S3: Skiff reads it from the controller, which fetches no http, git or local artifacts`,
    );
  const driver = createArtifactDriver({ secrets: sources.secrets, namespace: sources.namespace });
  const dir = await mkdtemp(join(tmpdir(), 'skiff-manifest-'));
  try {
    const path = join(dir, 'manifest');
    // As a step's input: a gzipped tarball (how outputs are saved by default) is unpacked.
    await driver.load(location, path, unarchiveMode(artifact), name);
    const info = await stat(path);
    if (!info.isFile()) throw new Error(`input artifact "${name}" (the resource manifest) is a directory, not one file`);
    const size = info.size;
    if (size > MANIFEST_LIMIT_BYTES)
      throw new Error(`input artifact "${name}" (the resource manifest) is ${size} bytes, over the ${MANIFEST_LIMIT_BYTES}-byte limit`);
    return checked(await readFile(path, 'utf8'), name);
  } finally {
    driver.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function checked(text: string, name: string): string {
  if (Buffer.byteLength(text) > MANIFEST_LIMIT_BYTES)
    throw new Error(`input artifact "${name}" (the resource manifest) is over the ${MANIFEST_LIMIT_BYTES}-byte limit`);
  return text;
}
