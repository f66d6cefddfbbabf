/**
 * Artifacts: finding the repository (Argo's three-level rule plus Skiff's local default), keys,
 * archives (tar+gzip streamed, none, safe extraction), storage (S3, a local directory; git, http
 * and raw inputs), fan-in of looped outputs, and garbage collection. Shared by every runtime.
 */
export { ArtifactError, type ArtifactErrorCode, isArtifactError } from './artifact-error.js';
export type { ConfigMapSource } from '../ports/config-map-source.js';
export type { SecretSource } from '../ports/secret-source.js';
export {
  type ArtifactRepositoryRefStatus,
  parseRepository,
  type Repository,
  type RepositorySource,
  resolveArtifactRepository,
  type ResolvedRepository,
  type ResolveRepositoryOptions,
} from './resolve-artifact-repository.js';
export {
  describeLocation,
  hasFullLocation,
  joinKey,
  type LocalLocation,
  locationKey,
  relocate,
  type StorageKind,
  storageKind,
  type StorageLocation,
} from './artifact-location.js';
export { archiveLocation, artifactLocation, DEFAULT_KEY_FORMAT, inputLocation, outputLocation } from './artifact-keys.js';
export {
  type ArchiveKind,
  archiveFileName,
  type OutputArchive,
  outputArchive,
  type UnarchiveMode,
  unarchiveMode,
} from './archive/archive-strategy.js';
export type { ArtifactDriver } from './artifact-driver.js';
export { type ArtifactDriverOptions, createArtifactDriver } from './create-artifact-driver.js';
export type { ObjectInfo, ObjectStore } from './object-store.js';
export { DirectoryObjectStore } from './stores/directory-object-store.js';
export { S3ObjectStore, type S3ObjectStoreOptions } from './stores/s3-object-store.js';
export { s3ClientConfig, s3EndpointUrl } from './stores/s3-client-config.js';
export { loadFromStore, type LoadResult, materialise } from './load-from-store.js';
export { saveToStore, type SaveResult } from './save-to-store.js';
export { loadInputArtifact, type LoadInputOptions, type LoadInputResult } from './load-input-artifact.js';
export { saveOutputArtifact, type SaveOutputOptions, type SaveOutputResult } from './save-output-artifact.js';
export { type FanInEntry, type FanInIteration, loadFanIn, planFanIn } from './load-fan-in.js';
export {
  artifactGCStrategy,
  type DeletingStrategy,
  type GCItem,
  type GCNode,
  type GCPlan,
  type GCState,
  needsArtifactGC,
  planArtifactGC,
} from './plan-artifact-gc.js';
export { collectArtifactGarbage, type GCOutcome } from './collect-artifact-garbage.js';
export { packTar, type PackStats } from './archive/pack-tar.js';
export { readTar, type TarEntry } from './archive/read-tar.js';
export { extractTar } from './archive/extract-tar.js';
export { isGzippedTar, unpackTarball } from './archive/unpack-tarball.js';
export { parallelGzip } from './archive/parallel-gzip.js';
