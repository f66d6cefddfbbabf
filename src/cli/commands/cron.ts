import { join } from 'node:path';
import { CronScheduler } from '../../schedule/cron-scheduler.js';
import { makePrivateDir } from '../../state/private-files.js';
import { schedulesOf } from '../../schedule/plan-cron-tick.js';
import { workflowOfCron } from '../../schedule/workflow-of-cron.js';
import type { CronWorkflow, Workflow } from '../../spec/model/workflow.js';
import { CONTROLLER_INSTANCE_ID_LABEL, SKIFF_INSTANCE_ID } from '../../kube/kube-names.js';
import { submitRun } from '../../runs/run-operations.js';
import { openRunTarget } from '../open-run-target.js';
import { type CliIO, UsageError } from '../cli-io.js';
import { ageOf, formatDuration } from '../../report/format-duration.js';
import { localCronPorts, submitCronRun } from '../local-cron-ports.js';
import { openLocalTarget } from '../local-target.js';
import { parseCommandArgs, STATE_DIR_HELP, STATE_DIR_OPTION } from '../parse-command-args.js';
import { readRun } from '../read-run.js';
import { type RunKey, runKey } from '../../ports/run-key.js';
import { acquireLeaseAt, leaseOwnerAt } from '../../state/file-lease.js';
import { openStoredObjects } from '../open-stored-objects.js';
import { clusterStoreHelp, STORE_OPTIONS, storedObjectCommands } from '../stored-object-commands.js';
import { type Subcommand, subcommandGroup } from '../subcommand-group.js';

const USAGE = `Usage: skiff cron create FILE...        store the CronWorkflows in FILEs (linted first)
       skiff cron list                    NAME AGE LAST RUN NEXT RUN SCHEDULE TIMEZONE SUSPENDED
       skiff cron get NAME...             show CronWorkflows, their last and next runs
       skiff cron delete NAME... | --all
       skiff cron lint FILE...            lint the CronWorkflows in FILEs
       skiff cron suspend NAME...         stop scheduling them (runs going are left alone)
       skiff cron resume NAME...          schedule them again
       skiff cron backfill NAME --start TIME [--end TIME]
                                          run every scheduled time in [start, end] now
       skiff cron schedule [--once]       run the stored CronWorkflows on their schedules

Manages CronWorkflows as argo cron does, over the objects skiff apply stores (the same store:
skiff apply updates one, cron create refuses one that exists), or with --kubeconfig or --context
over a cluster's (create, list, get, delete, suspend, resume, backfill; schedule works on the
state directory only: skiff controller schedules a cluster's). A CronWorkflow or a backfilled run
created in a cluster gets the label
workflows.argoproj.io/controller-instanceid=skiff, so skiff controller schedules it; suspend and
resume set its spec.suspend. A file that names its namespace is created there; with -n naming
another, it is refused.

skiff cron schedule is the local scheduler: it stays in the foreground (run it under systemd,
tmux or nohup) and runs each stored CronWorkflow as Argo's controller does: its schedule(s) in
its timezone, suspend, concurrencyPolicy (Allow, Forbid, Replace), startingDeadlineSeconds for
times missed while no scheduler ran, and the history limits (older finished runs are deleted).
Runs are named NAME-<Unix seconds of the scheduled time> and submitted as skiff submit submits,
each driven by a background skiff process. lastScheduledTime and the runs going are recorded in
the CronWorkflow's status, so a restarted scheduler never runs a scheduled time twice. A
CronWorkflow applied while it runs is seen within 10 seconds. One scheduler runs per state
directory (cron-scheduler.json holds its pid). Ctrl-C stops it; runs go on.

Options:
  -n, --namespace NS      the namespace (default: default; in a cluster, the context's)
  -A, --all-namespaces    list: every namespace, with a NAMESPACE column
  -o, --output FORMAT     create, list: name; get: json, yaml or name
      --all               delete: every CronWorkflow of the namespace
      --start TIME        backfill: the first time (RFC 3339)
      --end TIME          backfill: the last time (RFC 3339; default: now)
      --max-workflows N   backfill: refuse to start more runs than N (default 100)
      --dry-run           backfill: print the runs it would start
      --once              schedule: look once, start what is due, and exit
${STATE_DIR_HELP}
${clusterStoreHelp('CronWorkflows')}
  -h, --help              show this help

Exit status: 0 done, 1 a lint error or a CronWorkflow that is missing (or exists, for
create), 2 usage error.`;

/** When it runs next (Unix seconds), if its schedule is valid and has a next time. */
function nextRun(cron: CronWorkflow, nowSeconds: number): number | undefined {
  try {
    const times = schedulesOf(cron)
      .map((s) => s.next(nowSeconds))
      .filter((t): t is number => t !== undefined);
    return times.length > 0 ? Math.min(...times) : undefined;
  } catch {
    return undefined;
  }
}

function lastScheduled(cron: CronWorkflow): string | undefined {
  return (cron as { status?: { lastScheduledTime?: string } }).status?.lastScheduledTime;
}

function scheduleText(cron: CronWorkflow): string {
  return [...(cron.spec.schedule ? [cron.spec.schedule] : []), ...(cron.spec.schedules ?? [])].join(',');
}

/** suspend and resume: the same change of spec.suspend, as argo cron suspend|resume make it. */
function setSuspend(name: 'suspend' | 'resume'): Subcommand {
  return {
    name,
    async run(args: string[], io: CliIO): Promise<number> {
      const { values, positionals } = parseCommandArgs(args, STORE_OPTIONS);
      if (positionals.length === 0) throw new UsageError(`name the CronWorkflow(s) to ${name}`);
      const store = openStoredObjects(io, values);
      let status = 0;
      for (const cronName of positionals) {
        if (!(await store.setSuspended(store.namespace, cronName, name === 'suspend'))) {
          io.stderr.write(`CronWorkflow "${cronName}" not found in namespace ${store.namespace}\n`);
          status = 1;
          continue;
        }
        io.stdout.write(`CronWorkflow '${cronName}' ${name === 'suspend' ? 'suspended' : 'resumed'}\n`);
      }
      return status;
    },
  };
}

const backfill: Subcommand = {
  name: 'backfill',
  async run(args: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandArgs(args, {
      ...STORE_OPTIONS,
      start: { type: 'string' },
      end: { type: 'string' },
      'max-workflows': { type: 'string' },
      'dry-run': { type: 'boolean' },
    });
    if (positionals.length !== 1) throw new UsageError('name one CronWorkflow to backfill');
    if (values.start === undefined) throw new UsageError('--start TIME is required (RFC 3339, e.g. 2024-01-01T00:00:00Z)');
    const start = Date.parse(values.start);
    const end = values.end === undefined ? Date.now() : Date.parse(values.end);
    if (Number.isNaN(start) || Number.isNaN(end))
      throw new UsageError(`--${Number.isNaN(start) ? 'start' : 'end'}: expected a time such as 2024-01-01T00:00:00Z`);
    const max = values['max-workflows'] === undefined ? 100 : Number(values['max-workflows']);
    if (!Number.isInteger(max) || max < 1) throw new UsageError(`--max-workflows ${values['max-workflows']}: expected a whole number above 0`);
    const stored = openStoredObjects(io, values);
    const cronNamespace = values.namespace ?? stored.namespace;
    const cron = await stored.get<CronWorkflow>('CronWorkflow', cronNamespace, positionals[0]!);
    if (!cron) throw new Error(`CronWorkflow "${positionals[0]}" not found in namespace ${cronNamespace}`);
    const runs = backfillRuns(io, values);
    const times = new Set<number>();
    for (const schedule of schedulesOf(cron)) {
      for (let t = schedule.next(Math.floor(start / 1000) - 1); t !== undefined && t * 1000 <= end; t = schedule.next(t)) {
        times.add(t);
        if (times.size > max)
          throw new Error(`[${values.start}, ${values.end ?? 'now'}] holds more than ${max} scheduled times; narrow it or raise --max-workflows`);
      }
    }
    let status = 0;
    for (const t of [...times].sort((a, b) => a - b)) {
      const workflow = workflowOfCron(cron, t);
      const name = workflow.metadata.name!;
      if (values['dry-run']) {
        io.stdout.write(`${name} (dry run)\n`);
        continue;
      }
      if (await runs.exists(runKey(workflow.metadata.namespace ?? cron.metadata.namespace ?? cronNamespace, name))) {
        io.stderr.write(`${name} already ran; left alone\n`);
        continue;
      }
      try {
        io.stdout.write(`${await runs.submit(workflow, cron.metadata.name ?? '')}\n`);
      } catch (error) {
        io.stderr.write(`${name}: ${(error as Error).message}\n`);
        status = 1;
      }
    }
    return status;
  },
};

/**
 * Where backfilled runs go: the state directory's runs, driven in the background as `cron
 * schedule` starts them, or Workflows in the cluster with Skiff's label, which `skiff controller`
 * drives (as its own cron runs are made).
 */
function backfillRuns(
  io: CliIO,
  values: { kubeconfig?: string | undefined; context?: string | undefined; 'state-dir'?: string | undefined; namespace?: string | undefined },
): { exists(key: RunKey): Promise<boolean>; submit(workflow: Workflow, cronName: string): Promise<string> } {
  const target = openRunTarget(io, values);
  if (target.kind === 'local')
    return {
      exists: async (key) => (await readRun(target.layout, key)) !== undefined,
      submit: (workflow, cronName) => submitCronRun(target, io, workflow, cronName),
    };
  return {
    exists: async (key) => (await target.readRun(key)) !== undefined,
    submit: async (workflow) => {
      const labels = { ...workflow.metadata.labels, [CONTROLLER_INSTANCE_ID_LABEL]: SKIFF_INSTANCE_ID };
      const saved = await submitRun({ store: target.runs }, { ...workflow, metadata: { ...workflow.metadata, labels } });
      return saved.workflow.metadata.name ?? '';
    },
  };
}

const schedule: Subcommand = {
  name: 'schedule',
  async run(args: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandArgs(args, { ...STATE_DIR_OPTION, once: { type: 'boolean' } });
    if (positionals.length > 0) throw new UsageError(`schedule takes no arguments (got ${positionals.join(' ')})`);
    const target = openLocalTarget(io, { stateDir: values['state-dir'] });
    // One scheduler per state directory: a second would see the same schedules and race the first.
    const lockPath = join(target.layout.root, 'cron-scheduler.json');
    await makePrivateDir(target.layout.root);
    const lock = await acquireLeaseAt(lockPath);
    if (!lock)
      throw new Error(`another skiff cron schedule (pid ${(await leaseOwnerAt(lockPath)) ?? '?'}) is scheduling the CronWorkflows of ${target.layout.root}`);
    try {
      return await scheduleWith(new CronScheduler(localCronPorts(target, io)), io, target.layout.root, values.once === true);
    } finally {
      await lock.release();
    }
  },
};

async function scheduleWith(scheduler: CronScheduler, io: CliIO, root: string, once: boolean): Promise<number> {
  if (once) {
    await scheduler.tick();
    return 0;
  }
  const stop = new AbortController();
  const quit = (): void => stop.abort();
  process.once('SIGINT', quit);
  process.once('SIGTERM', quit);
  io.stdout.write(`${new Date().toISOString()} scheduling the CronWorkflows of ${root} (Ctrl-C stops)\n`);
  try {
    await scheduler.run(stop.signal);
  } finally {
    process.off('SIGINT', quit);
    process.off('SIGTERM', quit);
  }
  return 0;
}

export const cronCommand = subcommandGroup('cron', 'manage CronWorkflows and run them on their schedules', USAGE, [
  ...storedObjectCommands<CronWorkflow>({
    kind: 'CronWorkflow',
    lintKinds: 'cronworkflows',
    columns: ['AGE', 'LAST RUN', 'NEXT RUN', 'SCHEDULE', 'TIMEZONE', 'SUSPENDED'],
    row: (cron, now) => {
      const next = nextRun(cron, Math.floor(now / 1000));
      const last = lastScheduled(cron);
      return [
        ageOf(cron.metadata.creationTimestamp, now),
        last ? ageOf(last, now) : 'N/A',
        next === undefined ? 'N/A' : formatDuration(next * 1000 - now),
        scheduleText(cron),
        cron.spec.timezone ?? '',
        String(cron.spec.suspend === true),
      ];
    },
    details: (cron, now) => {
      const next = nextRun(cron, Math.floor(now / 1000));
      return [
        ['Schedule', scheduleText(cron)],
        ['Timezone', cron.spec.timezone],
        ['Suspended', String(cron.spec.suspend === true)],
        ['StartingDeadlineSeconds', cron.spec.startingDeadlineSeconds === undefined ? undefined : String(cron.spec.startingDeadlineSeconds)],
        ['ConcurrencyPolicy', cron.spec.concurrencyPolicy ?? 'Allow'],
        ['LastScheduledTime', lastScheduled(cron)],
        [
          'NextScheduledTime',
          next === undefined ? undefined : `${new Date(next * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')} (in ${formatDuration(next * 1000 - now)})`,
        ],
        ['Active Workflows', ((cron as { status?: { active?: Array<{ name: string }> } }).status?.active ?? []).map((a) => a.name).join(', ')],
      ];
    },
  }),
  setSuspend('suspend'),
  setSuspend('resume'),
  backfill,
  schedule,
]);
