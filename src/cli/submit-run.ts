import { loadTemplateRefs } from '../runs/load-template-refs.js';
import type { TemplateKind, TemplateStore } from '../ports/template-store.js';
import { MemoryTemplateStore } from '../state/memory-template-store.js';
import { withOverrides } from '../engine/submit-overrides.js';
import type { ReferencedTemplate } from '../engine/template-catalog.js';
import type { KubernetesObject } from '../spec/model/kubernetes.js';
import type { WorkflowStatus } from '../engine/workflow-status.js';
import type { Workflow, WorkflowSpec } from '../spec/model/workflow.js';
import { clusterOnlyFeatures } from './cluster-only-features.js';
import type { ClusterTarget } from './cluster-target.js';
import type { LocalTarget } from './local-target.js';
import { runKeyOf, type RunKey } from '../ports/run-key.js';
import { RunExistsError } from '../ports/run-store.js';
import { submitRun } from '../runs/run-operations.js';
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
  target: LocalTarget | ClusterTarget,
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
  const namespace = changes.namespace ?? metadata.namespace ?? target.namespace;
  const name = metadata.name ?? `${metadata.generateName ?? 'workflow-'}${runSuffix()}`;
  workflow = { ...workflow, metadata: { ...metadata, name, namespace }, spec };

  const referenced = await loadTemplateRefs(workflow, layered(alongside, target.objects));
  const entrypoint = changes.entrypoint;
  if (entrypoint && !hasTemplate(workflow.spec, entrypoint) && !referenced.some((r) => hasTemplate(r.spec, entrypoint))) {
    throw new Error(`--entrypoint ${entrypoint}: the workflow has no template by that name`);
  }
  // What only a cluster can run is refused locally, before anything is saved.
  const refused = target.kind === 'local' ? clusterOnlyFeatures(workflow, referenced).map((r) => `${source}: ${r}`) : [];
  return { workflow, referenced, refused };
}

/**
 * Saves a prepared run as new in the state directory, ready for a driver (see submitRun, the
 * one way runs come into being). The lease is taken first, so no other skiff process mistakes
 * the run for an orphan before its driver starts. Returns its key (`namespace/name`).
 */
export async function saveNewRun(target: LocalTarget | ClusterTarget, prepared: PreparedRun, now = Date.now()): Promise<RunKey> {
  const key = runKeyOf(prepared.workflow);
  const extras = { ...(prepared.referenced.length > 0 ? { referenced: prepared.referenced } : {}), ...(prepared.status ? { status: prepared.status } : {}) };
  if (target.kind === 'cluster') {
    // Only the Workflow is created, as kubectl would: the controller reads its templates and
    // ConfigMaps when it takes it up, so a run is the same whoever created it, and nothing is
    // written beside the Workflow while the controller may already be reading it.
    await submitRun({ store: target.runs, now: () => now }, prepared.workflow, prepared.status ? { status: prepared.status } : {});
    return key;
  }
  const lease = await acquireLease(target.layout, key);
  if (!lease) throw new RunExistsError(key);
  try {
    await submitRun({ store: target.runs, configMaps: target.objects, now: () => now }, prepared.workflow, extras);
  } catch (error) {
    await lease.release();
    throw error;
  } finally {
    await target.runs.closeAll();
  }
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
