import { substituteTemplate, type VariableLookup } from '../expr/index.js';
import { ArtifactError } from './artifact-error.js';
import { archiveFileName, type ArchiveKind } from './archive/archive-strategy.js';
import {
  hasFullLocation,
  joinKey,
  locationKey,
  noRepository,
  pickStorage,
  relocate,
  storageKind,
  type StorageLocation,
  type SkiffArtifact,
  withKey,
} from './artifact-location.js';
import type { Repository } from './resolve-artifact-repository.js';

/** Argo's `DefaultArchivePattern`: where a pod's outputs go when the repository sets no keyFormat. */
export const DEFAULT_KEY_FORMAT = '{{workflow.name}}/{{pod.name}}';

/**
 * A template's archive location (Argo's `ToArtifactLocation` plus the controller's last
 * substitution): the repository's storage with key `keyFormat`, or `keyPrefix` joined with
 * `{{workflow.name}}/{{pod.name}}` when there is no keyFormat (keyPrefix is ignored when a keyFormat
 * is given, as in Argo), with every `{{...}}` resolved through `lookup`. A tag that does not resolve
 * is an error, as Argo refuses to create the pod.
 *
 * @example
 *   archiveLocation({ s3: { bucket: 'b', endpoint: 'minio:9000', keyPrefix: 'runs' } }, (n) => ({ 'workflow.name': 'wf-1', 'pod.name': 'wf-1-main-123' })[n]);
 *   // { s3: { bucket: 'b', endpoint: 'minio:9000', key: 'runs/wf-1/wf-1-main-123' } }
 */
export function archiveLocation(repository: Repository, lookup: VariableLookup): StorageLocation {
  const storage = repository.s3 ?? repository.local;
  if (!storage) {
    const kind = storageKind(repository as StorageLocation);
    if (!kind) throw noRepository();
    throw new ArtifactError('unsupported', `artifact repositories of kind ${kind} are not supported by Skiff (use s3, or local)`);
  }
  const format = storage.keyFormat || joinKey(storage.keyPrefix ?? '', DEFAULT_KEY_FORMAT);
  const result = substituteTemplate(format, lookup, { strict: true });
  const problem = result.errors[0];
  if (problem) throw new ArtifactError('config', `artifact repository key format ${JSON.stringify(format)}: ${problem.message}`);
  const { keyFormat: _format, keyPrefix: _prefix, ...rest } = storage;
  const key = result.text;
  return repository.s3 ? { s3: { ...(rest as typeof repository.s3), key } } : { local: { ...(rest as NonNullable<Repository['local']>), key } };
}

/**
 * Where an output artifact is stored (executor `saveArtifactFromFile`): an artifact that gives its
 * own key keeps it, taking what else it lacks from the archive location (key-only artifacts);
 * otherwise the archive location's key joined with `<name>.tgz`, or the file's own name for
 * `archive: none`.
 *
 * @example
 *   outputLocation({ name: 'out', path: '/tmp/out' }, 'tar', { s3: { bucket: 'b', endpoint: 'e', key: 'wf/pod' } });
 *   // { s3: { bucket: 'b', endpoint: 'e', key: 'wf/pod/out.tgz' } }
 */
export function outputLocation(artifact: SkiffArtifact, kind: ArchiveKind, archive: StorageLocation | undefined): StorageLocation {
  const own = artifactLocation(artifact);
  if (locationKey(own)) return relocate(own, archive);
  if (own.git || own.http || own.raw) {
    throw new ArtifactError('config', `output artifact ${JSON.stringify(artifact.name)} cannot be saved to a ${storageKind(own)} location`);
  }
  if (!archive || !storageKind(archive)) throw noRepository();
  const base = pickStorage(archive);
  return withKey(base, joinKey(locationKey(base), archiveFileName(artifact, kind)));
}

/**
 * Where an input artifact is read from: its own location when complete (git, http, raw, a full
 * S3 location), a key-only one relocated onto the archive location, or `undefined` when it has
 * none (not supplied: an error unless it is optional; the caller decides).
 */
export function inputLocation(artifact: SkiffArtifact, archive: StorageLocation | undefined): StorageLocation | undefined {
  const own = artifactLocation(artifact);
  if (hasFullLocation(own)) return own;
  if (locationKey(own)) return relocate(own, archive);
  return undefined;
}

/** The storage part of an artifact (its s3/local/git/http/raw/... field). */
export function artifactLocation(artifact: SkiffArtifact | StorageLocation): StorageLocation {
  return pickStorage(artifact as StorageLocation);
}
