/**
 * Every label and annotation name Skiff reads or writes on cluster objects, in one place, so that
 * a selector, a pod and a sync never spell one differently. Argo's names are kept as Argo spells
 * them: its CLI, UI and users' selectors find Skiff's objects the same way. `spec/model/argo-labels`
 * and `spec/model/config-map-type` re-export the ones the language layer needs.
 */

// --- Argo's names ---------------------------------------------------------------------------------

/**
 * On a Workflow: which controller owns it. Skiff handles only Workflows with value `skiff`, and a
 * default Argo controller (no instance id) ignores them.
 */
export const CONTROLLER_INSTANCE_ID_LABEL = 'workflows.argoproj.io/controller-instanceid';
export const SKIFF_INSTANCE_ID = 'skiff';

/** On a pod: the name of the Workflow (run) it belongs to. */
export const WORKFLOW_LABEL = 'workflows.argoproj.io/workflow';

/** Argo's finalizer on a Workflow whose artifacts are deleted when it is: held until that is done. */
export const ARTIFACT_GC_FINALIZER = 'workflows.argoproj.io/artifact-gc';

/** On a pod: the id of the node it runs (`<run>-<hash>`). */
export const NODE_ID_ANNOTATION = 'workflows.argoproj.io/node-id';

/** On a pod: the node's display path (`run.build[0].test`). */
export const NODE_NAME_ANNOTATION = 'workflows.argoproj.io/node-name';

/**
 * On a Workflow, `true` once it has finished (and `false` before): lets a controller list only the
 * runs still to drive (`workflows.argoproj.io/completed!=true`). Argo also sets it on pods whose
 * outcome it has recorded.
 */
export const COMPLETED_LABEL = 'workflows.argoproj.io/completed';

/** On a Workflow: its phase (`Running`, `Succeeded`, ...), for selectors. */
export const PHASE_LABEL = 'workflows.argoproj.io/phase';

/** On a run made by a CronWorkflow: the CronWorkflow's name. */
export const CRON_WORKFLOW_LABEL = 'workflows.argoproj.io/cron-workflow';

/** On a run made by a CronWorkflow: its scheduled time (RFC 3339), which is `{{workflow.scheduledTime}}`. */
export const SCHEDULED_TIME_ANNOTATION = 'workflows.argoproj.io/scheduled-time';

/** On a run submitted from a WorkflowTemplate: the template's name. */
export const WORKFLOW_TEMPLATE_LABEL = 'workflows.argoproj.io/workflow-template';

/** On a run submitted from a ClusterWorkflowTemplate: the template's name. */
export const CLUSTER_WORKFLOW_TEMPLATE_LABEL = 'workflows.argoproj.io/cluster-workflow-template';

/**
 * Argo's controller sees only ConfigMaps with this label, and its value says what a ConfigMap is
 * for; parameters (`valueFrom.configMapKeyRef`) are read only from those of type `Parameter`.
 */
export const CONFIG_MAP_TYPE_LABEL = 'workflows.argoproj.io/configmap-type';
export const PARAMETER_CONFIG_MAP_TYPE = 'Parameter';
/** Memoization caches (`memoize.cache.configMap`) are read and written only in ConfigMaps of this type. */
export const CACHE_CONFIG_MAP_TYPE = 'Cache';

/** On an `artifact-repositories` ConfigMap: the key of the repository used when a run names none. */
export const DEFAULT_ARTIFACT_REPOSITORY_ANNOTATION = 'workflows.argoproj.io/default-artifact-repository';

// --- Skiff's own ---------------------------------------------------------------------------------

/**
 * Why a run was stopped or terminated (`skiff stop --message`), kept beside `spec.shutdown` so the
 * message survives the run being picked up again.
 */
export const SHUTDOWN_MESSAGE_ANNOTATION = 'skiff.dev/shutdown-message';

/**
 * On a pod: when podGC deletes it (RFC 3339), set when a `podGC.deleteDelayDuration` holds its
 * deletion back. A controller that starts (a restart, a new leader) deletes the pods so marked when
 * their time comes, so a pending delay never depends on the memory of the process that set it.
 */
export const DELETE_AFTER_ANNOTATION = 'skiff.dev/delete-after';

/**
 * On a run's Workflow: which generation of node snapshot ConfigMaps holds its nodes (`0` or absent:
 * none, the nodes are in `status.nodes` or `status.compressedNodes`, as Argo writes them), and how
 * many chunks that snapshot has, so a load can tell a complete snapshot from a damaged one.
 */
export const NODES_GENERATION_ANNOTATION = 'skiff.dev/nodes-generation';
export const NODES_CHUNKS_ANNOTATION = 'skiff.dev/nodes-chunks';

/**
 * On a run's Workflow: a request to resume its suspended steps (`skiff resume`), a value unique to
 * the request. The controller hands it to the run's driver and then removes it: gone means taken.
 * (Argo's own `argo resume` clears `spec.suspend`, which the controller takes as a resume too.)
 */
export const RESUME_REQUEST_ANNOTATION = 'skiff.dev/resume-requested';

/**
 * On a retried run's Workflow: the pods of the steps the retry reset (a JSON list of pod names).
 * A retried step keeps its node id and so its pod's name: the controller has the runtime delete
 * these before it drives the run again, as Argo's retry deletes them, and then removes the note.
 */
export const RETRIED_PODS_ANNOTATION = 'skiff.dev/retried-pods';

/** On a run's Workflow: why its driver holds it, and since when (JSON `{problem, since}`). */
export const HELD_ANNOTATION = 'skiff.dev/held';

/**
 * On the ConfigMaps that hold a run's nodes (kube-run-store.ts): the uid of the Workflow they
 * belong to (a name can be reused by a later run; a uid cannot), whether they are a snapshot or a
 * journal record, its generation, the record's sequence number and which chunk of how many.
 */
export const RUN_UID_LABEL = 'skiff.dev/run-uid';
export const RUN_PART_LABEL = 'skiff.dev/run-part';
export const RUN_GENERATION_LABEL = 'skiff.dev/generation';
export const RUN_RECORD_LABEL = 'skiff.dev/record';
export const RUN_CHUNK_LABEL = 'skiff.dev/chunk';
export const RUN_CHUNKS_LABEL = 'skiff.dev/chunks';
/** On the ConfigMaps of a run's nodes: which KubeRunStore instance wrote it (one id per process). */
export const RUN_WRITER_LABEL = 'skiff.dev/writer';

/**
 * On an object a resource template created: the run (its uid) and the node that created it. A
 * controller restarted between the create and recording the step's end finds the object by them
 * instead of creating a second one (a `generateName` would otherwise make another).
 */
export const RESOURCE_RUN_UID_LABEL = 'skiff.dev/created-by-run';
export const RESOURCE_NODE_ANNOTATION = 'skiff.dev/created-by-node';

/**
 * On every object the GitOps sync applies: `app.kubernetes.io/managed-by: skiff`. Pruning lists
 * only objects with it, so nothing Skiff did not create is ever deleted.
 */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const SKIFF_MANAGED_BY = 'skiff';

/** On an object the sync applied: the repository (`owner/name`) it came from. */
export const SYNC_REPOSITORY_ANNOTATION = 'skiff.dev/repository';

/** On an object the sync applied: the file in that repository that declares it. */
export const SYNC_SOURCE_PATH_ANNOTATION = 'skiff.dev/source-path';

/** On an object the sync applied: the commit it was applied from. */
export const SYNC_COMMIT_ANNOTATION = 'skiff.dev/commit';

/** The labels that mark a Workflow as Skiff's to run. */
export function skiffRunLabels(): Record<string, string> {
  return { [CONTROLLER_INSTANCE_ID_LABEL]: SKIFF_INSTANCE_ID };
}

/**
 * The label selector of the runs a Skiff controller drives: its own, not yet completed.
 *
 * @example activeRunSelector() // 'workflows.argoproj.io/controller-instanceid=skiff,workflows.argoproj.io/completed!=true'
 */
export function activeRunSelector(): string {
  return `${CONTROLLER_INSTANCE_ID_LABEL}=${SKIFF_INSTANCE_ID},${COMPLETED_LABEL}!=true`;
}
