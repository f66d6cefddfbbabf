/** One object as a listing shows it. */
export interface ObjectInfo {
  key: string;
  size: number;
}

/** Told the size of every piece of an object as it reaches or leaves a store: what progress displays count. */
export type OnBytes = (count: number) => void;

/**
 * The port every artifact repository is reached through: a flat store of objects by key (S3, or a
 * directory on this machine). Archive handling, key layout and Argo's rules live above it, so a
 * store only moves bytes. Errors are `ArtifactError`s: a missing key is `not-found`, a store that
 * does not answer `unreachable`, refused credentials `access-denied`.
 *
 * @example
 *   const store: ObjectStore = new DirectoryObjectStore('/var/lib/skiff/artifacts');
 *   await store.putFile('wf/pod/out.tgz', '/tmp/out.tgz');
 *   for await (const chunk of await store.openRead('wf/pod/out.tgz')) process(chunk);
 */
export interface ObjectStore {
  /** Where the store is, for messages: `s3://bucket at http://127.0.0.1:9000`, a directory path. */
  readonly description: string;
  /** Uploads a local file as `key` (S3: multipart, parts in parallel, when it is large). */
  putFile(key: string, path: string): Promise<void>;
  /** Uploads a stream of unknown length as `key`, holding only a few parts in memory. */
  putStream(key: string, body: AsyncIterable<Uint8Array>): Promise<void>;
  /** The object's bytes, in order (S3: ranges fetched in parallel ahead of the reader). */
  openRead(key: string): Promise<AsyncIterable<Buffer>>;
  /** Downloads `key` into the file `path` (S3: ranges in parallel, written in place). */
  getFile(key: string, path: string): Promise<void>;
  /** Every object whose key starts with `prefix`, at any depth. */
  list(prefix: string): AsyncIterable<ObjectInfo>;
  /** Deletes `key`; deleting a key that does not exist is not an error. */
  delete(key: string): Promise<void>;
}
