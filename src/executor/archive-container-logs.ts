import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArtifactDriver, StorageLocation } from '../artifacts/index.js';
import { joinKey, locationKey, storageKind, withKey } from '../artifacts/artifact-location.js';
import { LOG_FILE } from '../runtime/pod-spec/main-wrapper.js';
import type { Artifact } from '../spec/model/workflow.js';
import { assertRealDirectories } from './read-step-file.js';

export interface ContainerLogSources {
  /** The user containers, in order (`main`, or a containerSet's). */
  names: string[];
  /** Where each container's wrapper left its files (its log among them). */
  dirOf: (name: string) => string;
  /** The run volume's mount point, which no container can replace. */
  under: string;
  /** The pod's archive location: the logs go under its key. */
  archiveLocation: StorageLocation | undefined;
  driver: ArtifactDriver;
}

/** The artifact name a container's archived log has in the node's outputs (Argo's). */
export function logArtifactName(container: string): string {
  return `${container}-logs`;
}

/**
 * Archives each user container's log as Argo's executor does (`SaveLogs`): the whole stdout and
 * stderr the wrapper kept, stored as it is (no tarball, no gzip) at `<archive key>/<container>.log`,
 * and recorded as the `<container>-logs` output artifact with only its storage kind and key, as
 * other outputs are. The log is the raw log: Secrets' values in it are not hidden here; the run
 * page and the comments hide them where they show it. A container that left no log (it never
 * started) is skipped; a log the step replaced by a link or anything but a file is refused, as
 * the wait container follows no link into what it alone can read.
 */
export async function archiveContainerLogs(sources: ContainerLogSources): Promise<Artifact[]> {
  const { archiveLocation, driver } = sources;
  const kind = archiveLocation ? storageKind(archiveLocation) : undefined;
  if (!archiveLocation || !kind) throw new Error('archiveLogs: the pod has no archive location to keep its logs in');
  const saved: Artifact[] = [];
  for (const name of sources.names) {
    const dir = sources.dirOf(name);
    await assertRealDirectories(sources.under, dir);
    const path = join(dir, LOG_FILE);
    const found = await lstat(path).catch(() => undefined);
    if (!found) continue;
    if (!found.isFile())
      throw new Error(`archiveLogs: the log of container ${JSON.stringify(name)} was replaced by something that is not a file; it is not archived`);
    const key = joinKey(locationKey(archiveLocation), `${name}.log`);
    const location = withKey(archiveLocation, key);
    const artifact = logArtifactName(name);
    await driver.save(path, location, { kind: 'none', level: 0 }, artifact);
    saved.push({ name: artifact, ...withKey({ [kind]: {} } as StorageLocation, key) } as Artifact);
  }
  return saved;
}
