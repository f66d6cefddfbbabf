import { type CliIO, type Command, UsageError } from '../cli-io.js';
import { openRunTarget } from '../open-run-target.js';
import { printClusterLogs } from '../print-cluster-logs.js';
import { clusterLogFeed, followClusterLogs } from '../follow-cluster-logs.js';
import { CLUSTER_TARGET_HELP, CLUSTER_TARGET_OPTIONS } from '../run-target.js';
import { parseAge } from '../parse-age.js';
import { NAMESPACE_HELP, NAMESPACE_OPTION, STATE_DIR_HELP, STATE_DIR_OPTION, parseCommandArgs } from '../parse-command-args.js';
import { printRunLogs } from '../print-run-logs.js';
import { resolveRunName } from '../select-runs.js';

const USAGE = `Usage: skiff logs [options] NAME [POD]

Prints what the run's steps wrote (stdout and stderr of each pod's container), step by step in
the order they started, each line after its pod's name as argo logs prints it (coloured on a
terminal). Each attempt of a retried step is marked "(attempt N)" after the pod's name. NAME
may be @latest, the newest run. POD (or --node) prints one step's logs only.

Against a cluster (--kubeconfig or --context), each step's pod's log is read through the API
server, which passes --tail, --since and --since-time on to the kubelet (tailLines,
sinceSeconds, sinceTime) and gives each line the time the kubelet recorded. --follow streams
every step's log as it is written (lines of steps running side by side interleave, as in argo
logs --follow), steps joining as their pods start, until the run has finished. A step whose pod
is gone (podGC) prints the log it archived (archiveLogs), if it did, read from the artifact
repository, with a note on stderr; those lines have no times.

Each local line's time is when the step wrote it (kept beside the log, as a kubelet keeps it):
--timestamps prints it (RFC 3339, to the microsecond) and --since and --since-time keep the
lines written since then. Logs of runs of an older Skiff have no such times: there each line
gets the time its step's log was last written (when following, when the line was read).

Options:
      --node NAME         only this step (its name, display name, node id or pod name)
  -c, --container NAME    which container of each pod (default: main; every container of a
                          containerSet)
  -f, --follow            keep printing as the steps write, until the run finishes
      --since DURATION    only lines written within DURATION (30s, 10m, 1h)
      --since-time TIME   only lines written at or after TIME (RFC 3339)
      --tail N            only the last N lines of each step's log
      --grep REGEXP       only lines that match REGEXP
      --timestamps        put the time each line was written before it
      --no-color          no colours, also on a terminal
  -p, --previous          only the earlier attempts of retried steps
${NAMESPACE_HELP}
${STATE_DIR_HELP}
${CLUSTER_TARGET_HELP}
  -h, --help              show this help

Exit status: 0 printed, 1 no such run or step, or a damaged run, 2 usage error.`;

export const logsCommand: Command = {
  name: 'logs',
  summary: "print the logs of a run's steps",
  usage: USAGE,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandArgs(args, {
      ...STATE_DIR_OPTION,
      ...CLUSTER_TARGET_OPTIONS,
      ...NAMESPACE_OPTION,
      node: { type: 'string' },
      container: { type: 'string', short: 'c' },
      follow: { type: 'boolean', short: 'f' },
      since: { type: 'string' },
      'since-time': { type: 'string' },
      tail: { type: 'string' },
      grep: { type: 'string' },
      timestamps: { type: 'boolean' },
      'no-color': { type: 'boolean' },
      previous: { type: 'boolean', short: 'p' },
    });
    if (positionals.length === 0) throw new UsageError('name the run (NAME)');
    if (positionals.length > 2) throw new UsageError(`expected NAME [POD], got ${positionals.join(' ')}`);
    if (positionals.length === 2 && values.node !== undefined) throw new UsageError('name the step once: POD or --node');
    if (values.since !== undefined && values['since-time'] !== undefined) throw new UsageError('--since and --since-time exclude each other');
    if (values.tail !== undefined && !/^\d+$/.test(values.tail)) throw new UsageError(`--tail ${values.tail}: expected a whole number`);
    const sinceTime = values['since-time'] === undefined ? undefined : Date.parse(values['since-time']);
    if (sinceTime !== undefined && Number.isNaN(sinceTime))
      throw new UsageError(`--since-time ${values['since-time']}: expected a time such as 2024-01-31T12:00:00Z`);
    let grep: RegExp | undefined;
    try {
      grep = values.grep === undefined ? undefined : new RegExp(values.grep);
    } catch (error) {
      throw new UsageError(`--grep ${values.grep}: ${(error as Error).message}`);
    }
    const target = openRunTarget(io, { ...values, namespace: undefined });
    const runId = await resolveRunName(target, positionals[0]!, values.namespace);
    const sinceAge = values.since === undefined ? undefined : parseAge(values.since, '--since');
    const options = {
      node: positionals[1] ?? values.node,
      container: values.container,
      follow: values.follow === true,
      since: sinceAge !== undefined ? Date.now() - sinceAge : sinceTime,
      sinceSeconds: sinceAge === undefined ? undefined : Math.max(1, Math.ceil(sinceAge / 1000)),
      tail: values.tail === undefined ? undefined : Number(values.tail),
      grep,
      timestamps: values.timestamps === true,
      color: io.stdout.isTTY === true && values['no-color'] !== true,
      previous: values.previous === true,
    };
    if (target.kind === 'local') return printRunLogs(target, io, runId, options);
    return options.follow ? followClusterLogs(clusterLogFeed(target, runId), io, runId, options) : printClusterLogs(target, io, runId, options);
  },
};
