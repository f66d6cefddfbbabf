import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError, type CliIO, type Command } from '../cli-io.js';
import { openLocalTarget } from '../local-target.js';
import { parseCommandArgs, STATE_DIR_HELP, STATE_DIR_OPTION } from '../parse-command-args.js';
import { readRun } from '../read-run.js';
import { acquireLease, leaseOwner } from '../run-lease.js';

const USAGE = `Usage: skiff delete [options] NAME...

Deletes runs from the state directory: their status and journal, their pods' logs and
volumes, and their volume claims. A run that a skiff process is still running is refused; stop
or terminate it first.

Not yet: artifact garbage collection on deletion (artifactGC strategy OnWorkflowDeletion);
artifacts such a run saved stay in their repository.

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
      const run = await readRun(target.layout, runId);
      if (!run) {
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
      // TODO(artifact GC): run OnWorkflowDeletion GC here (planArtifactGC + collectArtifactGarbage
      // with the run's repositories) once the local runtime exposes repository resolution.
      await rm(target.layout.podDir(runId, '.'), { recursive: true, force: true });
      await rm(target.layout.claimsDir(runId), { recursive: true, force: true });
      await rm(join(target.layout.runs, runId), { recursive: true, force: true });
      io.stdout.write(`workflow ${runId} deleted\n`);
    }
    return status;
  },
};
