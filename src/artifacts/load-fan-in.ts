import { mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ArtifactError } from './artifact-error.js';
import type { ArtifactDriver } from './artifact-driver.js';
import type { StorageLocation, SkiffArtifact } from './artifact-location.js';
import { loadInputArtifact } from './load-input-artifact.js';
import { forEachConcurrent } from '../shared/map-ordered.js';

/** One iteration of a looped step, as the engine knows it. */
export interface FanInIteration {
  /** The iteration's position in the loop (0, 1, ...). */
  index: number;
  /** The iteration's recorded output artifact; absent when it was skipped, failed or produced none. */
  artifact?: SkiffArtifact;
  /** The archive location of the iteration's template, for an artifact recorded by key only. */
  archiveLocation?: StorageLocation;
}

export interface FanInEntry {
  index: number;
  /** `<destPath>/<index>` */
  path: string;
  artifact: SkiffArtifact;
  archiveLocation?: StorageLocation;
}

/**
 * Where each iteration's artifact goes when a looped step's output is used downstream as one input
 * (Skiff's answer to Argo issue 934): `<destPath>/<index>`, each placed exactly as a single input
 * would be (a file artifact becomes the file `<index>`, a directory the directory `<index>`).
 * Iterations without the artifact are left out. Pure.
 *
 * @example
 *   planFanIn('/tmp/reports', [{ index: 0, artifact: a0 }, { index: 1 }, { index: 2, artifact: a2 }]);
 *   // [{ index: 0, path: '/tmp/reports/0', ... }, { index: 2, path: '/tmp/reports/2', ... }]
 */
export function planFanIn(destPath: string, iterations: readonly FanInIteration[]): FanInEntry[] {
  const seen = new Set<number>();
  const entries: FanInEntry[] = [];
  for (const iteration of iterations) {
    if (!Number.isSafeInteger(iteration.index) || iteration.index < 0)
      throw new ArtifactError('config', `fan-in: iteration index ${iteration.index} is not a non-negative integer`);
    if (seen.has(iteration.index)) throw new ArtifactError('config', `fan-in: iteration ${iteration.index} is given twice`);
    seen.add(iteration.index);
    if (!iteration.artifact) continue;
    const entry: FanInEntry = { index: iteration.index, path: join(destPath, String(iteration.index)), artifact: iteration.artifact };
    if (iteration.archiveLocation) entry.archiveLocation = iteration.archiveLocation;
    entries.push(entry);
  }
  return entries.sort((a, b) => a.index - b.index);
}

export interface LoadFanInOptions {
  driver: ArtifactDriver;
  destPath: string;
  concurrency?: number;
}

/**
 * Materialises a fan-in input: the directory `destPath` holding every iteration's artifact (see
 * `planFanIn`). The input's `archive`, `mode` and `recurseMode` apply to each; if no iteration has
 * the artifact, that is an error unless the input is `optional` (then the directory is not made).
 */
export async function loadFanIn(input: SkiffArtifact, iterations: readonly FanInIteration[], options: LoadFanInOptions): Promise<{ loaded: number[] }> {
  const plan = planFanIn(options.destPath, iterations);
  if (plan.length === 0) {
    if (input.optional) return { loaded: [] };
    throw new ArtifactError('not-found', `artifact ${JSON.stringify(input.name)}: no iteration of the loop produced it`);
  }
  await mkdir(dirname(options.destPath), { recursive: true });
  // Not recursive: an existing directory there is an error, as for any input.
  await mkdir(options.destPath);
  const loaded: number[] = [];
  try {
    await forEachConcurrent(plan, options.concurrency ?? 4, async (entry) => {
      const artifact: SkiffArtifact = { ...entry.artifact, name: `${input.name}[${entry.index}]`, path: entry.path, optional: false };
      if (input.archive) artifact.archive = input.archive;
      else delete artifact.archive;
      if (input.mode !== undefined) artifact.mode = input.mode;
      if (input.recurseMode !== undefined) artifact.recurseMode = input.recurseMode;
      const result = await loadInputArtifact(artifact, {
        driver: options.driver,
        destPath: entry.path,
        ...(entry.archiveLocation ? { archiveLocation: entry.archiveLocation } : {}),
      });
      if (result.loaded) loaded.push(entry.index);
    });
  } catch (err) {
    await rm(options.destPath, { recursive: true, force: true });
    throw err;
  }
  return { loaded: loaded.sort((a, b) => a - b) };
}
