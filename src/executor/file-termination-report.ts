import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ArtifactDriver } from '../artifacts/index.js';
import { locationKey } from '../artifacts/artifact-location.js';
import type { ExecutorPlan, ExecutorReport } from '../runtime/pod-spec/executor-plan.js';
import { pointerMessage, pointerTo, reportMessage, TERMINATION_MESSAGE_LIMIT } from '../runtime/pod-spec/report-message.js';

export interface FileReportOptions {
  /** Default: the real driver, made only when the report needs the repository. */
  driver?: () => Promise<{ driver: ArtifactDriver; close(): void }>;
}

/**
 * Files the wait container's report as its termination message (a cluster's pods; see
 * report-message.ts): whole when it fits the kubelet's 4096 bytes, else stored in the run's
 * artifact repository with a pointer (key, SHA-256, size) as the message. With no repository to
 * hold a long report, the report filed is a failure naming the limit: outputs are never cut short
 * silently. Returns the report as filed. Does nothing without `plan.report`.
 */
export async function fileTerminationReport(plan: ExecutorPlan, report: ExecutorReport, options: FileReportOptions = {}): Promise<ExecutorReport> {
  const target = plan.report;
  if (!target) return report;
  const limit = target.limit ?? TERMINATION_MESSAGE_LIMIT;
  const whole = reportMessage(report, limit);
  if (whole !== undefined) {
    await writeFile(target.terminationMessagePath, whole);
    return report;
  }
  const bytes = Buffer.from(JSON.stringify(report));
  if (!target.overflow) {
    const failed: ExecutorReport = {
      ...(report.exitCode !== undefined ? { exitCode: report.exitCode } : {}),
      error: `the outputs are ${bytes.length} bytes, more than the ${limit}-byte termination message that carries them, and the run has no artifact repository to hold them: configure one, or make the outputs smaller`,
    };
    await writeFile(target.terminationMessagePath, reportMessage(failed, Number.POSITIVE_INFINITY)!);
    return failed;
  }
  // The wait container's own /tmp: the user's containers cannot swap the file before it is stored.
  const dir = await mkdtemp(join(tmpdir(), 'skiff-report-'));
  const opened = await (options.driver ?? defaultDriver(plan))();
  try {
    const file = join(dir, 'report.json');
    await writeFile(file, bytes);
    await opened.driver.save(file, target.overflow, { kind: 'none', level: 0 }, 'executor report');
    await writeFile(target.terminationMessagePath, pointerMessage(pointerTo(locationKey(target.overflow), bytes)));
    return report;
  } finally {
    opened.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function defaultDriver(plan: ExecutorPlan): () => Promise<{ driver: ArtifactDriver; close(): void }> {
  return async () => {
    const { createArtifactDriver } = await import('../artifacts/index.js');
    const { fileSecretSource } = await import('./file-secret-source.js');
    const { SECRETS_DIR } = await import('../runtime/pod-spec/executor-plan.js');
    const driver = createArtifactDriver({ secrets: fileSecretSource(SECRETS_DIR), namespace: plan.namespace });
    return { driver, close: () => driver.close() };
  };
}
