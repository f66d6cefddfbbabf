import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { StoredRun } from '../ports/run-store.js';
import { isWorkflowDone } from '../engine/workflow-status.js';
import { completionGarbagePending } from '../runs/run-artifact-gc.js';
import type { CliIO } from './cli-io.js';
import { childEnv } from './launch-run.js';
import type { LocalTarget } from './local-target.js';
import { DamagedRunError } from '../state/damaged-run-error.js';
import { damagedAdvice, readRun } from './read-run.js';
import { leaseOwner } from './run-lease.js';
import { startBackgroundDriver } from './start-background-driver.js';
import { describeRun } from './describe-run.js';
import type { RunKey } from '../ports/run-key.js';

/**
 * Runs left unfinished by a `skiff` process that ended (killed, machine restarted) move again:
 * each gets a background driver, which continues it from its journal; a finished run whose
 * completion GC was cut short gets one too, which does just the GC, and one that ended without
 * removing its claim directories loses them now. Called by the commands that start runs, so a
 * crash costs at most a wait until the next one. A damaged run is not continued: it is named on
 * stderr with what is wrong.
 */
export async function continueOrphans(target: LocalTarget, io: CliIO, except?: RunKey): Promise<RunKey[]> {
  const continued: RunKey[] = [];
  for (const id of await target.runs.list()) {
    if (id === except) continue;
    let run: StoredRun | undefined;
    try {
      run = await readRun(target.layout, id);
    } catch (error) {
      // Continuing it would replay a journal short of its records: it stays as it is, and says so.
      if (error instanceof DamagedRunError) io.stderr.write(`skiff: ${error.message}\nskiff: ${damagedAdvice(id)}\n`);
      continue;
    }
    if (!run) continue;
    const owesGarbage = isWorkflowDone(run.status.phase) && completionGarbagePending(run.workflow, run.status);
    if (isWorkflowDone(run.status.phase) && !owesGarbage) {
      // Its volumeClaimTemplates directories go with the run's end; a skiff that died first left them.
      const claims = target.layout.claimsDir(id);
      if (existsSync(claims) && (await leaseOwner(target.layout, id)) === undefined) await rm(claims, { recursive: true, force: true });
      continue;
    }
    if ((await leaseOwner(target.layout, id)) !== undefined) continue;
    try {
      await startBackgroundDriver(target, id, childEnv(io));
      io.stderr.write(
        owesGarbage
          ? `collecting the artifact garbage of ${describeRun(id)}, left undone by a skiff process that ended\n`
          : `continuing ${describeRun(id)}, left unfinished by a skiff process that ended\n`,
      );
      continued.push(id);
    } catch {
      // another process took it first: it is moving again either way
    }
  }
  return continued;
}
