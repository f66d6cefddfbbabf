import { resubmitRun } from '../engine/operations/resubmit-run.js';
import { type RetryOptions, retryRun } from '../engine/operations/retry-run.js';
import { newRunStatus } from '../engine/run-session.js';
import { type SubmitOverrides, withOverrides } from '../engine/submit-overrides.js';
import type { ConfigMapSource } from '../ports/config-map-source.js';
import { describeRun, type RunKey, runKeyOf, splitRunKey } from '../ports/run-key.js';
import type { RunStore, StoredRun } from '../ports/run-store.js';
import type { WorkflowStatus } from '../engine/workflow-status.js';
import type { Workflow } from '../spec/model/workflow.js';
import { loadRunConfigMaps } from './load-run-config-maps.js';
import { generatedRunName, runSuffix } from './run-suffix.js';

/** What the run operations read and write. */
export interface RunOperationPorts {
  store: RunStore;
  /**
   * Where the ConfigMaps of `configMapKeyRef` parameters and memoization caches are read when a
   * run is submitted, retried or resubmitted; without one, a retried or resubmitted run keeps
   * what its first submission read.
   */
  configMaps?: ConfigMapSource | undefined;
  /** Names for `generateName` workflows (tests pass a fixed one). */
  suffix?: (() => string) | undefined;
  /** The clock that stamps a new run's creationTimestamp. */
  now?: (() => number) | undefined;
}

/** A new run's extras: the templates it refers to and, when already read, what it reads of the cluster. */
export type SubmitExtras = Pick<StoredRun, 'referenced' | 'configMaps' | 'caches'> & SubmitOverrides;

/**
 * Creates a new run of `submitted` (a `generateName` gets its suffix) with a fresh status, or
 * `extras.status` (a resubmission that keeps memoized steps); the ConfigMaps it reads are read
 * once, here, so a restart of the run uses the same values. Stamped with its creation time, as
 * the API server stamps objects, with milliseconds so runs made in one second still sort newest
 * first. Rejects with RunExistsError when the name is taken. Returns the saved run; a driver
 * then starts it. The one way runs come into being: `skiff submit`, `skiff resubmit`, the cron
 * scheduler and the driver's own submit all call it.
 */
export async function submitRun(ports: RunOperationPorts, submitted: Workflow, extras: SubmitExtras & { status?: WorkflowStatus } = {}): Promise<StoredRun> {
  const workflow = withOverrides(submitted, extras);
  const suffix = ports.suffix ?? runSuffix;
  const name = workflow.metadata?.name ?? generatedRunName(workflow.metadata?.generateName ?? 'workflow-', suffix());
  const creationTimestamp = new Date((ports.now ?? Date.now)()).toISOString();
  const named: Workflow = { ...workflow, metadata: { ...workflow.metadata, name, creationTimestamp } };
  const stored: StoredRun = { key: runKeyOf(named), workflow: named, status: extras.status ?? newRunStatus() };
  if (extras.referenced) stored.referenced = extras.referenced;
  const read = extras.configMaps && extras.caches ? {} : await readClusterData(ports, named, extras.referenced, {});
  const configMaps = extras.configMaps ?? read.configMaps;
  if (configMaps) stored.configMaps = configMaps;
  const caches = extras.caches ?? read.caches;
  if (caches) stored.caches = caches;
  await ports.store.create(stored);
  return stored;
}

/**
 * Retries a finished run in place (see retryRun), with `parameters` changing workflow arguments
 * for the steps run again and `labels` added to the run: saves the run with its retried status
 * and returns it. A run that cannot be retried rejects with the reason (RunOperationError).
 */
export async function retrySavedRun(
  ports: RunOperationPorts,
  key: RunKey,
  options: RetryOptions & { parameters?: Record<string, string>; labels?: Record<string, string> } = {},
): Promise<StoredRun> {
  const stored = await ports.store.load(key);
  if (!stored) throw new Error(`${describeRun(key)} not found`);
  const { parameters, labels, ...retry } = options;
  const workflow = parameters && Object.keys(parameters).length > 0 ? withOverrides(stored.workflow, { parameters }) : stored.workflow;
  const result = retryRun(workflow, stored.status, retry);
  if ('error' in result) throw new RunOperationError(result.error);
  // Steps run again read the ConfigMaps as they are now (one may have been created since).
  const { configMaps: _before, caches: _cachesBefore, ...kept } = stored;
  // Saved with the retry itself, so a label saying who retried the run is there exactly when the retry is.
  const labelled =
    labels && Object.keys(labels).length > 0
      ? { ...result.workflow, metadata: { ...result.workflow.metadata, labels: { ...result.workflow.metadata?.labels, ...labels } } }
      : result.workflow;
  const retried: StoredRun = {
    ...kept,
    workflow: labelled,
    status: result.status,
    ...(await readClusterData(ports, labelled, stored.referenced, stored)),
  };
  await ports.store.save(retried);
  return retried;
}

/**
 * Saves a new run of a finished run's workflow, named `name` or after the original; with
 * `memoized`, its succeeded pods are reused. Returns the new run.
 */
export async function resubmitSavedRun(ports: RunOperationPorts, key: RunKey, options: { memoized?: boolean; name?: string } = {}): Promise<StoredRun> {
  const stored = await ports.store.load(key);
  if (!stored) throw new Error(`${describeRun(key)} not found`);
  const name = options.name ?? generatedRunName(resubmitBaseName(stored.workflow), (ports.suffix ?? runSuffix)());
  const result = resubmitRun(stored.workflow, stored.status, name, options.memoized ?? false);
  if ('error' in result) throw new RunOperationError(result.error);
  // The new run lives beside the old one, in its namespace.
  const workflow = { ...result.workflow, metadata: { ...result.workflow.metadata, namespace: splitRunKey(key).namespace } };
  const extras: SubmitExtras & { status: WorkflowStatus } = { status: result.status, ...(await readClusterData(ports, workflow, stored.referenced, stored)) };
  if (stored.referenced) extras.referenced = stored.referenced;
  return submitRun(ports, workflow, extras);
}

/** A run operation the run's state refuses (a retry of a run still running, a resubmit of nothing); the message says why. */
export class RunOperationError extends Error {
  override name = 'RunOperationError';
}

/** The prefix a resubmitted run's name starts with: the original's generateName, else its name without the random suffix. */
export function resubmitBaseName(workflow: Workflow): string {
  return workflow.metadata?.generateName ?? `${(workflow.metadata?.name ?? 'workflow').replace(/-[a-z0-9]{5}$/, '')}-`;
}

/** What the run reads of the cluster, as it is now; without a source, what `known` held. */
async function readClusterData(
  ports: RunOperationPorts,
  workflow: Workflow,
  referenced: StoredRun['referenced'],
  known: Pick<StoredRun, 'configMaps' | 'caches'>,
): Promise<Pick<StoredRun, 'configMaps' | 'caches'>> {
  if (!ports.configMaps) return { ...(known.configMaps ? { configMaps: known.configMaps } : {}), ...(known.caches ? { caches: known.caches } : {}) };
  return loadRunConfigMaps(workflow, referenced ?? [], ports.configMaps);
}
