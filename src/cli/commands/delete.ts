import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError, type CliIO, type Command } from '../cli-io.js';
import { parseLabelSelector } from '../label-selector.js';
import { parseAge } from '../parse-age.js';
import { namedOrSelected, SELECT_OPTIONS } from '../select-runs.js';
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
       skiff delete [options] --all | --completed | --older DURATION | --prefix PREFIX | -l SELECTOR

Deletes runs from the state directory: their status and journal, their pods' logs and
volumes, and their volume claims. A run that a skiff process is still running is refused; stop
or terminate it first. A damaged run (see skiff list) is deleted too, without its artifact
garbage collection, which needs the run's status: its artifacts stay in their repository.

First the run's artifact garbage collection: artifacts whose artifactGC strategy is
OnWorkflowDeletion (and OnWorkflowCompletion, if the run's end did not get to it) are deleted
from their repository. If one cannot be deleted, the run is kept and the reason printed, unless
the workflow sets spec.artifactGC.forceFinalizerRemoval: true.

Runs can be picked as argo delete picks them; the flags combine (all must hold):

Options:
      --all                    every run (of the namespace; with -A, of every namespace)
      --completed              every finished run
      --older DURATION         every run that finished at least DURATION ago (10m, 3h, 2d)
      --prefix PREFIX          every run whose name starts with PREFIX
  -l, --selector SELECTOR      every run whose labels match (see skiff list)
  -n, --namespace NS           with the flags above: runs of namespace NS (default: default)
  -A, --all-namespaces         with the flags above: runs of every namespace
      --dry-run                print what would be deleted, delete nothing
${STATE_DIR_HELP}
  -h, --help            show this help

Exit status: 0 deleted, 1 a run does not exist or is running (the others are still deleted),
2 usage error.`;

export const deleteCommand: Command = {
  name: 'delete',
  summary: 'delete runs and their logs',
  usage: USAGE,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandArgs(args, {
      ...STATE_DIR_OPTION,
      ...SELECT_OPTIONS,
      all: { type: 'boolean' },
      completed: { type: 'boolean' },
      older: { type: 'string' },
      prefix: { type: 'string' },
      namespace: { type: 'string', short: 'n' },
      'all-namespaces': { type: 'boolean', short: 'A' },
      'dry-run': { type: 'boolean' },
    });
    const selecting =
      values.all === true || values.completed === true || values.older !== undefined || values.prefix !== undefined || values.selector !== undefined;
    if (positionals.length === 0 && !selecting) throw new UsageError('name the run(s) to delete, or pick them (--all, --completed, --older, --prefix, -l)');
    const target = openLocalTarget(io, { stateDir: values['state-dir'] });
    const filter = selecting
      ? {
          namespace: values['all-namespaces'] ? undefined : (values.namespace ?? target.objects.namespace),
          completed: values.completed,
          older: values.older === undefined ? undefined : parseAge(values.older, '--older'),
          prefix: values.prefix,
          labels: values.selector === undefined ? undefined : parseLabelSelector(values.selector),
        }
      : undefined;
    const chosen = await namedOrSelected(target, positionals, filter);
    if (values['dry-run']) {
      io.stdout.write(chosen.map((id) => `workflow ${id} deleted (dry run)\n`).join(''));
      return 0;
    }
    let status = 0;
    for (const runId of chosen) {
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
        io.stderr.write(
          `skiff delete: run "${runId}" is running (skiff process ${(await leaseOwner(target.layout, runId)) ?? '?'}); stop or terminate it first\n`,
        );
        status = 1;
        continue;
      }
      if (damage) io.stderr.write(`skiff delete: ${damage.message}; its artifact garbage collection is skipped\n`);
      const gc = run ? await deletionGC(target, run) : { failures: [], removable: true };
      if (gc.failures.length > 0) {
        for (const failure of gc.failures) io.stderr.write(`skiff delete: ${failure}\n`);
        if (!gc.removable) {
          io.stderr.write(
            `skiff delete: run "${runId}" kept: its artifacts could not all be garbage collected (set spec.artifactGC.forceFinalizerRemoval: true to delete it anyway)\n`,
          );
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
async function deletionGC(target: LocalTarget, run: StoredRun): Promise<{ failures: string[]; removable: boolean }> {
  const { workflow, status } = run;
  const driver = createArtifactDriver({ secrets: target.objects, namespace: workflow.metadata.namespace ?? 'default' });
  try {
    let repository = status.artifactRepositoryRef?.artifactRepository as Repository | undefined;
    repository ??= await new RunRepositories({ configMaps: target.objects, localDefault: { local: { root: target.layout.artifacts } } })
      .repository(workflow)
      .then(
        (r) => r.repository,
        () => undefined,
      );
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
