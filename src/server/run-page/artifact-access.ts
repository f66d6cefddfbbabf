import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { type ArtifactDriver, inputLocation, isGzippedTar, readTar, type Repository } from '../../artifacts/index.js';
import { type StorageLocation, storageKind, locationKey } from '../../artifacts/artifact-location.js';
import type { Artifact } from '../../spec/model/workflow.js';

/** A stored artifact opened for reading: its first bytes already read, to tell a tarball from a plain file. */
export interface OpenedArtifact {
  /** `name.tgz` for a tarball (Argo's default archive), else the artifact's name. */
  fileName: string;
  contentType: string;
  tarball: boolean;
  body: AsyncIterable<Buffer>;
}

/** Where an artifact is kept, said in a few words (`local artifacts/x/y.tgz`, `s3 bucket/key`). */
export function describeLocation(artifact: Artifact, repository: Repository | undefined): string {
  const location = inputLocation(artifact, repository as StorageLocation | undefined);
  if (!location) return 'not saved';
  const kind = storageKind(location) ?? 'unknown';
  const bucket = location.s3?.bucket;
  return `${kind} ${bucket ? `${bucket}/` : ''}${locationKey(location)}`.trim();
}

/** Opens an output artifact through the run's repository, or says why it cannot be. */
export async function openArtifact(driver: ArtifactDriver, artifact: Artifact, repository: Repository | undefined): Promise<OpenedArtifact> {
  const location = inputLocation(artifact, repository as StorageLocation | undefined);
  if (!location) throw new Error(`artifact "${artifact.name}" was not saved`);
  const source = (await driver.openRead(location))[Symbol.asyncIterator]();
  const first = await source.next();
  const head = first.done ? Buffer.alloc(0) : Buffer.from(first.value);
  const tarball = isGzippedTar(head);
  async function* body(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    for (let next = await source.next(); !next.done; next = await source.next()) yield Buffer.from(next.value);
  }
  return {
    fileName: tarball ? `${artifact.name}.tgz` : artifact.name,
    contentType: tarball ? 'application/gzip' : 'application/octet-stream',
    tarball,
    body: body(),
  };
}

/** A file of a tarball artifact. */
export interface ArtifactFile {
  name: string;
  size: number;
}

/** Most files listed of a directory artifact. */
export const MAX_LISTED_FILES = 1000;

/** The size of a stored artifact and, for a tarball, the files in it (at most MAX_LISTED_FILES). */
export async function inspectArtifact(opened: OpenedArtifact): Promise<{ size: number; files?: ArtifactFile[]; more?: boolean }> {
  let size = 0;
  async function* counted(): AsyncGenerator<Buffer> {
    for await (const chunk of opened.body) {
      size += chunk.length;
      yield chunk;
    }
  }
  if (!opened.tarball) {
    for await (const _ of counted());
    return { size };
  }
  const files: ArtifactFile[] = [];
  let more = false;
  for await (const entry of readTar(Readable.from(counted()).pipe(createGunzip()))) {
    if (entry.type === 'file') {
      if (files.length < MAX_LISTED_FILES) files.push({ name: entry.name, size: entry.size });
      else more = true;
    }
    for await (const _ of entry.body);
  }
  return { size, files, ...(more ? { more } : {}) };
}

/** The body of one file of a tarball artifact, or undefined when the tarball has no such file. */
export async function* tarballFile(opened: OpenedArtifact, path: string): AsyncGenerator<Buffer> {
  for await (const entry of readTar(Readable.from(opened.body).pipe(createGunzip()))) {
    if (entry.type === 'file' && normalise(entry.name) === normalise(path)) {
      yield* entry.body;
      return;
    }
    for await (const _ of entry.body);
  }
  throw new Error(`no file "${path}" in the artifact`);
}

function normalise(name: string): string {
  return name.replace(/^\.\//, '');
}
