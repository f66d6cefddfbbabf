import type { Volume } from '../spec/model/kubernetes.js';
import type { Artifact, Template } from '../spec/model/workflow.js';
import type { CacheEntry } from './memoization-caches.js';
import type { ArtifactRepositoryRefStatus, NodeInputs } from './workflow-status.js';

/** What a pod reports when it ends: its exit code and its outputs, in one message. */
export interface PodOutputs {
  parameters?: Array<{ name: string; value: string }>;
  /** Standard output of the main container (script and container templates). */
  result?: string;
  artifacts?: Artifact[];
}

/** How one container of a containerSet's pod ended. */
export interface ContainerOutcome {
  name: string;
  exitCode: number;
  /** Why it failed when its exit code does not say (it could not start). */
  message?: string;
  /** It never ran its command: this container, which it depends on, failed. */
  blockedBy?: string;
}

/** Something that happened to a run; the engine's only input besides the clock. */
export type EngineEvent =
  /** Begin a run, or continue one loaded from a store (after a restart, retry or resubmit). */
  | { type: 'start' }
  /**
   * A pod's main container started. `artifactRepositoryRef` is the repository the runtime
   * resolved for the run; the driver records the first one in status (the engine ignores it).
   * `hostNodeName` is the machine (Kubernetes node) it runs on. `restarted`: the pod was asked
   * for again after a restart and runs over from its beginning (its earlier start was lost with
   * the process that drove it), so the node's time starts now, not when nobody was driving it.
   */
  | { type: 'pod-started'; nodeId: string; artifactRepositoryRef?: ArtifactRepositoryRefStatus; hostNodeName?: string; restarted?: boolean }
  /**
   * A daemon pod is running and every container is ready (its readiness probes pass): the node
   * becomes daemoned, and later steps reach it at `podIP` (`{{steps.<name>.ip}}`).
   */
  | { type: 'pod-ready'; nodeId: string; podIP?: string }
  /**
   * A pod ended. The node completes only with this event, which carries its outputs. A
   * containerSet's pod also says how each of its containers ended; any failed one fails the node.
   * An http template (no pod: the runtime makes the request itself) ends with this event too:
   * exit code 0 when the response met its success rule, else non-zero with the reason as
   * `message`, and the response body as `outputs.result`. `finishedAt` (ISO) is when it ended,
   * when that was before it was reported: an end the runtime found recorded after a restart.
   */
  | { type: 'pod-finished'; nodeId: string; exitCode: number; outputs?: PodOutputs; message?: string; containers?: ContainerOutcome[]; finishedAt?: string }
  /** The runtime could not run the pod, or lost it. */
  | { type: 'pod-error'; nodeId: string; message: string }
  /** The clock reached a time the engine asked for with `wake-at`. */
  | { type: 'timer' }
  /** Resume suspended nodes (all of them, or the one named), optionally supplying output parameters. */
  | { type: 'resume'; nodeId?: string; parameters?: Record<string, string> }
  /** Every lock of an `acquire-lock` request is now held by `holder`. */
  | { type: 'lock-acquired'; holder: string }
  /** `holder` waits in the queue of `lock`, which `holders` hold. */
  | { type: 'lock-waiting'; holder: string; lock: string; holders: string[] }
  /** Shut down and run exit handlers. */
  | { type: 'stop'; message?: string }
  /** Shut down without exit handlers. */
  | { type: 'terminate'; message?: string };

/** A pod the runtime should run. Idempotent by `podName`: a runtime that already runs it reattaches. */
export interface PodRequest {
  /** The run's workflow name: with its namespace, how a runtime finds the run's spec-level pod settings. */
  workflowName: string;
  /** The run's namespace: pods are namespaced, so two runs of one name never share a pod. */
  workflowNamespace: string;
  nodeId: string;
  /** The node's path (`run.build[0].test`): what a cluster pod's node-name annotation shows. */
  nodeName?: string;
  podName: string;
  /** The template with every `{{...}}` of its inputs and the workflow resolved. */
  template: Template;
  inputs: NodeInputs;
  /** When the runtime must give up on the pod (template activeDeadlineSeconds/timeout), ISO time. */
  deadline?: string;
  /**
   * The workflow's own `podSpecPatch` with the workflow's variables substituted (Argo substitutes
   * them throughout the workflow's spec); absent when it has none. The template's own patch is in `template`.
   */
  workflowPodSpecPatch?: string;
  /** The run's `spec.archiveLogs` (a referenced WorkflowTemplate's, under the workflow's own); absent when unset. */
  workflowArchiveLogs?: boolean;
  /** The workflow's volumes with the variables of the steps and tasks above substituted; absent: the workflow's own. */
  volumes?: Volume[];
  /**
   * Set when an earlier driver already asked for this pod (a run picked up after a restart): the
   * node's startedAt (ISO). The pod may still run, or may have ended with its end recorded by the
   * runtime but not by the driver; a runtime that finds such an end, written after this time,
   * reports it instead of running the pod again.
   */
  askedBefore?: string;
}

/** One mutex or semaphore, by Argo's lock name (`default/Mutex/x`, `default/ConfigMap/my-config/key`). */
export interface LockRef {
  name: string;
  /** How many may hold it at once: 1 for a mutex, the ConfigMap's value for a semaphore. */
  limit: number;
}

/**
 * Locks to take together (all or none) for a holder: the run (`<namespace>/<workflow>`) or one of
 * its nodes (`<namespace>/<workflow>/<node id>`). Queued by priority (higher first), then by
 * the workflow's creation time. `reacquire` re-establishes a hold the run's status records (a
 * run picked up again): it is granted at once, over the limit if need be, as Argo does.
 */
export interface LockRequest {
  holder: string;
  /** The run's key, `namespace/name`. */
  runKey: string;
  locks: LockRef[];
  priority: number;
  createdAt: string;
  reacquire?: boolean;
}

export type EngineAction =
  | { type: 'run-pod'; pod: PodRequest }
  | { type: 'kill-pod'; nodeId: string; podName: string; reason: string }
  /** Store a memoized node's outputs as `key` of cache ConfigMap `cache` (created if absent). */
  | { type: 'save-cache'; namespace: string; cache: string; key: string; entry: CacheEntry }
  /** Queue for these locks; answered by `lock-waiting` and, once all are held, `lock-acquired`. */
  | { type: 'acquire-lock'; request: LockRequest }
  /** Give up every lock `holder` holds or waits for. */
  | { type: 'release-lock'; holder: string }
  /** Send a `timer` event at this time (ISO). Only the latest wake-at counts. */
  | { type: 'wake-at'; time: string };
