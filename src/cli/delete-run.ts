import { rm } from 'node:fs/promises';
import { createArtifactDriver } from '../artifacts/index.js';
import type { StoredRun } from '../ports/run-store.js';
import { collectRunGarbage, garbageChanges } from '../runs/run-artifact-gc.js';
import { killTaggedSandboxes, runTagPrefix } from '../runtime/local/index.js';
import { DamagedRunError } from '../state/damaged-run-error.js';
import { type CliIO, envOf } from './cli-io.js';
import { localRootConfinement } from './local-root-confinement.js';
import type { LocalTarget } from './local-target.js';
import { readRun } from './read-run.js';
import { acquireLease, leaseOwner } from './run-lease.js';
import { runRepository } from './run-repository.js';
import { describeRun } from './describe-run.js';
import { splitRunKey, type RunKey } from '../ports/run-key.js';

/**
 * Deletes one run with its logs, volumes and claims, after its deletion-time artifact garbage
 * collection; reports what it did or why not (a run that is running or whose artifacts could not
 * be collected is kept). Resolves false if the run was not deleted.
 */
export async function deleteRun(target: LocalTarget, io: CliIO, runId: RunKey): Promise<boolean> {
  let run: StoredRun | undefined;
  let damage: DamagedRunError | undefined;
  try {
    run = await readRun(target.layout, runId);
  } catch (error) {
    if (!(error instanceof DamagedRunError)) throw error;
    damage = error;
  }
  if (!run && !damage) {
    io.stderr.write(`skiff delete: ${describeRun(runId)} not found\n`);
    return false;
  }
  const lease = await acquireLease(target.layout, runId);
  if (!lease) {
    io.stderr.write(
      `skiff delete: ${describeRun(runId)} is running (skiff process ${(await leaseOwner(target.layout, runId)) ?? '?'}); stop or terminate it first\n`,
    );
    return false;
  }
  if (damage) io.stderr.write(`skiff delete: ${damage.message}; its artifact garbage collection is skipped\n`);
  const gc = run ? await deletionGC(target, run, envOf(io)) : { failures: [], removable: true };
  if (gc.failures.length > 0) {
    for (const failure of gc.failures) io.stderr.write(`skiff delete: ${failure}\n`);
    if (!gc.removable) {
      io.stderr.write(
        `skiff delete: ${describeRun(runId)} kept: its artifacts could not all be garbage collected (set spec.artifactGC.forceFinalizerRemoval: true to delete it anyway)\n`,
      );
      await lease.release();
      return false;
    }
  }
  // Sandboxes a dead Skiff left of this run go with it (the lease says no live Skiff drives it).
  killTaggedSandboxes(runTagPrefix(target.layout.root, runId), { prefix: true });
  await rm(target.layout.runPodsDir(runId), { recursive: true, force: true });
  await rm(target.layout.claimsDir(runId), { recursive: true, force: true });
  await rm(target.layout.runDir(runId), { recursive: true, force: true });
  const { namespace, name } = splitRunKey(runId);
  io.stdout.write(`workflow ${name} deleted${namespace === 'default' ? '' : ` (namespace ${namespace})`}\n`);
  return true;
}

/**
 * Argo's deletion-time artifact GC: what is due is deleted through the run's repository (the
 * one recorded in status, else resolved again) and recorded in the run's status, so a refused
 * delete keeps what was already done.
 */
async function deletionGC(target: LocalTarget, run: StoredRun, env: NodeJS.ProcessEnv): Promise<{ failures: string[]; removable: boolean }> {
  const { workflow, status } = run;
  const driver = createArtifactDriver({
    secrets: target.objects,
    namespace: workflow.metadata.namespace ?? 'default',
    localRoot: localRootConfinement(target, env),
  });
  try {
    const repository = await runRepository(target, run);
    const garbage = await collectRunGarbage(workflow, status, { deleting: true, driver, repository });
    if (!garbage) return { failures: [], removable: true };
    if (!garbage.finalizerRemovable) {
      const changes = garbageChanges(status, garbage);
      for (const node of changes.nodes) status.nodes[node.id] = node;
      Object.assign(status, changes.run);
      await target.runs.save(run);
      await target.runs.closeAll();
    }
    return { failures: garbage.failures, removable: garbage.finalizerRemovable };
  } catch (error) {
    const removable = Boolean(workflow.spec.artifactGC?.forceFinalizerRemoval);
    return { failures: [`artifact GC of ${describeRun(run.key)} failed: ${(error as Error).message}`], removable };
  } finally {
    driver.close();
  }
}
