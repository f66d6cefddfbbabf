import type { V1Container, V1Pod, V1PodSpec } from '@kubernetes/client-node';
import { joinKey, locationKey, type StorageLocation } from '../../artifacts/index.js';
import { withKey } from '../../artifacts/artifact-location.js';
import type { PodRequest } from '../../engine/engine-events.js';
import { CONTROLLER_INSTANCE_ID_LABEL, NODE_NAME_ANNOTATION, SKIFF_INSTANCE_ID } from '../../kube/kube-names.js';
import type { Workflow } from '../../spec/model/workflow.js';
import { buildPodSpec } from '../pod-spec/build-pod-spec.js';
import {
  EXECUTOR_BUSYBOX,
  type ExecutorPlan,
  PLAN_ENV,
  POD_BIN_DIR,
  POD_BIN_VOLUME,
  POD_BUSYBOX,
  RUN_VOLUME,
  TERMINATION_ENV,
} from '../pod-spec/executor-plan.js';
import { TERMINATION_MESSAGE_LIMIT, terminationMessageLimit } from '../pod-spec/report-message.js';
import { applyPodSpecPatch } from './pod-spec-patch.js';

/**
 * Where Skiff's executor containers write their termination message in a cluster: the kubelet
 * publishes the file's content with the container's end. Not under /dev, which some runtimes
 * (and the test node) mount afresh.
 */
export const EXECUTOR_TERMINATION_PATH = '/argo/termination-log';

/** The object key, beside the pod's artifacts, of a report too long for the termination message. */
export const OVERFLOW_REPORT_NAME = 'skiff-executor-report.json';

export interface ClusterPodContext {
  workflow: Workflow;
  executorImage: string;
  /** The controller's instance id, labelled on the pod (default `skiff`). */
  instanceId?: string;
  /** The pod's archive location in the run's repository, when the run has one. */
  archiveLocation?: StorageLocation;
  /** Archive the user containers' logs there (runs/archive-logs.ts). */
  archiveLogs?: boolean;
  /** The node's display path (`run.build[0].test`), for the node-name annotation. */
  nodeName?: string;
  /** Now, for the pod's activeDeadlineSeconds (ms since the epoch). */
  now: number;
  /**
   * What runs the main container's wrapper: the image's own `/bin/sh` (`image`, the default), or
   * the static busybox of Skiff's executor image, copied into the pod by init (`busybox`), so the
   * user's image needs no shell and no tools at all.
   */
  shell?: 'image' | 'busybox';
}

/**
 * The pod a cluster runs for a pod node: the pod every runtime builds (build-pod-spec.ts) plus
 * what only a cluster has, as Argo's workflowpod.go sets it: Skiff's instance label, the wait
 * container's report as its termination message (with the repository location for a long one),
 * scheduling (nodeSelector, affinity, tolerations, schedulerName, priority: the template's, else
 * the workflow's), securityContext, hostAliases, imagePullSecrets, DNS, sidecars, the deadline,
 * and finally the workflow's then the template's `podSpecPatch`. Pure.
 *
 * @example clusterPod(request, { workflow, executorImage: 'ghcr.io/skiff/skiff:1', now: Date.now() })
 */
export function clusterPod(request: PodRequest, context: ClusterPodContext): { pod: V1Pod } | { error: string } {
  const { workflow } = context;
  const template = request.template;
  const busybox = context.shell === 'busybox';
  const built = buildPodSpec(request, {
    workflow,
    executorImage: context.executorImage,
    sidecars: true,
    ...(busybox ? { busybox: POD_BUSYBOX } : {}),
    ...(context.archiveLocation ? { archiveLocation: context.archiveLocation } : {}),
    ...(context.archiveLogs ? { archiveLogs: true } : {}),
  });
  if ('error' in built) return built;
  const pod = built.pod;
  pod.metadata!.labels = { ...pod.metadata!.labels, [CONTROLLER_INSTANCE_ID_LABEL]: context.instanceId ?? SKIFF_INSTANCE_ID };
  if (context.nodeName) pod.metadata!.annotations = { ...pod.metadata!.annotations, [NODE_NAME_ANNOTATION]: context.nodeName };
  let spec = pod.spec!;
  const report: NonNullable<ExecutorPlan['report']> = { terminationMessagePath: EXECUTOR_TERMINATION_PATH };
  if (context.archiveLocation) report.overflow = withKey(context.archiveLocation, joinKey(locationKey(context.archiveLocation), OVERFLOW_REPORT_NAME));
  if (busybox) withBusybox(spec, context.executorImage);
  const executor = (c: V1Container): V1Container => {
    if (c.image !== context.executorImage || (c.name !== 'wait' && c.name !== 'init')) return c;
    const env = (c.env ?? []).map((e) => {
      if (e.name === PLAN_ENV) {
        const plan: ExecutorPlan = { ...(JSON.parse(e.value ?? '{}') as ExecutorPlan), report };
        if (busybox && c.name === 'init') plan.busybox = { from: EXECUTOR_BUSYBOX, to: POD_BUSYBOX };
        return { ...e, value: JSON.stringify(plan) };
      }
      // init's failure message is its termination message; wait's termination message is its report.
      if (e.name === TERMINATION_ENV) return { ...e, value: c.name === 'init' ? EXECUTOR_TERMINATION_PATH : e.value };
      return e;
    });
    return { ...c, env, terminationMessagePath: EXECUTOR_TERMINATION_PATH, terminationMessagePolicy: 'File' };
  };
  spec.initContainers = (spec.initContainers ?? []).map(executor);
  spec.containers = waitFirst(spec.containers.map(executor), context.executorImage);
  // `kubectl logs` and `exec` without -c mean the step's own container, not wait, which is first.
  const own = spec.containers.find((c) => c.name === 'main') ?? spec.containers.find((c) => c.image !== context.executorImage);
  if (own) pod.metadata!.annotations = { ...pod.metadata!.annotations, [DEFAULT_CONTAINER_ANNOTATION]: own.name };

  const settings = template as Record<string, unknown>;
  const wf = workflow.spec as Record<string, unknown>;
  const either = <K extends keyof V1PodSpec>(field: K, templateField: string = field, workflowField: string = field): void => {
    const value = nonEmpty(settings[templateField]) ? settings[templateField] : nonEmpty(wf[workflowField]) ? wf[workflowField] : undefined;
    if (value !== undefined) spec[field] = value as V1PodSpec[K];
  };
  either('nodeSelector');
  either('affinity');
  either('tolerations');
  either('schedulerName');
  either('priorityClassName', 'priorityClassName', 'podPriorityClassName');
  either('securityContext');
  either('automountServiceAccountToken');
  either('dnsPolicy');
  either('dnsConfig');
  either('hostNetwork');
  const aliases = [...asList(wf.hostAliases), ...asList(settings.hostAliases)];
  if (aliases.length > 0) spec.hostAliases = aliases as V1PodSpec['hostAliases'];
  if (nonEmpty(wf.imagePullSecrets)) spec.imagePullSecrets = wf.imagePullSecrets as V1PodSpec['imagePullSecrets'];
  if (request.deadline) spec.activeDeadlineSeconds = Math.max(1, Math.ceil((Date.parse(request.deadline) - context.now) / 1000));
  for (const patch of [request.workflowPodSpecPatch ?? wf.podSpecPatch, settings.podSpecPatch]) {
    if (typeof patch !== 'string' || patch.trim() === '') continue;
    const patched = applyPodSpecPatch(spec, patch);
    if ('error' in patched) return { error: `template "${template.name}": ${patched.error}` };
    spec = patched.spec;
  }
  // The kubelet shares its 12 KiB of termination messages among the pod's containers: wait's share is its limit.
  const limit = terminationMessageLimit((spec.initContainers?.length ?? 0) + spec.containers.length);
  if (limit < TERMINATION_MESSAGE_LIMIT) {
    spec.containers = spec.containers.map((c) =>
      c.name !== 'wait' || c.image !== context.executorImage
        ? c
        : {
            ...c,
            env: (c.env ?? []).map((e) => {
              if (e.name !== PLAN_ENV) return e;
              const plan = JSON.parse(e.value ?? '{}') as ExecutorPlan;
              return { ...e, value: JSON.stringify({ ...plan, report: { ...plan.report!, limit } }) };
            }),
          },
    );
  }
  pod.spec = spec;
  return { pod };
}

/** The annotation kubectl reads for the container `logs`, `exec` and `attach` mean without -c. */
export const DEFAULT_CONTAINER_ANNOTATION = 'kubectl.kubernetes.io/default-container';

/**
 * Skiff's wait container first, as Argo orders a pod's containers. The kubelet starts a pod's
 * containers one after another, each a create and a start call to the container runtime: with
 * wait first, its Node.js start overlaps main's creation instead of following it, so wait is
 * ready (and reports) soon after a short main ends, not a container start and a Node.js start later.
 */
function waitFirst(containers: V1Container[], executorImage: string): V1Container[] {
  const wait = containers.find((c) => c.name === 'wait' && c.image === executorImage);
  return wait ? [wait, ...containers.filter((c) => c !== wait)] : containers;
}

/**
 * The pod's `skiff-bin` volume with the executor's busybox: init (added if the pod had none)
 * writes it, and the containers that run the wrapper with it mount it read-only.
 */
function withBusybox(spec: V1PodSpec, executorImage: string): void {
  const wait = spec.containers.find((c) => c.name === 'wait')!;
  let init = (spec.initContainers ?? []).find((c) => c.name === 'init' && c.image === executorImage);
  if (!init) {
    const runMount = wait.volumeMounts!.find((m) => m.name === RUN_VOLUME)!;
    init = {
      name: 'init',
      image: executorImage,
      command: ['skiff', 'executor', 'init'],
      env: (wait.env ?? []).map((e) => (e.name === TERMINATION_ENV ? { ...e, value: EXECUTOR_TERMINATION_PATH } : e)),
      volumeMounts: [runMount],
    };
    spec.initContainers = [init, ...(spec.initContainers ?? [])];
  }
  init.volumeMounts = [...(init.volumeMounts ?? []), { name: POD_BIN_VOLUME, mountPath: POD_BIN_DIR }];
  for (const c of spec.containers) {
    if (c.command?.[0] === POD_BUSYBOX) c.volumeMounts = [...(c.volumeMounts ?? []), { name: POD_BIN_VOLUME, mountPath: POD_BIN_DIR, readOnly: true }];
  }
  spec.volumes = [...(spec.volumes ?? []), { name: POD_BIN_VOLUME, emptyDir: {} }];
}

function nonEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
