import { chmod, lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ArtifactError, isArtifactError } from './artifact-error.js';
import type { ArtifactDriver } from './artifact-driver.js';
import { inputLocation } from './artifact-keys.js';
import { describeLocation, type StorageLocation, type SkiffArtifact } from './artifact-location.js';
import { unarchiveMode } from './archive/archive-strategy.js';

export interface LoadInputOptions {
  driver: ArtifactDriver;
  /** The template's archive location (artifact-keys `archiveLocation`), for key-only artifacts. */
  archiveLocation?: StorageLocation;
  /** Where the artifact goes on this machine: its `path`, mapped into the step's sandbox. */
  destPath: string;
}

export type LoadInputResult = { loaded: true; location: StorageLocation } | { loaded: false; reason: string };

/**
 * Loads one input artifact as Argo's executor does (`loadArtifact`): an artifact with no location
 * and no key is "not supplied", an error unless `optional`; an optional one that is not found is
 * skipped; otherwise it is loaded (unpacked if it is a tarball, per its `archive`) and `mode`
 * applied (to everything under it with `recurseMode`). Errors name the artifact.
 *
 * @example
 *   await loadInputArtifact({ name: 'data', path: '/tmp/data', s3: { key: 'my-file' } }, { driver, archiveLocation, destPath: '/sandbox/tmp/data' });
 */
export async function loadInputArtifact(artifact: SkiffArtifact, options: LoadInputOptions): Promise<LoadInputResult> {
  const location = inputLocation(artifact, options.archiveLocation);
  if (!location) {
    if (artifact.optional) return { loaded: false, reason: `optional artifact ${JSON.stringify(artifact.name)} was not supplied` };
    throw new ArtifactError('not-found', `required artifact ${JSON.stringify(artifact.name)} not supplied`);
  }
  try {
    await options.driver.load(location, options.destPath, unarchiveMode(artifact), artifact.name);
  } catch (err) {
    if (artifact.optional && isArtifactError(err, 'not-found')) {
      return { loaded: false, reason: `optional artifact ${JSON.stringify(artifact.name)} not found at ${describeLocation(location)}` };
    }
    if (err instanceof ArtifactError) {
      const message = err.message.includes(JSON.stringify(artifact.name))
        ? err.message
        : `artifact ${JSON.stringify(artifact.name)} failed to load: ${err.message}`;
      throw new ArtifactError(err.code, message, { cause: err });
    }
    throw err;
  }
  if (artifact.mode !== undefined) await applyMode(options.destPath, artifact.mode, Boolean(artifact.recurseMode));
  return { loaded: true, location };
}

async function applyMode(path: string, mode: number, recurse: boolean): Promise<void> {
  await chmod(path, mode);
  if (!recurse || !(await lstat(path)).isDirectory()) return;
  for (const entry of await readdir(path, { withFileTypes: true })) {
    if (entry.isSymbolicLink()) continue;
    await applyMode(join(path, entry.name), mode, true);
  }
}
