import type { KubeClient } from '../../kube/kube-client.js';
import { KubeConflictError, KubeNotFoundError, toKubeError } from '../../kube/kube-errors.js';
import { serverSideApply } from '../../kube/server-side-apply.js';
import type { KubernetesObject } from '../../spec/model/kubernetes.js';
import type { DesiredObject } from '../desired-set.js';
import { mapOrdered } from '../../shared/map-ordered.js';
import { APPLY_ORDER, PLAN_CONCURRENCY, type PlanInput, planSync } from '../plan/plan-sync.js';
import type { PlannedObject, SyncPlan } from '../plan/sync-plan.js';
import { withTracking } from '../plan/tracking.js';

/** What became of one object of the plan. */
export interface ApplyOutcome {
  object: PlannedObject;
  /** `unchanged` and `skipped` made no request; `failed` says why in `error`. */
  result: 'created' | 'changed' | 'unchanged' | 'pruned' | 'failed' | 'skipped';
  error?: string;
}

export interface SyncResult {
  plan: SyncPlan;
  outcomes: ApplyOutcome[];
  /** Every object the plan wanted changed was changed. */
  ok: boolean;
}

/**
 * Makes the cluster match a commit: plans (planSync), then applies each object that the plan
 * creates or changes with server-side apply as manager `skiff` (never forced: a field another
 * manager owns fails that object, naming the field), in order — ConfigMaps and templates before
 * the CronWorkflows that use them — and then deletes what the plan prunes, users first, each only
 * if it is still the object planned (its uid). An object that fails does not stop the others; the
 * next sync tries it again. Unchanged objects get no request at all, so syncing the same commit
 * twice writes nothing.
 *
 * @example
 *   const { outcomes, ok } = await applySync({ desired, client, repository: 'acme/flows', commit: sha });
 */
export async function applySync(input: PlanInput): Promise<SyncResult> {
  const plan = await planSync(input);
  const declared = new Map(input.desired.apply.map((d) => [keyOf(d.identity), d]));
  const outcomes: ApplyOutcome[] = [];
  // Kind by kind in apply order; within a kind, a few at a time (nothing of one kind uses another of it).
  for (const kind of APPLY_ORDER) {
    const ofKind = plan.objects.filter((o) => o.action !== 'prune' && o.identity.kind === kind);
    for await (const outcome of mapOrdered(ofKind, PLAN_CONCURRENCY, (object) => applyObject(input, object, declared.get(keyOf(object.identity)))))
      outcomes.push(outcome);
  }
  const prunes = plan.objects.filter((o) => o.action === 'prune').sort((a, b) => APPLY_ORDER.indexOf(b.identity.kind) - APPLY_ORDER.indexOf(a.identity.kind));
  for (const object of prunes) outcomes.push(await pruneObject(input.client, object));
  return { plan, outcomes, ok: outcomes.every((o) => o.result !== 'failed') };
}

async function applyObject(input: PlanInput, object: PlannedObject, desired: DesiredObject | undefined): Promise<ApplyOutcome> {
  if (object.action === 'unchanged') return { object, result: 'unchanged' };
  if (object.action === 'error' || !desired) return { object, result: 'failed', error: object.error ?? 'not in the desired set' };
  const tracked = withTracking(desired.object, {
    repository: input.repository,
    path: desired.source.file,
    commit: input.commit,
  }) as unknown as KubernetesObject;
  try {
    await serverSideApply(input.client, tracked);
    return { object, result: object.action === 'create' ? 'created' : 'changed' };
  } catch (error) {
    const typed = toKubeError(error, tracked);
    const fields = typed instanceof KubeConflictError ? typed.fieldConflicts.map((c) => c.field ?? c.message) : [];
    const why =
      fields.length > 0 ? `${fields.join(', ')} owned by another manager; change it there, or remove it from that manager, and sync again` : typed.message;
    return { object, result: 'failed', error: why };
  }
}

async function pruneObject(client: KubeClient, object: PlannedObject): Promise<ApplyOutcome> {
  const { apiVersion, kind, namespace, name } = object.identity;
  try {
    await client.delete(
      { apiVersion, kind, namespace, name },
      { propagationPolicy: 'Background', ...(object.uid ? { preconditions: { uid: object.uid } } : {}) },
    );
    return { object, result: 'pruned' };
  } catch (error) {
    const typed = toKubeError(error);
    // Gone already: what pruning wanted.
    if (typed instanceof KubeNotFoundError) return { object, result: 'pruned' };
    return { object, result: 'failed', error: typed.message };
  }
}

function keyOf(identity: { kind: string; namespace?: string | undefined; name: string }): string {
  return `${identity.kind}/${identity.namespace ?? ''}/${identity.name}`;
}
