import { isWorkflowDone } from '../engine/workflow-status.js';
import type { CliIO } from './cli-io.js';
import type { RunTarget } from './run-target.js';
import type { LocalTarget } from './local-target.js';
import { requireRun, readRun } from './read-run.js';
import { leaseOwner } from './run-lease.js';
import type { RunSignal } from '../ports/run-control.js';
import { LocalRunControl } from '../state/local-run-control.js';
import { startBackgroundDriver } from './start-background-driver.js';
import { describeRun, nameOf } from './describe-run.js';
import type { RunKey } from '../ports/run-key.js';

/**
 * Asks the process driving a run to stop, terminate or resume it. When no process drives it (the
 * one that did was killed), a background driver is started to continue the run and take the
 * request, so the command works the same either way. Resolves once the request was taken.
 */
export async function controlRun(target: LocalTarget, io: CliIO, runId: RunKey, request: RunSignal, childEnv: NodeJS.ProcessEnv): Promise<void> {
  const run = await requireRun(target.layout, runId);
  if (isWorkflowDone(run.status.phase)) throw new Error(`${describeRun(runId)} has already finished (${run.status.phase})`);
  const sent = await new LocalRunControl(target.layout).send(runId, request);
  if ((await leaseOwner(target.layout, runId)) === undefined) {
    try {
      await startBackgroundDriver(target, runId, childEnv);
      io.stderr.write(`continuing ${describeRun(runId)}, left unfinished by a skiff process that ended\n`);
    } catch {
      // another process started driving it meanwhile; it will take the request
    }
  }
  if (await sent.taken(15_000)) return;
  const now = await readRun(target.layout, runId);
  if (now && isWorkflowDone(now.status.phase)) throw new Error(`${describeRun(runId)} finished (${now.status.phase}) before it could ${request.op}`);
  throw new Error(`the skiff process driving ${describeRun(runId)} did not answer; the request stays queued for it`);
}

/**
 * stop, terminate (and resume) of several runs: each is asked in turn and reported as argo
 * reports it (`NAME stopped`); one that fails is reported and the others still asked.
 */
export async function controlRuns(target: RunTarget, io: CliIO, runIds: RunKey[], request: RunSignal, done: string): Promise<number> {
  let status = 0;
  for (const runId of runIds) {
    try {
      await target.control(io, runId, request);
      io.stdout.write(`${nameOf(runId)} ${done}\n`);
    } catch (error) {
      if (runIds.length === 1) throw error;
      io.stderr.write(`skiff ${request.op}: ${(error as Error).message}\n`);
      status = 1;
    }
  }
  return status;
}
