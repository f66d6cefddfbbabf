import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalRepositoryRoots, localRepositoryRootsFromEnv } from '../../runtime/local/local-repository-roots.js';
import { UsageError, type CliIO, type Command, envOf } from '../cli-io.js';
import { openLocalTarget } from '../local-target.js';
import { parseCommandArgs, STATE_DIR_HELP, STATE_DIR_OPTION } from '../parse-command-args.js';
import { readRun } from '../read-run.js';
import { DamagedRunError } from '../../state/damaged-run-error.js';
import { acquireLease, leaseOwner } from '../run-lease.js';
import { createArtifactDriver, type Repository } from '../../artifacts/index.js';
import type { StoredRun } from '../../engine/ports/run-store.js';
import { collectRunGarbage, garbageChanges } from '../../runtime/local/run-artifact-gc.js';
import { RunRepositories } from '../../runtime/local/run-repositories.js';
import type { LocalTarget } from '../local-target.js';

const USAGE = `Usage: skiff delete [options] NAME...

Deletes runs from the state directory: their status and journal, their pods' logs and
volumes, and their volume claims. A run that a skiff process is still running is refused; stop
or terminate it first. A damaged run (see skiff list) is deleted too, without its artifact
garbage collection, which needs the run's status: its artifacts stay in their repository.

First the run's artifact garbage collection: artifacts whose artifactGC strategy is
OnWorkflowDeletion (and OnWorkflowCompletion, if the run's end did not get to it) are deleted
from their repository. If one cannot be deleted, the run is kept and the reason printed, unless
the workflow sets spec.artifactGC.forceFinalizerRemoval: true.

Options:
${STATE_DIR_HELP}
  -h, --help            show this help

Exit status: 0 deleted, 1 a run does not exist or is running (the others are still deleted),
2 usage error.`;

export const deleteCommand: Command = {
  name: 'delete',
  summary: 'delete runs and their logs',
  usage: USAGE,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandArgs(args, STATE_DIR_OPTION);
    if (positionals.length === 0) throw new UsageError('name the run(s) to delete');
    const target = openLocalTarget(io, { stateDir: values['state-dir'] });
    let status = 0;
    for (const runId of positionals) {
      let run: StoredRun | undefined;
      let damage: DamagedRunError | undefined;
      try {
        run = await readRun(target.layout, runId);
      } catch (error) {
        if (!(error instanceof DamagedRunError)) throw error;
        damage = error;
      }
      if (!run && !damage) {
        io.stderr.write(`skiff delete: run "${runId}" not found\n`);
        status = 1;
        continue;
      }
      const lease = await acquireLease(target.layout, runId);
      if (!lease) {
        io.stderr.write(`skiff delete: run "${runId}" is running (skiff process ${(await leaseOwner(target.layout, runId)) ?? '?'}); stop or terminate it first\n`);
        status = 1;
        continue;
      }
      if (damage) io.stderr.write(`skiff delete: ${damage.message}; its artifact garbage collection is skipped\n`);
      const gc = run ? await deletionGC(target, run, envOf(io)) : { failures: [], removable: true };
      if (gc.failures.length > 0) {
        for (const failure of gc.failures) io.stderr.write(`skiff delete: ${failure}\n`);
        if (!gc.removable) {
          io.stderr.write(`skiff delete: run "${runId}" kept: its artifacts could not all be garbage collected (set spec.artifactGC.forceFinalizerRemoval: true to delete it anyway)\n`);
          await lease.release();
          status = 1;
          continue;
        }
      }
      await rm(target.layout.podDir(runId, '.'), { recursive: true, force: true });
      await rm(target.layout.claimsDir(runId), { recursive: true, force: true });
      await rm(join(target.layout.runs, runId), { recursive: true, force: true });
      io.stdout.write(`workflow ${runId} deleted\n`);
    }
    return status;
  },
};

/**
 * Argo's deletion-time artifact GC: what is due is deleted through the run's repository (the
 * one recorded in status, else resolved again) and recorded in the run's status, so a refused
 * delete keeps what was already done.
 */
async function deletionGC(target: LocalTarget, run: StoredRun, env: NodeJS.ProcessEnv): Promise<{ failures: string[]; removable: boolean }> {
  const { workflow, status } = run;
  // The repository's root is data: Skiff deletes only inside the directories local repositories may be in.
  const roots = new LocalRepositoryRoots([target.layout.artifacts, ...localRepositoryRootsFromEnv(env.SKIFF_LOCAL_REPOSITORY_ROOTS)]);
  const driver = createArtifactDriver({ secrets: target.objects, namespace: workflow.metadata.namespace ?? 'default', localRoot: (root) => roots.confine(root) });
  try {
    let repository = status.artifactRepositoryRef?.artifactRepository as Repository | undefined;
    repository ??= await new RunRepositories({ configMaps: target.objects, localDefault: { local: { root: target.layout.artifacts } } })
      .repository(workflow)
      .then((r) => r.repository, () => undefined);
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
    return { failures: [`artifact GC of run "${run.id}" failed: ${(error as Error).message}`], removable };
  } finally {
    driver.close();
  }
}
