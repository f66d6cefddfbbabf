import { localRepositoryRootsFromEnv } from '../runtime/local/index.js';
import type { Runtime } from '../ports/runtime.js';
import { transientErrorPattern } from '../engine/transient-errors.js';
import { InstantRuntime, type InstantPodScript } from '../runtime/instant-runtime.js';
import type { LocalTarget } from './local-target.js';
import { readRun } from './read-run.js';
import { defaultArtifactRepositoryFromEnv } from './default-artifact-repository.js';

export type LocalRuntime = Runtime & { close(): Promise<void> };

/**
 * The runtime local runs use: the sandboxed local runtime, or with `SKIFF_RUNTIME=instant` the
 * InstantRuntime, which runs nothing and lets tests script pods through `SKIFF_INSTANT_SCRIPT`,
 * a JSON object from template name to InstantPodScript (`{"flaky": {"exitCode": 1}}`). The one
 * seam between the commands and how pods run.
 */
export async function createRuntime(target: LocalTarget, env: NodeJS.ProcessEnv): Promise<LocalRuntime> {
  checkRunEnvironment(env);
  if (env.SKIFF_RUNTIME === 'instant') return instantRuntime(env.SKIFF_INSTANT_SCRIPT);
  // Loaded only here: commands that run no pods (and instant runs) do not pay for the sandbox's modules.
  const { createLocalRuntime } = await import('../runtime/local/create-local-runtime.js');
  return createLocalRuntime({
    layout: target.layout,
    objects: target.objects,
    runOf: async (id) => (await readRun(target.layout, id))?.workflow,
    recordedRepositoryOf: async (id) => (await readRun(target.layout, id))?.status.artifactRepositoryRef,
    allowEgress: egressAllowed(env),
    localRepositoryRoots: localRepositoryRootsFromEnv(env.SKIFF_LOCAL_REPOSITORY_ROOTS),
    defaultRepository: defaultArtifactRepositoryFromEnv(env),
  });
}

/**
 * `SKIFF_ALLOW_EGRESS=1` lets the user's containers share the host's network (the internet, the
 * host's services); unset or 0, each has a network of its own with only loopback and the run's
 * daemons. One setting for everything this Skiff process runs.
 */
export function egressAllowed(env: NodeJS.ProcessEnv): boolean {
  const value = env.SKIFF_ALLOW_EGRESS?.trim().toLowerCase();
  if (value === undefined || value === '' || value === '0' || value === 'false') return false;
  if (value === '1' || value === 'true') return true;
  throw new Error(`SKIFF_ALLOW_EGRESS="${env.SKIFF_ALLOW_EGRESS}" is neither 1 nor 0`);
}

/**
 * Fails early, before anything is saved, on settings from the environment a run could not start
 * with: a SKIFF_RUNTIME that names no runtime, a TRANSIENT_ERROR_PATTERN that is no regular
 * expression, a SKIFF_ALLOW_EGRESS that is neither 1 nor 0, a SKIFF_LOCAL_REPOSITORY_ROOTS that
 * names a relative path, a SKIFF_DEFAULT_ARTIFACT_REPOSITORY that is no artifact repository.
 */
export function checkRunEnvironment(env: NodeJS.ProcessEnv): void {
  if (env.SKIFF_RUNTIME && env.SKIFF_RUNTIME !== 'local' && env.SKIFF_RUNTIME !== 'instant') {
    throw new Error(`SKIFF_RUNTIME="${env.SKIFF_RUNTIME}" is not a runtime: use local (the default) or instant`);
  }
  transientErrorPattern(env.TRANSIENT_ERROR_PATTERN);
  egressAllowed(env);
  localRepositoryRootsFromEnv(env.SKIFF_LOCAL_REPOSITORY_ROOTS);
  defaultArtifactRepositoryFromEnv(env);
}

function instantRuntime(scriptJson: string | undefined): LocalRuntime {
  let scripts: Record<string, InstantPodScript> = {};
  if (scriptJson) {
    try {
      scripts = JSON.parse(scriptJson) as Record<string, InstantPodScript>;
    } catch (error) {
      throw new Error(`SKIFF_INSTANT_SCRIPT is not JSON: ${(error as Error).message}`);
    }
  }
  const runtime = new InstantRuntime({ script: (pod) => scripts[pod.template.name] });
  return Object.assign(runtime, { close: async () => undefined });
}
