import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { ArtifactError } from './artifact-error.js';
import type { ArtifactDriver } from './artifact-driver.js';
import { describeLocation, locationKey, s3Bucket, storageKind, type StorageLocation } from './artifact-location.js';
import { zipUnsupported } from './archive/archive-strategy.js';
import { loadFromStore, materialise } from './load-from-store.js';
import type { ObjectStore, OnBytes } from './object-store.js';
import { saveToStore } from './save-to-store.js';
import type { SecretSource } from '../ports/secret-source.js';
import { loadGitArtifact } from './sources/load-git-artifact.js';
import { openHttpArtifact } from './sources/open-http-artifact.js';
import { DirectoryObjectStore } from './stores/directory-object-store.js';
import { s3ClientConfig, s3EndpointUrl } from './stores/s3-client-config.js';
import { S3ObjectStore } from './stores/s3-object-store.js';

export interface ArtifactDriverOptions {
  secrets: SecretSource;
  /** The workflow's namespace: where S3 and git Secrets are read. */
  namespace: string;
  s3?: {
    /** Attempts per request (SDK default 3). */
    maxAttempts?: number;
    connectionTimeoutMs?: number;
    /** Bytes per multipart part / download range. Default 8 MiB. */
    partSize?: number;
    /** Parts or ranges in flight per transfer. Default 4. */
    concurrency?: number;
  };
  fetch?: typeof fetch;
  /** Told as bytes move to and from S3 and directory repositories (for progress, see TransferProgress). */
  onBytes?: OnBytes;
  /**
   * Where a `local` location's root may be: returns the directory to use, or throws. A root is
   * data (a ConfigMap, a recorded status), so Skiff's own process confines it before it deletes
   * or writes there; inside a pod's sandbox, what the sandbox mounts is the confinement.
   */
  localRoot?: (root: string) => Promise<string>;
}

/**
 * The real `ArtifactDriver`: S3 and local-directory repositories through `ObjectStore`s (one S3
 * client per endpoint, bucket and credentials, reused), git/http/raw inputs through their loaders.
 * Call `close()` when the run is done.
 *
 * @example
 *   const driver = createArtifactDriver({ secrets, namespace: 'argo' });
 *   try { await driver.load(location, '/tmp/in', 'auto', 'in'); } finally { driver.close(); }
 */
export function createArtifactDriver(options: ArtifactDriverOptions): ArtifactDriver {
  const stores = new Map<string, Promise<{ store: ObjectStore; client?: S3Client }>>();

  const storeFor = async (location: StorageLocation): Promise<ObjectStore> => {
    if (location.local) {
      if (!location.local.root) throw new ArtifactError('config', 'local artifact location without a root directory');
      let root = location.local.root;
      if (options.localRoot) {
        try {
          root = await options.localRoot(root);
        } catch (error) {
          throw new ArtifactError('config', (error as Error).message);
        }
      }
      return new DirectoryObjectStore(root, options.onBytes);
    }
    const s3 = location.s3;
    if (!s3) throw new ArtifactError('unsupported', `${storageKind(location) ?? 'empty'} artifact locations cannot be stored to or listed`);
    if (!s3.bucket) throw new ArtifactError('config', `S3 artifact location of key ${JSON.stringify(s3.key ?? '')} names no bucket`);
    const id = JSON.stringify(s3Bucket(s3));
    let entry = stores.get(id);
    if (!entry) {
      entry = (async () => {
        const client = new S3Client(await s3ClientConfig(s3, { secrets: options.secrets, namespace: options.namespace, ...options.s3 }));
        const store = new S3ObjectStore({
          client,
          bucket: s3.bucket!,
          endpoint: s3EndpointUrl(s3),
          ...options.s3,
          ...(options.onBytes ? { onBytes: options.onBytes } : {}),
        });
        return { store, client };
      })();
      entry.catch(() => stores.delete(id));
      stores.set(id, entry);
    }
    return (await entry).store;
  };

  const keyOf = (location: StorageLocation): string => {
    const key = locationKey(location);
    if (!key) throw new ArtifactError('config', `artifact location ${describeLocation(location)} has no key`);
    return key;
  };

  return {
    async load(location, destPath, mode, name) {
      if (mode === 'zip') throw zipUnsupported(name);
      if (location.s3 || location.local) return loadFromStore(await storeFor(location), keyOf(location), destPath, mode, name);
      await mkdir(dirname(destPath), { recursive: true });
      if (location.http) {
        const body = await openHttpArtifact(location.http, options.fetch);
        return { ...(await materialise(body, destPath, mode, name, location.http.url)), objects: 1 };
      }
      if (location.raw) {
        return { ...(await materialise(once(Buffer.from(location.raw.data, 'utf8')), destPath, mode, name, 'raw data')), objects: 1 };
      }
      if (location.git) {
        await loadGitArtifact(location.git, destPath, options);
        return { form: 'directory', objects: 1 };
      }
      throw unsupported(location, name);
    },

    async save(sourcePath, location, archive, name) {
      if (!location.s3 && !location.local)
        throw new ArtifactError('config', `artifact ${JSON.stringify(name)}: cannot save to a ${storageKind(location) ?? 'empty'} location`);
      return saveToStore(await storeFor(location), keyOf(location), sourcePath, archive, name);
    },

    async delete(location) {
      if (!location.s3 && !location.local) return; // git, http and raw artifacts are not ours to delete
      const store = await storeFor(location);
      const key = keyOf(location);
      await store.delete(key);
      for await (const object of store.list(`${key.replace(/\/+$/, '')}/`)) await store.delete(object.key);
    },

    async list(location, limit) {
      if (!location.s3 && !location.local) throw new ArtifactError('unsupported', `${storageKind(location) ?? 'empty'} artifact locations cannot be listed`);
      const store = await storeFor(location);
      const keys: string[] = [];
      for await (const object of store.list(locationKey(location))) {
        if (keys.length === limit)
          throw new ArtifactError('config', `${store.description} holds more than ${limit} objects under ${JSON.stringify(locationKey(location))}`);
        keys.push(object.key);
      }
      return keys;
    },

    async openRead(location) {
      return (await storeFor(location)).openRead(keyOf(location));
    },

    close() {
      for (const entry of stores.values())
        void entry.then(
          ({ client }) => client?.destroy(),
          () => undefined,
        );
      stores.clear();
    },
  };
}

function unsupported(location: StorageLocation, name: string): ArtifactError {
  return new ArtifactError(
    'unsupported',
    `artifact ${JSON.stringify(name)}: ${storageKind(location) ?? 'empty'} artifact locations are not supported by Skiff (use s3, git, http or raw)`,
  );
}

async function* once(data: Buffer): AsyncGenerator<Buffer> {
  yield data;
}
