import { KubeConflictError, KubeNotFoundError, toKubeError } from '../../kube/kube-errors.js';
import type { KubeClient } from '../../kube/kube-client.js';
import { MANAGED_BY_LABEL, SKIFF_MANAGED_BY, SYNC_REPOSITORY_ANNOTATION } from '../../kube/kube-names.js';
import { SKIFF_FIELD_MANAGER, serverSideApply } from '../../kube/server-side-apply.js';
import { mapOrdered } from '../../shared/map-ordered.js';
import type { KubernetesObject } from '../../spec/model/kubernetes.js';
import type { DesiredObject, DesiredSet } from '../desired-set.js';
import { diffFields } from './field-diff.js';
import { type FieldOwner, fieldOwners, type ManagedFieldsEntry } from './managed-fields.js';
import type { PlannedObject, SyncPlan } from './sync-plan.js';
import { COMMIT_ANNOTATION_PATH, withTracking } from './tracking.js';

/** The order objects are applied in: what others use (ConfigMaps, templates) before what uses them. */
export const APPLY_ORDER = ['ConfigMap', 'WorkflowTemplate', 'ClusterWorkflowTemplate', 'CronWorkflow'];
const CLUSTER_SCOPED = new Set(['ClusterWorkflowTemplate']);
const API_VERSIONS: Record<string, string> = {
  ConfigMap: 'v1',
  WorkflowTemplate: 'argoproj.io/v1alpha1',
  ClusterWorkflowTemplate: 'argoproj.io/v1alpha1',
  CronWorkflow: 'argoproj.io/v1alpha1',
};
/** Requests in flight at once while planning or applying: enough to hide latency, few enough for the API server's fairness limits. */
export const PLAN_CONCURRENCY = 8;
// A kubectl client-side apply keeps its last input here: bookkeeping, not a change anyone made.
const LAST_APPLIED = 'metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"]';

export interface PlanInput {
  desired: DesiredSet;
  client: KubeClient;
  /** The repository, `owner/name`: what applied objects are annotated with and pruning matches on. */
  repository: string;
  commit: string;
}

/**
 * What applying a commit's desired set would change, found by asking the API server: each object
 * is read and applied with `dryRun=All` as field manager `skiff` (so defaults, admission and
 * validation are the server's own), and the result compared with the live object field by field.
 * With pruning on, the objects Skiff applied from this repository and the commit no longer declares
 * are listed to be deleted — never one without Skiff's label, nor one Skiff no longer manages any
 * field of. Writes nothing. An object the server refuses is an `error` entry; the others are planned.
 *
 * @example
 *   const plan = await planSync({ desired, client, repository: 'acme/flows', commit: sha });
 *   console.log(renderPlanText(plan));
 */
export async function planSync(input: PlanInput): Promise<SyncPlan> {
  const ordered = [...input.desired.apply].sort((a, b) => APPLY_ORDER.indexOf(a.identity.kind) - APPLY_ORDER.indexOf(b.identity.kind));
  const objects: PlannedObject[] = [];
  // Each object is two or three requests, independent of the others: a few at a time, kept in order.
  for await (const planned of mapOrdered(ordered, PLAN_CONCURRENCY, (desired) => planObject(input, desired))) objects.push(planned);
  if (input.desired.config.prune) objects.push(...(await planPrune(input)));
  return { repository: input.repository, commit: input.commit, prune: input.desired.config.prune, objects };
}

async function planObject(input: PlanInput, desired: DesiredObject): Promise<PlannedObject> {
  const { identity, source } = desired;
  const planned: PlannedObject = { identity, source, action: 'unchanged', changes: [], drift: [], conflicts: [] };
  const object = withTracking(desired.object, { repository: input.repository, path: source.file, commit: input.commit }) as unknown as KubernetesObject;
  try {
    const live = await getLive(input.client, object);
    let predicted: KubernetesObject;
    try {
      predicted = await serverSideApply(input.client, object, { dryRun: true });
    } catch (error) {
      const typed = toKubeError(error, object);
      if (!(typed instanceof KubeConflictError) || typed.fieldConflicts.length === 0) throw typed;
      // Another manager owns fields Skiff declares: say which, and show what a forced apply would do.
      planned.conflicts = typed.fieldConflicts.map((c) => c.field ?? c.message);
      predicted = await serverSideApply(input.client, object, { dryRun: true, force: true });
    }
    if (!live) {
      planned.action = 'create';
      return planned;
    }
    planned.drift = driftOf(live);
    planned.changes = diffFields(live, predicted, new Set([COMMIT_ANNOTATION_PATH, LAST_APPLIED]));
    planned.action = planned.changes.length > 0 ? 'change' : 'unchanged';
  } catch (error) {
    planned.action = 'error';
    planned.error = toKubeError(error, object).message;
  }
  return planned;
}

async function getLive(client: KubeClient, object: KubernetesObject): Promise<KubernetesObject | undefined> {
  try {
    return await client.get({ apiVersion: object.apiVersion, kind: object.kind, namespace: object.metadata.namespace, name: object.metadata.name ?? '' });
  } catch (error) {
    const typed = toKubeError(error, object);
    if (typed instanceof KubeNotFoundError) return undefined;
    throw typed;
  }
}

/** The fields of a live object that another manager than Skiff set last. */
function driftOf(live: KubernetesObject): FieldOwner[] {
  const entries = (live.metadata as { managedFields?: ManagedFieldsEntry[] }).managedFields;
  return fieldOwners(entries).filter((owner) => owner.manager !== SKIFF_FIELD_MANAGER && owner.path !== LAST_APPLIED);
}

async function planPrune(input: PlanInput): Promise<PlannedObject[]> {
  const { config } = input.desired;
  const declared = new Set(input.desired.apply.map((o) => keyOf(o.identity.kind, o.identity.namespace, o.identity.name)));
  const out: PlannedObject[] = [];
  for (const kind of APPLY_ORDER) {
    if (!config.kinds.includes(kind as (typeof config.kinds)[number])) continue;
    const namespaces = CLUSTER_SCOPED.has(kind) ? [undefined] : config.namespaces;
    for (const namespace of namespaces) {
      const { items } = await input.client.list<KubernetesObject>(API_VERSIONS[kind]!, kind, namespace, {
        labelSelector: `${MANAGED_BY_LABEL}=${SKIFF_MANAGED_BY}`,
      });
      for (const live of items) {
        const { name = '' } = live.metadata;
        if (live.metadata.annotations?.[SYNC_REPOSITORY_ANNOTATION] !== input.repository) continue;
        if (declared.has(keyOf(kind, live.metadata.namespace, name))) continue;
        const entries = (live.metadata as { managedFields?: ManagedFieldsEntry[] }).managedFields ?? [];
        // An object whose every field another manager took over is theirs now: never deleted.
        if (!entries.some((e) => e.manager === SKIFF_FIELD_MANAGER)) continue;
        const identity: PlannedObject['identity'] = { apiVersion: API_VERSIONS[kind]!, kind, name };
        if (live.metadata.namespace) identity.namespace = live.metadata.namespace;
        const planned: PlannedObject = { identity, action: 'prune', changes: [], drift: driftOf(live), conflicts: [] };
        if (live.metadata.uid) planned.uid = live.metadata.uid;
        out.push(planned);
      }
    }
  }
  return out;
}

function keyOf(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}/${namespace ?? ''}/${name}`;
}
