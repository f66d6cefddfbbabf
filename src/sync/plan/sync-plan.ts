import type { ObjectIdentity, ObjectSource } from '../desired-set.js';
import type { FieldChange } from './field-diff.js';
import type { FieldOwner } from './managed-fields.js';

/** What merging does to one object: create it, change it, leave it, delete it, or cannot (error). */
export type PlanAction = 'create' | 'change' | 'unchanged' | 'prune' | 'error';

/** An object the plan is about: in the repository, in the cluster, or both. */
export interface PlannedObject {
  /** Its kind, namespace and name; `namespace` absent for cluster-scoped kinds. */
  identity: Omit<ObjectIdentity, 'kind'> & { kind: string };
  /** Where the repository declares it; absent for an object to be pruned. */
  source?: ObjectSource;
  action: PlanAction;
  /** For `change`: the fields the apply sets, replaces or removes, with before and after. */
  changes: FieldChange[];
  /** Fields of the live object last set by another manager than Skiff (a person's kubectl edit, another tool). */
  drift: FieldOwner[];
  /** Fields Skiff declares that another manager owns: an apply without force stops on them. */
  conflicts: string[];
  /** For `error`: why the object cannot be applied (the API server's reasons). */
  error?: string;
  /** For `prune`: the live object's uid, so the delete removes that object and no later one of the same name. */
  uid?: string;
}

/**
 * What merging a commit will change in the cluster: every object the repository declares (created,
 * changed field by field, or unchanged), the objects Skiff applied from this repository that git no
 * longer has (pruned, when the config prunes), and the drift found on the live objects. Data only:
 * `renderPlanText` and `renderPlanMarkdown` turn it into words.
 */
export interface SyncPlan {
  /** The repository, as `owner/name`. */
  repository: string;
  commit: string;
  prune: boolean;
  objects: PlannedObject[];
}

export interface PlanCounts {
  create: number;
  change: number;
  unchanged: number;
  prune: number;
  error: number;
  /** Objects with drift, whatever their action. */
  drifted: number;
}

export function countPlan(plan: SyncPlan): PlanCounts {
  const counts: PlanCounts = { create: 0, change: 0, unchanged: 0, prune: 0, error: 0, drifted: 0 };
  for (const object of plan.objects) {
    counts[object.action]++;
    if (object.drift.length > 0) counts.drifted++;
  }
  return counts;
}

/** Whether applying the plan would write anything (as `terraform plan -detailed-exitcode` tells apart). */
export function planHasChanges(plan: SyncPlan): boolean {
  return plan.objects.some((o) => o.action === 'create' || o.action === 'change' || o.action === 'prune');
}
