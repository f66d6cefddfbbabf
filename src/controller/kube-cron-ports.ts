import { isWorkflowDone, type WorkflowPhase } from '../engine/workflow-status.js';
import type { KubeClient } from '../kube/kube-client.js';
import { KubeNotFoundError } from '../kube/kube-errors.js';
import { CONTROLLER_INSTANCE_ID_LABEL, CRON_WORKFLOW_LABEL } from '../kube/kube-names.js';
import { KubeRunControl } from '../kube/kube-run-control.js';
import type { KubeRunStore } from '../kube/kube-run-store.js';
import { WORKFLOW_API, workflowRef } from '../kube/run-workflow-object.js';
import { runKey } from '../ports/run-key.js';
import { submitRun } from '../runs/run-operations.js';
import type { CronRun, CronSchedulerPorts, CronStatus } from '../schedule/cron-scheduler.js';
import type { CronWorkflow, Workflow } from '../spec/model/workflow.js';

export interface KubeCronPortsOptions {
  client: KubeClient;
  store: KubeRunStore;
  /** These namespaces' CronWorkflows, or every namespace's when undefined. */
  namespaces: readonly string[] | undefined;
  instanceId: string;
  log: (line: string) => void;
}

/**
 * The cron scheduler's ports over the cluster: the CronWorkflows labelled with the controller's
 * instance id (as Argo's controller with an instance id takes only those), their runs found by
 * Argo's cron-workflow label, status kept in the CronWorkflow's `status` as Argo keeps it. A run is
 * created as a plain Workflow with Skiff's label; the leader's informer takes it up like any other.
 */
export function kubeCronPorts(options: KubeCronPortsOptions): CronSchedulerPorts {
  const { client, store, namespaces, instanceId, log } = options;
  const mine = `${CONTROLLER_INSTANCE_ID_LABEL}=${instanceId}`;
  const cronNamespace = (cron: CronWorkflow): string => cron.metadata.namespace ?? client.namespace;
  return {
    listCrons: async () => {
      const crons: CronWorkflow[] = [];
      for (const namespace of namespaces ?? [undefined])
        crons.push(...(await client.list<CronWorkflow>(WORKFLOW_API, 'CronWorkflow', namespace, { labelSelector: mine })).items);
      return crons;
    },
    runsOf: async (cron): Promise<CronRun[]> => {
      const labelSelector = `${mine},${CRON_WORKFLOW_LABEL}=${cron.metadata.name}`;
      const { items } = await client.list<Workflow>(WORKFLOW_API, 'Workflow', cronNamespace(cron), { labelSelector });
      return items.map((run) => {
        const status = (run.status ?? {}) as { phase?: WorkflowPhase; finishedAt?: string };
        const phase = status.phase ?? 'Pending';
        const finishedAt = isWorkflowDone(phase) && status.finishedAt ? { finishedAt: Math.floor(Date.parse(status.finishedAt) / 1000) } : {};
        return { name: run.metadata.name ?? '', phase, ...finishedAt };
      });
    },
    recordStatus: async (cron, status: CronStatus) => {
      // A merge patch of the status alone: the spec stays as whoever last applied it.
      try {
        await client.patch(
          { apiVersion: WORKFLOW_API, kind: 'CronWorkflow', namespace: cronNamespace(cron), name: cron.metadata.name ?? '' },
          { status: { ...status, active: status.active.length > 0 ? status.active : null } },
          'merge',
        );
      } catch (error) {
        if (!(error instanceof KubeNotFoundError)) throw error;
      }
    },
    submit: async (workflow) => {
      const labelled = { ...workflow, metadata: { ...workflow.metadata, labels: { ...workflow.metadata.labels, [CONTROLLER_INSTANCE_ID_LABEL]: instanceId } } };
      const stored = await submitRun({ store }, labelled);
      return stored.workflow.metadata.name ?? '';
    },
    terminate: async (cron, name) => {
      await new KubeRunControl(client).send(runKey(cronNamespace(cron), name), {
        op: 'terminate',
        message: 'replaced by a newer run (concurrencyPolicy Replace)',
      });
    },
    remove: async (cron, name) => {
      try {
        await client.delete(workflowRef(runKey(cronNamespace(cron), name)), { propagationPolicy: 'Background' });
      } catch (error) {
        if (!(error instanceof KubeNotFoundError)) throw error;
      }
    },
    log,
  };
}
