import { lstat, readlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Artifact } from '../spec/model/workflow.js';
import type { ArtifactDriver } from '../artifacts/index.js';
import { isArtifactError } from '../artifacts/artifact-error.js';
import { type ExecutorPlan, type ExecutorReport, MAIN_DIR, OUTPUTS_DIR, REPORT_PATH, SECRETS_DIR } from '../runtime/pod-spec/executor-plan.js';
import { BLOCKED_BY_FILE, safeName } from '../runtime/pod-spec/main-wrapper.js';
import { fileSecretSource } from './file-secret-source.js';
import { assertRealDirectories, readStepFile, type StepFile } from './read-step-file.js';
import { replaceFile } from './replace-file.js';
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
 *
 * Outputs are read as the step sees them: the wrapper, inside the step's own filesystem, resolves
 * an output path that is a link before copying it here. This side sees more than the step (the
 * repository's Secrets; locally, Skiff's own files), so it follows no link at all: a link left in
 * the copies, or one under an output directory whose target leaves it, fails the step with a
 * message naming the output and the link (see `refusal`).
 */
export async function executorWait(plan: ExecutorPlan, options: ExecutorWaitOptions = {}): Promise<ExecutorReport> {
  const { paths = POD_PATHS, driver, pollMs = 20, progress } = options;
  // A containerSet's containers each leave an exit code beside main's; the pod is done when all have.
  const names = plan.containers ?? ['main'];
  const dirOf = (name: string): string => (name === 'main' ? paths.mainDir : join(dirname(paths.mainDir), name));
  // The run volume's mount point: the one directory there the user's containers cannot replace.
  const under = dirname(paths.outputsDir);
  const codes = new Map<string, number>();
  for (const name of names) codes.set(name, await waitForExitCode(dirOf(name), under, pollMs));
  const failed = [...codes.values()].find((code) => code !== 0);
  const report: ExecutorReport = { exitCode: codes.get('main') ?? failed ?? 0 };
  if (plan.containers) {
    report.containers = [];
    for (const name of names) {
      const found = await readStepFile(join(dirOf(name), BLOCKED_BY_FILE), { under }).catch(() => ({ kind: 'missing' }) as const);
      const blockedBy = found.kind === 'file' ? found.text.trim() : undefined;
      report.containers.push({ name, exitCode: codes.get(name)!, ...(blockedBy ? { blockedBy } : {}) });
    }
  }
  try {
    const parameters: Array<{ name: string; value: string }> = [];
    for (const p of plan.parameters) {
      const what = `output parameter ${JSON.stringify(p.name)}`;
      const found = await readStepFile(join(paths.outputsDir, 'parameters', safeName(p.name)), { under });
      if (found.kind === 'link') throw refusal(what, p.path, found.target);
      const value = stepText(found, what, JSON.stringify(p.path));
      if (value !== undefined) parameters.push({ name: p.name, value: value.replace(/\n$/, '') });
    }
    if (parameters.length > 0) report.parameters = parameters;
    if (plan.result) {
      const found = await readStepFile(join(paths.mainDir, 'stdout'), { under, limit: RESULT_READ_LIMIT });
      if (found.kind === 'link')
        throw new Error(`outputs.result: the step's stdout file was replaced by a link to ${JSON.stringify(found.target)}; ${LINK_NOTE}`);
      report.result = stepText(found, 'outputs.result', "the step's stdout file") ?? '';
    }
    if (plan.artifacts.length > 0 || plan.archiveLogs) {
      // Loaded only here: the S3 client is most of the executor's start-up time.
      const { createArtifactDriver, saveOutputArtifact } = await import('../artifacts/index.js');
      const artifacts =
        driver ??
        createArtifactDriver({ secrets: fileSecretSource(paths.secretsDir), namespace: plan.namespace, ...(progress ? { onBytes: progress.add } : {}) });
      const saved: Artifact[] = [];
      try {
        for (const artifact of plan.artifacts) {
          const sourcePath = join(paths.outputsDir, 'artifacts', safeName(artifact.name));
          await assertRealDirectories(under, dirname(sourcePath));
          const kind = await lstat(sourcePath).catch(() => undefined);
          // A failed step's missing outputs are not a second failure: it failed already.
          if (report.exitCode !== 0 && !kind) continue;
          const what = `output artifact ${JSON.stringify(artifact.name)}`;
          if (kind?.isSymbolicLink()) throw refusal(what, artifact.path ?? artifact.name, await readlink(sourcePath));
          progress?.begin('save', artifact.name);
          const result = await saveOutputArtifact(artifact, {
            driver: artifacts,
            sourcePath,
            ...(plan.archiveLocation ? { archiveLocation: plan.archiveLocation } : {}),
          }).catch((error: unknown) => {
            throw isArtifactError(error, 'unsafe') ? new Error(`${error.message}; ${LINK_NOTE}`) : error;
          });
          await progress?.end();
          if (result.saved) saved.push(result.recorded as Artifact);
        }
      } catch (error) {
        report.error = (error as Error).message;
      } finally {
        await progress?.end();
      }
      try {
        // After the outputs, whatever became of them (Argo's order): the log says why a step failed.
        if (plan.archiveLogs) {
          const { archiveContainerLogs } = await import('./archive-container-logs.js');
          saved.push(...(await archiveContainerLogs({ names, dirOf, under, archiveLocation: plan.archiveLocation, driver: artifacts })));
        }
      } catch (error) {
        report.error = [report.error, (error as Error).message].filter(Boolean).join('; ');
      } finally {
        if (!driver) artifacts.close();
      }
      if (saved.length > 0) report.artifacts = saved;
    }
  } catch (error) {
    report.error = (error as Error).message;
  }
  if (report.error) report.error = report.error.replaceAll(paths.outputsDir, '<outputs>');
  // The step may have left a link where the report goes: it is replaced, not written through.
  await replaceFile(paths.reportPath, JSON.stringify(report));
  // In a cluster the report is also the container's termination message: what the runtime reads.
  const { fileTerminationReport } = await import('./file-termination-report.js');
  return fileTerminationReport(plan, report, driver ? { driver: async () => ({ driver, close: () => undefined }) } : {});
}

/** Why a link in the outputs is refused, said once for every kind of output. */
const LINK_NOTE = 'outputs are read as the step sees them, and links that leave the output are not followed';

/** The text of an output's copy (a link is refused before); `undefined` when the step left none. */
function stepText(found: StepFile, what: string, subject: string): string | undefined {
  if (found.kind === 'file') return found.text;
  if (found.kind === 'missing') return undefined;
  throw new Error(`${what}: ${subject} is not a regular file`);
}

/**
 * A copy that is still a link: the wrapper resolves every link the step's filesystem resolves,
 * so this one names nothing there (or the step replaced the copy itself).
 */
function refusal(what: string, path: string, target: string): Error {
  return new Error(`${what}: ${JSON.stringify(path)} is a link to ${JSON.stringify(target)}, which the step's own filesystem does not resolve; ${LINK_NOTE}`);
}

async function waitForExitCode(dir: string, under: string, pollMs: number): Promise<number> {
  const codeFile = join(dir, 'exitcode');
  for (;;) {
    const found = await readStepFile(codeFile, { under }).catch(() => ({ kind: 'other' }) as const);
    if (found.kind === 'missing') {
      await sleep(pollMs);
      continue;
    }
    // Only the wrapper writes a file here; anything else (a link the step planted) is a failure.
    const exitCode = found.kind === 'file' ? Number.parseInt(found.text.trim(), 10) : Number.NaN;
    return Number.isNaN(exitCode) ? 1 : exitCode;
  }
}
