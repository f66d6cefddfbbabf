import { chmod, copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ArtifactDriver } from '../artifacts/index.js';
import { joinKey } from '../artifacts/artifact-location.js';
import type { Artifact } from '../spec/model/workflow.js';
import { isFanIn } from '../engine/artifact-from.js';
import { type ExecutorPlan, INPUTS_DIR, SCRIPT_PATH, SECRETS_DIR } from '../runtime/pod-spec/executor-plan.js';
import { safeName } from '../runtime/pod-spec/main-wrapper.js';
import { fileSecretSource } from './file-secret-source.js';
import { replaceFile } from './replace-file.js';
import type { TransferProgressFile } from './transfer-progress-file.js';

export interface ExecutorPaths {
  inputsDir: string;
  scriptPath: string;
  secretsDir: string;
}

const POD_PATHS: ExecutorPaths = { inputsDir: INPUTS_DIR, scriptPath: SCRIPT_PATH, secretsDir: SECRETS_DIR };

export interface ExecutorInitOptions {
  /** Default: the pod's own paths. */
  paths?: ExecutorPaths;
  /** Default: the real driver, reading Secrets from the pod's secret volumes. */
  driver?: ArtifactDriver;
  /** Where the transfer of each artifact is reported while it loads. */
  progress?: TransferProgressFile;
}

/**
 * The init container's work (Argo's `argoexec init`): stage a script's source as an executable
 * file, and load every input artifact into the `input-artifacts` volume under its name, from
 * where main mounts it at its path. A looped step's artifact (fan-in) becomes a directory with
 * one entry per iteration. The first failure names the artifact and fails the pod.
 */
export async function executorInit(plan: ExecutorPlan, options: ExecutorInitOptions = {}): Promise<string[]> {
  const { paths = POD_PATHS, driver, progress } = options;
  const notes: string[] = [];
  if (plan.script !== undefined) {
    // The run volume is shared with the user's containers: nothing there is written through.
    await replaceFile(paths.scriptPath, plan.script, { mode: 0o755, under: dirname(dirname(paths.scriptPath)) });
  }
  if (plan.busybox) {
    // Into the pod's own bin volume, which the user's containers mount read-only.
    await copyFile(plan.busybox.from, plan.busybox.to).catch((error: Error) => {
      throw new Error(`cannot hand the pod a shell: Skiff's executor image has no busybox at ${plan.busybox!.from} (${error.message})`);
    });
    await chmod(plan.busybox.to, 0o755);
  }
  if (plan.inputs.length === 0) return notes;
  // Loaded only here: the S3 client is most of the executor's start-up time.
  const { createArtifactDriver, loadFanIn, loadInputArtifact } = await import('../artifacts/index.js');
  const artifacts =
    driver ?? createArtifactDriver({ secrets: fileSecretSource(paths.secretsDir), namespace: plan.namespace, ...(progress ? { onBytes: progress.add } : {}) });
  try {
    await mkdir(paths.inputsDir, { recursive: true });
    for (const input of plan.inputs) {
      const destPath = join(paths.inputsDir, safeName(input.name));
      const archiveLocation = plan.archiveLocation ? { archiveLocation: plan.archiveLocation } : {};
      progress?.begin('load', input.name);
      if (isFanIn(input)) {
        const { loaded } = await loadFanIn(
          input,
          input.fanIn.map((part) => ({ index: part.index, artifact: part.artifact, ...archiveLocation })),
          { driver: artifacts, destPath },
        );
        notes.push(`loaded ${input.name}: ${loaded.length} iteration(s)`);
      } else {
        const result = await loadInputArtifact(withSubPath(input), { driver: artifacts, destPath, ...archiveLocation });
        notes.push(result.loaded ? `loaded ${input.name}` : result.reason);
      }
      await progress?.end();
    }
  } finally {
    await progress?.end();
    if (!driver) artifacts.close();
  }
  return notes;
}

/** Argo's input `subPath`: the part of a stored (unarchived) directory artifact under that path. */
function withSubPath(input: Artifact): Artifact {
  if (!input.subPath) return input;
  const local = (input as { local?: { key?: string } }).local;
  if (input.s3?.key !== undefined) return { ...input, s3: { ...input.s3, key: joinKey(input.s3.key, input.subPath) } };
  if (local?.key !== undefined) return { ...input, local: { ...local, key: joinKey(local.key, input.subPath) } } as Artifact;
  return input;
}
