import { type ExecutorPlan, PLAN_ENV, PROGRESS_PATH, RUN_DIR, TERMINATION_ENV } from '../runtime/pod-spec/executor-plan.js';
import { writeFile } from 'node:fs/promises';
import { reportMessage } from '../runtime/pod-spec/report-message.js';
import { executorInit } from './executor-init.js';
import { executorWait } from './executor-wait.js';
import { replaceFile } from './replace-file.js';
import { TransferProgressFile } from './transfer-progress-file.js';

export interface ExecutorIO {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: NodeJS.ProcessEnv;
}

/**
 * `skiff executor init|wait`, inside a pod: reads the plan from the env, does the phase's work,
 * and on failure writes the message to the termination-message path (how the runtime learns
 * why) and returns 1. Imports nothing of the CLI, and the artifact layer only when the pod has
 * artifacts, so a pod without them pays for a bare Node.js start.
 */
export async function runExecutor(args: string[], io: ExecutorIO): Promise<number> {
  const phase = args[0];
  if (phase !== 'init' && phase !== 'wait') {
    io.stderr.write(`skiff executor: expected "init" or "wait", got ${JSON.stringify(phase ?? '')}\n`);
    return 2;
  }
  const text = io.env[PLAN_ENV];
  if (!text) {
    io.stderr.write(`skiff executor: $${PLAN_ENV} is not set: this command runs inside a pod Skiff built\n`);
    return 2;
  }
  let plan: ExecutorPlan | undefined;
  let filed = false;
  try {
    plan = JSON.parse(text) as ExecutorPlan;
    const progress = new TransferProgressFile(PROGRESS_PATH);
    if (phase === 'init') {
      for (const note of await executorInit(plan, { progress })) io.stdout.write(`${note}\n`);
      return 0;
    }
    const report = await executorWait(plan, { progress });
    filed = true;
    if (report.error) throw new Error(report.error);
    io.stdout.write(`collected outputs: ${(report.parameters ?? []).length} parameter(s), ${(report.artifacts ?? []).length} artifact(s)\n`);
    return 0;
  } catch (error) {
    const message = (error as Error).message;
    // In a cluster, wait's termination message is its report: a failure before it was filed is one too.
    if (phase === 'wait' && plan?.report && !filed)
      await writeFile(plan.report.terminationMessagePath, reportMessage({ error: message.slice(0, 2048) }) ?? '').catch(() => undefined);
    const path = io.env[TERMINATION_ENV];
    // In the run volume, where the step may have planted links on the way to it.
    if (path) await replaceFile(path, message, path.startsWith(`${RUN_DIR}/`) ? { under: RUN_DIR } : {});
    io.stderr.write(`skiff executor ${phase}: ${message}\n`);
    return 1;
  }
}
