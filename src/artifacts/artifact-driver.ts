import type { OutputArchive, UnarchiveMode } from './archive/archive-strategy.js';
import type { StorageLocation } from './artifact-location.js';
import type { LoadResult } from './load-from-store.js';
import type { SaveResult } from './save-to-store.js';

/**
 * The one port artifacts move through, whatever the storage: S3, a local directory, and (to
 * read only) git, http and raw. Locations are complete here: keys computed, key-only artifacts
 * already relocated (see artifact-keys.ts). `createArtifactDriver` is the real one; a test may pass
 * it a directory, or implement this interface itself.
 *
 * @example
 *   const driver = createArtifactDriver({ secrets, namespace: 'argo' });
 *   await driver.save('/tmp/out', { s3: { endpoint: 'minio:9000', bucket: 'b', key: 'wf/pod/out.tgz', insecure: true } }, { kind: 'tar', level: -1 }, 'out');
 *   await driver.load({ s3: { ..., key: 'wf/pod/out.tgz' } }, '/tmp/in/out', 'auto', 'out');
 */
export interface ArtifactDriver {
  /** Places the artifact at `destPath` (which must not exist): unpacked if it is a tarball. */
  load(location: StorageLocation, destPath: string, mode: UnarchiveMode, name: string): Promise<LoadResult>;
  /** Stores the file or directory `sourcePath` at `location` (s3 or local only). */
  save(sourcePath: string, location: StorageLocation, archive: OutputArchive, name: string): Promise<SaveResult>;
  /** Deletes what `save` wrote: the object, or every object under `key/` for a directory. */
  delete(location: StorageLocation): Promise<void>;
  /**
   * The keys of every object whose key starts with the location's key (s3 or local only; an empty
   * key lists the whole bucket or root), in the store's order: what a data template's
   * `artifactPaths` source sees. Stops with an error past `limit` keys.
   */
  list(location: StorageLocation, limit: number): Promise<string[]>;
  /** The stored bytes as they are (the tarball itself, not unpacked), e.g. to serve a link. */
  openRead(location: StorageLocation): Promise<AsyncIterable<Buffer>>;
  /** Releases connections. */
  close(): void;
}
