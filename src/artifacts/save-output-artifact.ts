import { ArtifactError, isArtifactError } from './artifact-error.js';
import type { ArtifactDriver } from './artifact-driver.js';
import { artifactLocation, outputLocation } from './artifact-keys.js';
import { hasFullLocation, locationKey, storageKind, type StorageLocation, withKey, type SkiffArtifact } from './artifact-location.js';
import { outputArchive } from './archive/archive-strategy.js';
import type { SaveResult } from './save-to-store.js';

export interface SaveOutputOptions {
  driver: ArtifactDriver;
  /** The template's archive location (artifact-keys `archiveLocation`). */
  archiveLocation?: StorageLocation;
  /** Where the step left the artifact on this machine (its `path`, mapped out of the sandbox). */
  sourcePath: string;
}

export type SaveOutputResult =
  | {
      saved: true;
      /** Where it went, complete: for links and logs. */
      location: StorageLocation;
      /**
       * The artifact as Argo records it in the node's outputs: its own location if it gave a complete
       * one, else only the storage kind and key (`s3: { key }`), resolved later against the
       * workflow's repository, so no endpoint or secret names are copied into the status.
       */
      recorded: SkiffArtifact;
      stats: SaveResult;
    }
  | { saved: false; reason: string };

/**
 * Saves one output artifact as Argo's executor does (`saveArtifact`): archived per its `archive`
 * (tar+gzip by default), stored at its own key or the default key under the archive location; an
 * `optional` artifact whose path does not exist is skipped rather than failing the step.
 *
 * @example
 *   const result = await saveOutputArtifact({ name: 'out', path: '/tmp/out' }, { driver, archiveLocation, sourcePath: '/sandbox/tmp/out' });
 *   // result.recorded: { name: 'out', path: '/tmp/out', s3: { key: 'wf/wf-main-1/out.tgz' } }
 */
export async function saveOutputArtifact(artifact: SkiffArtifact, options: SaveOutputOptions): Promise<SaveOutputResult> {
  const archive = outputArchive(artifact);
  const location = outputLocation(artifact, archive.kind, options.archiveLocation);
  let stats: SaveResult;
  try {
    stats = await options.driver.save(options.sourcePath, location, archive, artifact.name);
  } catch (err) {
    if (artifact.optional && isArtifactError(err, 'not-found') && err.message.startsWith(options.sourcePath)) {
      return { saved: false, reason: `optional artifact ${JSON.stringify(artifact.name)}: ${artifact.path ?? options.sourcePath} does not exist` };
    }
    if (err instanceof ArtifactError) {
      // A refused link is the output's fault, not a failed transfer: said as what it is.
      const message =
        err.code === 'unsafe'
          ? `output artifact ${JSON.stringify(artifact.name)}: ${err.message}`
          : err.message.includes(JSON.stringify(artifact.name))
            ? err.message
            : `artifact ${JSON.stringify(artifact.name)} failed to save: ${err.message}`;
      throw new ArtifactError(err.code, message, { cause: err });
    }
    throw err;
  }
  const own = artifactLocation(artifact);
  const keep = hasFullLocation(own) ? own : withKey({ [storageKind(location)!]: {} } as StorageLocation, locationKey(location));
  const recorded: SkiffArtifact = { ...stripLocation(artifact), ...keep };
  return { saved: true, location, recorded, stats };
}

function stripLocation(artifact: SkiffArtifact): SkiffArtifact {
  const {
    s3: _s3,
    git: _git,
    http: _http,
    raw: _raw,
    gcs: _gcs,
    oss: _oss,
    azure: _azure,
    hdfs: _hdfs,
    artifactory: _a,
    plugin: _p,
    ...rest
  } = artifact as SkiffArtifact & { local?: unknown };
  delete (rest as { local?: unknown }).local;
  return rest;
}
