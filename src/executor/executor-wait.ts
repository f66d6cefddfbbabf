import { access, open, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Artifact } from '../spec/model/workflow.js';
import type { ArtifactDriver } from '../artifacts/index.js';
import { type ExecutorPlan, type ExecutorReport, MAIN_DIR, OUTPUTS_DIR, REPORT_PATH, SECRETS_DIR } from '../runtime/pod-spec/executor-plan.js';
import { BLOCKED_BY_FILE, safeName } from '../runtime/pod-spec/main-wrapper.js';
import { fileSecretSource } from './file-secret-source.js';
import type { TransferProgressFile } from './transfer-progress-file.js';

export interface WaitPaths {
  mainDir: string;
  outputsDir: string;
  reportPath: string;
  secretsDir: string;
}

const POD_PATHS: WaitPaths = { mainDir: MAIN_DIR, outputsDir: OUTPUTS_DIR, reportPath: REPORT_PATH, secretsDir: SECRETS_DIR };

/** Longest stdout kept for `outputs.result`; the engine caps it further. */
export const RESULT_READ_LIMIT = 1 << 20;

export interface ExecutorWaitOptions {
  /** Default: the pod's own paths. */
  paths?: WaitPaths;
  /** Default: the real driver, reading Secrets from the pod's secret volumes. */
  driver?: ArtifactDriver;
  /** How often to look for main's exit code. */
  pollMs?: number;
  /** Where the transfer of each artifact is reported while it saves. */
  progress?: TransferProgressFile;
}

/**
 * The wait container's work (Argo's `argoexec wait`): wait until the main container's wrapper
 * (every container's, in a containerSet) has written its exit code (after copying the declared
 * outputs into the shared volume), then read output parameters (one trailing newline trimmed, as Argo), the main container's stdout as
 * `outputs.result`, and save output artifacts through the artifact driver. Writes the report,
 * which the runtime sends to the engine with the exit code in one event.
 */
export async function executorWait(plan: ExecutorPlan, options: ExecutorWaitOptions = {}): Promise<ExecutorReport> {
  const { paths = POD_PATHS, driver, pollMs = 20, progress } = options;
  // A containerSet's containers each leave an exit code beside main's; the pod is done when all have.
  const names = plan.containers ?? ['main'];
  const dirOf = (name: string): string => (name === 'main' ? paths.mainDir : join(dirname(paths.mainDir), name));
  const codes = new Map<string, number>();
  for (const name of names) codes.set(name, await waitForExitCode(dirOf(name), pollMs));
  const failed = [...codes.values()].find((code) => code !== 0);
  const report: ExecutorReport = { exitCode: codes.get('main') ?? failed ?? 0 };
  if (plan.containers) {
    report.containers = [];
    for (const name of names) {
      const blockedBy = (await readText(join(dirOf(name), BLOCKED_BY_FILE)))?.trim();
      report.containers.push({ name, exitCode: codes.get(name)!, ...(blockedBy ? { blockedBy } : {}) });
    }
  }
  try {
    const parameters: Array<{ name: string; value: string }> = [];
    for (const p of plan.parameters) {
      const value = await readText(join(paths.outputsDir, 'parameters', safeName(p.name)));
      if (value !== undefined) parameters.push({ name: p.name, value: value.replace(/\n$/, '') });
    }
    if (parameters.length > 0) report.parameters = parameters;
    if (plan.result) report.result = (await readText(join(paths.mainDir, 'stdout'), RESULT_READ_LIMIT)) ?? '';
    if (plan.artifacts.length > 0) {
      // Loaded only here: the S3 client is most of the executor's start-up time.
      const { createArtifactDriver, saveOutputArtifact } = await import('../artifacts/index.js');
      const artifacts = driver ?? createArtifactDriver({ secrets: fileSecretSource(paths.secretsDir), namespace: plan.namespace, ...(progress ? { onBytes: progress.add } : {}) });
      try {
        const saved: Artifact[] = [];
        for (const artifact of plan.artifacts) {
          const sourcePath = join(paths.outputsDir, 'artifacts', safeName(artifact.name));
          // A failed step's missing outputs are not a second failure: it failed already.
          if (report.exitCode !== 0 && !(await exists(sourcePath))) continue;
          progress?.begin('save', artifact.name);
          const result = await saveOutputArtifact(artifact, { driver: artifacts, sourcePath, ...(plan.archiveLocation ? { archiveLocation: plan.archiveLocation } : {}) });
          await progress?.end();
          if (result.saved) saved.push(result.recorded as Artifact);
        }
        if (saved.length > 0) report.artifacts = saved;
      } finally {
        await progress?.end();
        if (!driver) artifacts.close();
      }
    }
  } catch (error) {
    report.error = (error as Error).message.replaceAll(paths.outputsDir, '<outputs>');
  }
  await writeFile(paths.reportPath, JSON.stringify(report));
  return report;
}

async function waitForExitCode(dir: string, pollMs: number): Promise<number> {
  const codeFile = join(dir, 'exitcode');
  for (;;) {
    try {
      await access(codeFile);
      break;
    } catch {
      await sleep(pollMs);
    }
  }
  const exitCode = Number.parseInt((await readFile(codeFile, 'utf8')).trim(), 10);
  return Number.isNaN(exitCode) ? 1 : exitCode;
}

async function readText(path: string, limit?: number): Promise<string | undefined> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    if (limit === undefined) return await handle.readFile('utf8');
    const buffer = Buffer.alloc(limit);
    const { bytesRead } = await handle.read(buffer, 0, limit, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
