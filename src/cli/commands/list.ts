import { relative } from 'node:path';
import type { StoredRun } from '../../engine/ports/run-store.js';
import { isWorkflowDone } from '../../engine/workflow-status.js';
import { DamagedRunError } from '../../state/damaged-run-error.js';
import type { CliIO, Command } from '../cli-io.js';
import { ageOf, spanOf } from '../format-duration.js';
import { formatTable } from '../format-table.js';
import { openLocalTarget } from '../local-target.js';
import { parseCommandArgs, STATE_DIR_HELP, STATE_DIR_OPTION, } from '../parse-command-args.js';
import { UsageError } from '../cli-io.js';
import { readRun } from '../read-run.js';
import { leaseOwner } from '../run-lease.js';

const USAGE = `Usage: skiff list [options]

Lists the runs in the state directory, newest first: NAME STATUS AGE DURATION MESSAGE. A run
that no skiff process is running any more (its process was killed) says so; skiff resume
continues it. A run whose saved files are damaged is listed with STATUS Damaged and what is
wrong (file and record) as its MESSAGE; skiff delete removes it.

Options:
${STATE_DIR_HELP}
  -h, --help            show this help

Exit status: 0 listed, 1 listed but some run is damaged, 2 usage error.`;

export const listCommand: Command = {
  name: 'list',
  summary: 'list runs',
  usage: USAGE,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandArgs(args, STATE_DIR_OPTION);
    if (positionals.length > 0) throw new UsageError(`list takes no arguments (got ${positionals.join(' ')})`);
    const target = openLocalTarget(io, { stateDir: values['state-dir'] });
    const now = Date.now();
    const runs: StoredRun[] = [];
    // Damaged runs come first: each needs a person's look, and none keeps the others from showing.
    const damaged: string[][] = [];
    for (const id of await target.runs.list()) {
      try {
        const run = await readRun(target.layout, id);
        if (run) runs.push(run);
      } catch (error) {
        const reason = error instanceof DamagedRunError ? `${relative(target.layout.root, error.file)}${error.at ? `, ${error.at}` : ''}: ${error.problem}` : (error as Error).message;
        damaged.push([id, 'Damaged', '', '', reason]);
      }
    }
    runs.sort((a, b) => (b.status.startedAt ?? '\uffff').localeCompare(a.status.startedAt ?? '\uffff'));
    const rows = [['NAME', 'STATUS', 'AGE', 'DURATION', 'MESSAGE'], ...damaged];
    for (const run of runs) {
      let message = run.status.message ?? '';
      if (!isWorkflowDone(run.status.phase) && (await leaseOwner(target.layout, run.id)) === undefined) message = `no skiff process is running it; skiff resume ${run.id} continues it`;
      rows.push([run.id, run.status.phase, ageOf(run.status.startedAt, now), spanOf(run.status, now), message]);
    }
    io.stdout.write(`${formatTable(rows)}\n`);
    if (damaged.length === 0) return 0;
    io.stderr.write(`skiff list: ${damaged.length === 1 ? 'a run is' : `${damaged.length} runs are`} damaged and left as ${damaged.length === 1 ? 'it is' : 'they are'}; skiff delete NAME removes one\n`);
    return 1;
  },
};
