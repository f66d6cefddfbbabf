import type { CronRun, CronSchedulerPorts, CronStatus } from '../schedule/cron-scheduler.js';
import { CRON_WORKFLOW_LABEL } from '../spec/model/argo-labels.js';
import type { CronWorkflow, Workflow } from '../spec/model/workflow.js';
import type { CliIO } from './cli-io.js';
import { controlRun } from './control-run.js';
import { deleteRun } from './delete-run.js';
import { childEnv } from './launch-run.js';
import type { LocalTarget } from './local-target.js';
import { namespaceOf, readAllRuns } from './select-runs.js';
import { startBackgroundDriver } from './start-background-driver.js';
import { prepareRun, saveNewRun } from './submit-run.js';
import { runKey, splitRunKey } from '../ports/run-key.js';

/** The runs a CronWorkflow started: labelled with its name, in its namespace. */
export async function runsOfCron(target: LocalTarget, cron: CronWorkflow): Promise<CronRun[]> {
  const namespace = cron.metadata.namespace ?? target.objects.namespace;
  return (await readAllRuns(target)).runs
    .filter((run) => run.workflow.metadata.labels?.[CRON_WORKFLOW_LABEL] === cron.metadata.name && namespaceOf(run) === namespace)
    .map((run) => ({
      name: splitRunKey(run.key).name,
      phase: run.status.phase,
      ...(run.status.finishedAt ? { finishedAt: Math.floor(Date.parse(run.status.finishedAt) / 1000) } : {}),
    }));
}

/**
 * Submits a CronWorkflow's run as skiff submit does (prepareRun, saveNewRun), then hands it to a
 * background driver, as a plain submit does. Returns its name.
 */
export async function submitCronRun(target: LocalTarget, io: CliIO, workflow: Workflow, cronName: string): Promise<string> {
  const prepared = await prepareRun(target, workflow, {}, `cronworkflow/${cronName}`);
  if (prepared.refused.length > 0) throw new Error(`${prepared.refused.join('; ')}: this workflow needs a Kubernetes cluster`);
  const key = await saveNewRun(target, prepared);
  await startBackgroundDriver(target, key, childEnv(io));
  return splitRunKey(key).name;
}

/** The cron scheduler's ports over the state directory: runs and CronWorkflows as skiff keeps them. */
export function localCronPorts(target: LocalTarget, io: CliIO): CronSchedulerPorts {
  const quiet: CliIO = { ...io, stdout: { write: () => true } };
  return {
    listCrons: () => target.objects.listObjects<CronWorkflow>('CronWorkflow'),
    runsOf: (cron) => runsOfCron(target, cron),
    recordStatus: async (cron: CronWorkflow, status: CronStatus) => {
      // Read again: the spec may have changed (cron suspend, skiff apply) since the look began.
      const now = await target.objects.getObject<CronWorkflow>('CronWorkflow', cron.metadata.namespace, cron.metadata.name ?? '');
      if (now) await target.objects.apply({ ...now, status } as CronWorkflow);
    },
    submit: (workflow) => submitCronRun(target, io, workflow, workflow.metadata.labels?.[CRON_WORKFLOW_LABEL] ?? ''),
    terminate: (cron, name) =>
      controlRun(
        target,
        io,
        runKey(cron.metadata.namespace ?? target.objects.namespace, name),
        { op: 'terminate', message: 'replaced by a newer run (concurrencyPolicy Replace)' },
        childEnv(io),
      ),
    remove: async (cron, name) => {
      await deleteRun(target, quiet, runKey(cron.metadata.namespace ?? target.objects.namespace, name));
    },
    log: (line) => io.stdout.write(`${new Date().toISOString()} ${line}\n`),
  };
}
