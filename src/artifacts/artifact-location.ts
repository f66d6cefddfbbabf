import { posix } from 'node:path';
import type { Artifact, ArtifactLocation, S3Location } from '../spec/model/workflow.js';
import { ArtifactError } from './artifact-error.js';

/**
 * Skiff's one storage kind beyond Argo's: a directory on this machine. It is the embedded default
 * repository of local runs (Argo has none and fails with "You need to configure artifact
 * storage"), and may also be written in an artifact-repositories ConfigMap as
 * `local: { root: /some/dir }`.
 */
export interface LocalLocation {
  /** The repository directory; absent on an artifact recorded by key only. */
  root?: string;
  key?: string;
  keyFormat?: string;
  keyPrefix?: string;
}

/** Argo's artifact location plus Skiff's `local` kind. */
export type StorageLocation = ArtifactLocation & { local?: LocalLocation };

/** An artifact as Skiff handles it: Argo's, whose location may also be `local`. */
export type SkiffArtifact = Artifact & { local?: LocalLocation };

/** The storage kinds Skiff can read; the first one set on a location decides (as in Argo). */
export type StorageKind = 's3' | 'local' | 'git' | 'http' | 'raw' | 'gcs' | 'oss' | 'azure' | 'hdfs' | 'artifactory' | 'plugin';

const KINDS: readonly StorageKind[] = ['s3', 'local', 'git', 'http', 'raw', 'gcs', 'oss', 'azure', 'hdfs', 'artifactory', 'plugin'];

export function storageKind(location: StorageLocation): StorageKind | undefined {
  return KINDS.find((kind) => (location as Record<string, unknown>)[kind] != null);
}

/** The key of a keyed location (s3, local), or `''`. */
export function locationKey(location: StorageLocation): string {
  return location.s3?.key ?? location.local?.key ?? '';
}

/** A copy of `location` with `key` set on its keyed storage. */
export function withKey(location: StorageLocation, key: string): StorageLocation {
  if (location.s3) return { ...location, s3: { ...location.s3, key } };
  if (location.local) return { ...location, local: { ...location.local, key } };
  throw new ArtifactError('config', `cannot set a key on a ${storageKind(location) ?? 'empty'} artifact location`);
}

/**
 * Whether a location is complete on its own (Argo's `HasLocation`): S3 needs endpoint, bucket and
 * key; git a repo; http a URL; raw its data; local a root and key.
 */
export function hasFullLocation(location: StorageLocation): boolean {
  if (location.s3) return Boolean(location.s3.endpoint && location.s3.bucket && location.s3.key);
  if (location.local) return Boolean(location.local.root && location.local.key);
  if (location.git) return Boolean(location.git.repo);
  if (location.http) return Boolean(location.http.url);
  if (location.raw) return location.raw.data !== undefined;
  return false;
}

/**
 * Argo's `Relocate`: a key-only artifact (say `s3: { key: my-file }`) takes everything but its key
 * from the repository's location; a complete location is kept as it is.
 *
 * @example
 *   relocate({ s3: { key: 'my-file' } }, { s3: { endpoint: 'minio:9000', bucket: 'b', key: 'wf/pod' } });
 *   // { s3: { endpoint: 'minio:9000', bucket: 'b', key: 'my-file' } }
 */
export function relocate(location: StorageLocation, repository: StorageLocation | undefined): StorageLocation {
  if (hasFullLocation(location)) return location;
  if (!repository || !storageKind(repository)) throw noRepository();
  const key = locationKey(location);
  const base = pickStorage(repository);
  return key ? withKey(base, key) : base;
}

/** Only the storage part of a location (not archiveLogs and the like). */
export function pickStorage(location: StorageLocation): StorageLocation {
  const kind = storageKind(location);
  if (!kind) return {};
  return { [kind]: (location as Record<string, unknown>)[kind] } as StorageLocation;
}

/** Joins key parts as Go's `path.Join` does: empty parts dropped, slashes collapsed, cleaned. */
export function joinKey(...parts: string[]): string {
  const joined = posix.join(...parts.filter((part) => part !== ''));
  return joined === '.' ? '' : joined.replace(/^\.\//, '');
}

/** Where an artifact is, for people and logs: `s3://bucket/key`, `file:///root/key`, the repo URL. */
export function describeLocation(location: StorageLocation): string {
  if (location.s3) return `s3://${location.s3.bucket ?? '?'}/${location.s3.key ?? ''}`;
  if (location.local) return `file://${posix.join(location.local.root ?? '<repository>', location.local.key ?? '')}`;
  if (location.git) return `${location.git.repo}${location.git.revision ? `@${location.git.revision}` : ''}`;
  if (location.http) return location.http.url;
  if (location.raw) return 'raw data';
  return storageKind(location) ?? 'nowhere';
}

/** The S3 location minus its key: what identifies one client and bucket. */
export function s3Bucket(location: S3Location): Omit<S3Location, 'key' | 'keyFormat' | 'keyPrefix'> {
  const { key: _key, keyFormat: _format, keyPrefix: _prefix, ...bucket } = location;
  return bucket;
}

export function noRepository(): ArtifactError {
  return new ArtifactError('config', 'no artifact repository is configured for this artifact (Argo: "You need to configure artifact storage")');
}
