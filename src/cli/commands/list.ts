import { dump } from 'js-yaml';
import type { StoredRun } from '../../ports/run-store.js';
import { type CliIO, type Command, UsageError } from '../cli-io.js';
import { ageOf, spanOf } from '../../report/format-duration.js';
import { workflowObject } from '../format-run.js';
import { formatTable } from '../format-table.js';
import { parseLabelSelector } from '../label-selector.js';
import { openRunTarget } from '../open-run-target.js';
import { CLUSTER_TARGET_HELP, CLUSTER_TARGET_OPTIONS } from '../run-target.js';
import { parseAge } from '../parse-age.js';
import { parseCommandArgs, STATE_DIR_HELP, STATE_DIR_OPTION } from '../parse-command-args.js';
import { splitRunKey } from '../../ports/run-key.js';
import { matchesRun, namespaceOf, readAllRuns, type RunFilter } from '../select-runs.js';

const USAGE = `Usage: skiff list [options]

Lists the runs in the state directory, newest first: NAME STATUS AGE DURATION MESSAGE, as argo
list does. A run that no skiff process is running any more (its process was killed) says so;
skiff resume continues it. A run whose saved files are damaged is listed with STATUS Damaged and
what is wrong (file and record) as its MESSAGE; skiff delete removes it. Damaged runs are listed
whatever the filters, since none of their fields can be read.

Options:
      --status PHASES      only runs in these phases (comma-separated: Pending, Running,
                           Succeeded, Failed, Error)
      --running            only runs that have not finished
      --completed          only finished runs
      --prefix PREFIX      only runs whose name starts with PREFIX
      --since DURATION     only runs started within DURATION (30s, 10m, 1h30m, 2d)
      --older DURATION     only finished runs that finished at least DURATION ago
  -l, --selector SELECTOR  only runs whose labels match (key=value, key!=value, key in (a,b),
                           key, !key; comma-separated)
  -n, --namespace NS       only runs in namespace NS (default: default)
  -A, --all-namespaces     runs of every namespace, with a NAMESPACE column
      --no-headers         leave out the header line
  -o, --output FORMAT      name: only the names; json or yaml: the Workflow objects with their
                           status; wide: also PRIORITY, P/R/C (pending, running and completed
                           steps) and PARAMETERS
      --chunk-size N       in a cluster, ask for the Workflows N at a time (the API's limit
                           and continue, as argo list does; 0: all at once); no effect on the
                           state directory, which is read whole
${STATE_DIR_HELP}
${CLUSTER_TARGET_HELP}
  -h, --help               show this help

Exit status: 0 listed, 1 listed but some run is damaged, 2 usage error.`;

export const listCommand: Command = {
  name: 'list',
  summary: 'list runs',
  usage: USAGE,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandArgs(args, {
      ...STATE_DIR_OPTION,
      ...CLUSTER_TARGET_OPTIONS,
      status: { type: 'string' },
      running: { type: 'boolean' },
      completed: { type: 'boolean' },
      prefix: { type: 'string' },
      since: { type: 'string' },
      older: { type: 'string' },
      selector: { type: 'string', short: 'l' },
      namespace: { type: 'string', short: 'n' },
      'all-namespaces': { type: 'boolean', short: 'A' },
      'no-headers': { type: 'boolean' },
      output: { type: 'string', short: 'o' },
      'chunk-size': { type: 'string' },
    });
    if (positionals.length > 0) throw new UsageError(`list takes no arguments (got ${positionals.join(' ')})`);
    const output = values.output;
    if (output !== undefined && !['name', 'json', 'yaml', 'wide'].includes(output))
      throw new UsageError(`unknown output format "${output}": use name, json, yaml, wide`);
    if (values['chunk-size'] !== undefined && !/^\d+$/.test(values['chunk-size']))
      throw new UsageError(`--chunk-size ${values['chunk-size']}: expected a whole number`);
    if (values.running && values.completed) throw new UsageError('--running and --completed exclude each other');
    const allNamespaces = values['all-namespaces'] === true;
    const target = openRunTarget(io, { ...values, namespace: undefined });
    const filter: RunFilter = {
      namespace: allNamespaces ? undefined : (values.namespace ?? target.namespace),
      phases: values.status?.split(',').map((s) => s.trim()),
      running: values.running,
      completed: values.completed,
      prefix: values.prefix,
      since: values.since === undefined ? undefined : parseAge(values.since, '--since'),
      older: values.older === undefined ? undefined : parseAge(values.older, '--older'),
      labels: values.selector === undefined ? undefined : parseLabelSelector(values.selector),
    };
    const now = Date.now();
    // Locally every run is read, so damaged ones show whatever the filters; a cluster's are listed
    // per namespace, which needs no permission beyond it.
    const chunkSize = values['chunk-size'] === undefined ? undefined : Number(values['chunk-size']);
    const listing = await readAllRuns(target, target.kind === 'cluster' ? filter.namespace : undefined, chunkSize ? { chunkSize } : {});
    const runs = listing.runs.filter((run) => matchesRun(run, filter, now));
    const damaged = listing.damaged;

    if (output === 'name') io.stdout.write(runs.map((r) => `${splitRunKey(r.key).name}\n`).join(''));
    else if (output === 'json') io.stdout.write(`${JSON.stringify(runs.map(workflowObject), null, 2)}\n`);
    else if (output === 'yaml') io.stdout.write(runs.length === 0 ? '[]\n' : dump(runs.map(workflowObject), { noRefs: true, lineWidth: -1 }));
    else {
      const wide = output === 'wide';
      const header = [
        ...(allNamespaces ? ['NAMESPACE'] : []),
        'NAME',
        'STATUS',
        'AGE',
        'DURATION',
        ...(wide ? ['PRIORITY'] : []),
        'MESSAGE',
        ...(wide ? ['P/R/C', 'PARAMETERS'] : []),
      ];
      const rows: string[][] = [];
      // Damaged runs come first: each needs a person's look.
      for (const { key, reason } of damaged)
        rows.push([
          ...(allNamespaces ? [splitRunKey(key).namespace] : []),
          splitRunKey(key).name,
          'Damaged',
          '',
          '',
          ...(wide ? [''] : []),
          reason,
          ...(wide ? ['', ''] : []),
        ]);
      for (const run of runs) {
        const message = (await target.undrivenNote(run.key)) ?? run.status.message ?? '';
        const row = [
          ...(allNamespaces ? [namespaceOf(run)] : []),
          splitRunKey(run.key).name,
          run.status.phase,
          ageOf(run.status.startedAt, now),
          spanOf(run.status, now),
        ];
        if (wide) row.push(String(run.workflow.spec.priority ?? 0), message, podCounts(run), parametersOf(run));
        else row.push(message);
        rows.push(row);
      }
      const table = formatTable(values['no-headers'] ? rows : [header, ...rows]);
      if (table !== '') io.stdout.write(`${table}\n`);
    }
    if (damaged.length === 0) return 0;
    io.stderr.write(
      `skiff list: ${damaged.length === 1 ? 'a run is' : `${damaged.length} runs are`} damaged and left as ${damaged.length === 1 ? 'it is' : 'they are'}; skiff delete NAME removes one\n`,
    );
    return 1;
  },
};

/** Argo's P/R/C: the run's pods pending, running and completed. */
function podCounts(run: StoredRun): string {
  const pods = Object.values(run.status.nodes).filter((n) => n.type === 'Pod');
  const count = (phases: string[]): number => pods.filter((n) => phases.includes(n.phase)).length;
  return `${count(['Pending'])}/${count(['Running'])}/${count(['Succeeded', 'Failed', 'Error', 'Skipped', 'Omitted'])}`;
}

function parametersOf(run: StoredRun): string {
  return (run.workflow.spec.arguments?.parameters ?? []).map((p) => `${p.name}=${String(p.value ?? p.default ?? '')}`).join(',');
}
