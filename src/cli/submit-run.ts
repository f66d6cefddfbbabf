import { newRunStatus } from '../engine/run-session.js';
import { loadRunConfigMaps } from '../runs/load-run-config-maps.js';
import { loadTemplateRefs } from '../runs/load-template-refs.js';
import type { TemplateKind, TemplateStore } from '../ports/template-store.js';
import { MemoryTemplateStore } from '../state/memory-template-store.js';
import { withOverrides } from '../engine/submit-overrides.js';
import type { ReferencedTemplate } from '../engine/template-catalog.js';
import type { KubernetesObject } from '../spec/model/kubernetes.js';
import type { WorkflowStatus } from '../engine/workflow-status.js';
import type { Workflow, WorkflowSpec } from '../spec/model/workflow.js';
import { clusterOnlyFeatures } from './cluster-only-features.js';
import type { LocalTarget } from './local-target.js';
import { readRun } from './read-run.js';
import { runKeyOf, splitRunKey, type RunKey } from '../ports/run-key.js';
import { acquireLease } from './run-lease.js';
import { runSuffix } from '../runs/run-suffix.js';

/** What `argo submit` lets a person change of a workflow as it is submitted. */
export interface SubmitChanges {
  entrypoint?: string | undefined;
  parameters?: Record<string, string>;
  /** Merged over the workflow's own labels (`-l`). */
  labels?: Record<string, string>;
  name?: string | undefined;
  generateName?: string | undefined;
  serviceAccount?: string | undefined;
  priority?: number | undefined;
  /** The namespace asked for (`-n`); else the workflow's, else the state directory's default. */
  namespace?: string | undefined;
}

export interface PreparedRun {
  workflow: Workflow;
  referenced: ReferencedTemplate[];
  /** The status it starts from: new, unless resubmitted with memoized steps kept. */
  status?: WorkflowStatus;
}

/**
 * The workflow as it would be submitted: the person's changes applied, named (a generateName
 * gets its suffix), its templateRefs found (in `alongside`, the other objects of the submitted
 * files, then among those stored with skiff apply), and refused if it needs a cluster. Saves
 * nothing, so `--dry-run` prints exactly what a submit would run. `source` names it in errors.
 */
export async function prepareRun(
  target: LocalTarget,
  given: Workflow,
  changes: SubmitChanges,
  source: string,
  alongside: KubernetesObject[] = [],
): Promise<PreparedRun & { refused: string[] }> {
  let workflow = withOverrides(given, { ...(changes.entrypoint ? { entrypoint: changes.entrypoint } : {}), parameters: changes.parameters ?? {} });
  const metadata = { ...workflow.metadata };
  if (changes.labels && Object.keys(changes.labels).length > 0) metadata.labels = { ...metadata.labels, ...changes.labels };
  if (changes.generateName !== undefined) metadata.generateName = changes.generateName;
  if (changes.name !== undefined) metadata.name = changes.name;
  const spec = { ...workflow.spec };
  if (changes.serviceAccount !== undefined) spec.serviceAccountName = changes.serviceAccount;
  if (changes.priority !== undefined) spec.priority = changes.priority;
  const namespace = changes.namespace ?? metadata.namespace ?? target.objects.namespace;
  const name = metadata.name ?? `${metadata.generateName ?? 'workflow-'}${runSuffix()}`;
  workflow = { ...workflow, metadata: { ...metadata, name, namespace }, spec };

  const referenced = await loadTemplateRefs(workflow, layered(alongside, target.objects));
  const entrypoint = changes.entrypoint;
  if (entrypoint && !hasTemplate(workflow.spec, entrypoint) && !referenced.some((r) => hasTemplate(r.spec, entrypoint))) {
    throw new Error(`--entrypoint ${entrypoint}: the workflow has no template by that name`);
  }
  return { workflow, referenced, refused: clusterOnlyFeatures(workflow, referenced).map((r) => `${source}: ${r}`) };
}

/**
 * Saves a prepared run as new in the state directory, ready for a driver: the ConfigMaps its
 * parameters read are read once, here, so a restart of the run uses the same values. The one way
 * runs come into being, for `skiff submit`, `skiff resubmit` and the cron scheduler alike.
 * Returns its key (`namespace/name`).
 */
export async function saveNewRun(target: LocalTarget, prepared: PreparedRun, now = Date.now()): Promise<RunKey> {
  const { referenced } = prepared;
  // When it was created, as the API server stamps it; with milliseconds, so runs submitted in one
  // second still sort newest first (list, @latest).
  const workflow = { ...prepared.workflow, metadata: { ...prepared.workflow.metadata, creationTimestamp: new Date(now).toISOString() } };
  const key = runKeyOf(workflow);
  // The lease is taken before the run exists, so no other process mistakes it for an orphan.
  const lease = await acquireLease(target.layout, key);
  if (!lease || (await readRun(target.layout, key))) {
    await lease?.release();
    const { namespace, name } = splitRunKey(key);
    throw new Error(`a run named "${name}" already exists in namespace "${namespace}"`);
  }
  await target.runs.save({
    key,
    workflow,
    status: newRunStatus(),
    ...(referenced.length > 0 ? { referenced } : {}),
    ...(await loadRunConfigMaps(workflow, referenced, target.objects)),
  });
  await target.runs.closeAll();
  return key;
}

function hasTemplate(spec: WorkflowSpec, name: string): boolean {
  return (spec.templates ?? []).some((t) => t?.name === name);
}

/** Templates among the submitted objects first, then those stored with skiff apply. */
function layered(objects: KubernetesObject[], stored: TemplateStore): TemplateStore {
  const inFile = new MemoryTemplateStore();
  for (const o of objects) {
    if ((o.kind === 'WorkflowTemplate' || o.kind === 'ClusterWorkflowTemplate') && o.metadata?.name)
      inFile.add(o.kind, o.metadata.name, (o as { spec?: unknown }).spec as WorkflowSpec);
  }
  return { get: async (kind: TemplateKind, name: string) => (await inFile.get(kind, name)) ?? (await stored.get(kind, name)) };
}
