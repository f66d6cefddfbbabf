import type { Repository } from '../artifacts/index.js';
import type { StoredRun } from '../ports/run-store.js';
import { embeddedLocalDefault, RunRepositories } from '../runs/run-repositories.js';
import type { LocalTarget } from './local-target.js';

/**
 * The artifact repository a run saved to: the one recorded in its status, else resolved again
 * as the run resolved it (workflow ref, namespace ConfigMap, the state directory's default).
 * Undefined if it cannot be resolved any more.
 */
export async function runRepository(target: LocalTarget, run: StoredRun): Promise<Repository | undefined> {
  const recorded = run.status.artifactRepositoryRef?.artifactRepository as Repository | undefined;
  if (recorded) return recorded;
  return new RunRepositories({ configMaps: target.objects, localDefault: embeddedLocalDefault(target.layout.artifacts) }).repository(run.workflow).then(
    (r) => r.repository,
    () => undefined,
  );
}
