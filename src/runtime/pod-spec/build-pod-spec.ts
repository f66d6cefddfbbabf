import type { V1Container, V1Pod, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import type { PodRequest } from '../../engine/engine-events.js';
import type { StorageLocation } from '../../artifacts/index.js';
import { NODE_ID_ANNOTATION, WORKFLOW_LABEL } from '../../kube/kube-names.js';
import type { Container, Volume } from '../../spec/model/kubernetes.js';
import type { Artifact, Workflow } from '../../spec/model/workflow.js';
import { hasResultOutput, templateTypeOf } from '../../spec/template-type.js';
import {
  EXECUTOR_IMAGE,
  type ExecutorPlan,
  INPUTS_DIR,
  INPUTS_VOLUME,
  PLAN_ENV,
  RUN_DIR,
  RUN_VOLUME,
  SCRIPT_ENV,
  SCRIPT_PATH,
  SECRETS_DIR,
  TERMINATION_ENV,
} from './executor-plan.js';
import { containerSetContainers } from './container-set-containers.js';
import { mainWrapper, safeName } from './main-wrapper.js';
import { withMirroredMounts } from './mirror-volume-mounts.js';

/**
 * The longest script passed in main's environment (bytes). The kernel takes at most 128 KiB in
 * one environment string; a longer script is staged by init.
 */
export const INLINE_SCRIPT_LIMIT = 64 * 1024;

export interface PodSpecContext {
  /** The run's workflow: name, namespace, uid, spec-level volumes, volumeClaimTemplates, pod settings. */
  workflow: Workflow;
  /** The template's archive location (repository + this pod's key), when the pod has artifacts. */
  archiveLocation?: StorageLocation;
  /** Archive the user containers' logs (see archive-logs.ts); needs an `archiveLocation`. */
  archiveLogs?: boolean;
  /** The executor image (default `skiff/executor`). */
  executorImage?: string;
  /**
   * Run the wrapper with this static busybox (a path in the pod) instead of the image's /bin/sh:
   * for images without a shell. The caller puts it there (see cluster-pod.ts).
   */
  busybox?: string;
  /** Add the template's sidecars after wait (a cluster runs them; the local runtime does not). */
  sidecars?: boolean;
}

/** The claim a volumeClaimTemplate becomes for a run: Argo names it `<workflow>-<template>`. */
export function claimName(workflowName: string, template: string): string {
  return `${workflowName}-${template}`;
}

/**
 * Builds the Kubernetes pod for a pod node, as Argo's workflowpod.go does, with Skiff's executor:
 * `init` when there is something to stage (input artifacts into the `input-artifacts` emptyDir, a
 * script too long for main's environment), `main` (the
 * user's container or script, wrapped so that its outputs outlive it; see `mainWrapper`), `wait`
 * (collect output parameters, `outputs.result` and output artifacts). A containerSet's pod has
 * its containers in main's place, each wrapped to start once its dependencies succeeded (see
 * `containerSetContainers`); wait then waits for all of them. Input artifacts reach main
 * as subPath mounts at their paths; the workflow's and the template's volumes and the run's
 * volumeClaimTemplates (as claims) are added as the containers mount them. The template's init
 * containers, and its sidecars when asked for, get main's mounts with `mirrorVolumeMounts`
 * (mirror-volume-mounts.ts). The same spec runs on
 * a cluster and, through the local runtime, on this machine. Pure.
 *
 * @example buildPodSpec(request, { workflow }) // { pod: { metadata: { name: 'hello-123' }, spec: { containers: [main, wait] } } }
 */
export function buildPodSpec(request: PodRequest, context: PodSpecContext): { pod: V1Pod } | { error: string } {
  const template = request.template;
  const type = templateTypeOf(template);
  if (type !== 'container' && type !== 'script' && type !== 'containerSet') {
    return { error: `${type ?? 'untyped'} templates do not run as a pod of Skiff's (only container, script and containerSet templates do)` };
  }
  const workflow = context.workflow;
  const namespace = workflow.metadata?.namespace ?? 'default';
  const inputs = request.inputs.artifacts ?? [];
  const parameters = (template.outputs?.parameters ?? []).flatMap((p) => (p.valueFrom?.path ? [{ name: p.name, path: p.valueFrom.path }] : []));
  const artifacts = (template.outputs?.artifacts ?? []).filter((a): a is Artifact & { path: string } => typeof a.path === 'string' && a.path !== '');
  for (const a of inputs) if (!a.path) return { error: `input artifact "${a.name}" has no path` };

  const plan: ExecutorPlan = {
    namespace,
    inputs,
    parameters,
    artifacts,
    result: hasResultOutput(template),
  };
  if (context.archiveLocation) plan.archiveLocation = context.archiveLocation;
  if (context.archiveLogs) {
    if (!context.archiveLocation) return { error: `template "${template.name}" archives its logs, but no artifact repository is configured to keep them` };
    plan.archiveLogs = true;
  }
  const log = plan.archiveLogs ? { log: true } : {};
  // A script reaches main in its environment, for the wrapper to write before it runs it, unless
  // init runs anyway (input artifacts, a busybox to hand over) or the script is too long for one
  // environment string: then init stages it. No init container saves a whole Node.js start
  // before main can begin.
  const inlineScript = type === 'script' && inputs.length === 0 && !context.busybox && Buffer.byteLength(template.script!.source) <= INLINE_SCRIPT_LIMIT;
  if (type === 'script' && !inlineScript) plan.script = template.script!.source;

  const runMount: V1VolumeMount = { name: RUN_VOLUME, mountPath: RUN_DIR };
  const secretVolumes = secretsOf([plan.archiveLocation, ...inputs, ...artifacts]).map((name) => ({
    name: `secret-${name}`.slice(0, 63),
    secret: { secretName: name },
  }));
  const secretMounts = secretVolumes.map((v) => ({ name: v.name, mountPath: `${SECRETS_DIR}/${v.secret.secretName}`, readOnly: true }));
  const executorImage = context.executorImage ?? EXECUTOR_IMAGE;

  const inputMounts: V1VolumeMount[] = inputs.map((a) => ({ name: INPUTS_VOLUME, mountPath: a.path!, subPath: safeName(a.name) }));
  let users: V1Container[];
  /** The user's own mounts of main, which `mirrorVolumeMounts` copies. */
  let mainMounts: V1VolumeMount[] = [];
  const shell = context.busybox ? [context.busybox, 'sh', '-c'] : ['/bin/sh', '-c'];
  const busybox = context.busybox ? { busybox: context.busybox } : {};
  if (type === 'containerSet') {
    const built = containerSetContainers(template, {
      runMount,
      inputMounts,
      outputs: { parameters, artifacts, result: plan.result, ...log },
      shell,
      ...busybox,
    });
    if ('error' in built) return built;
    users = built.containers;
    const main = template.containerSet?.containers.find((c) => c.name === 'main');
    if (main) mainMounts = [...((template.containerSet?.volumeMounts ?? []) as V1VolumeMount[]), ...((main.volumeMounts ?? []) as V1VolumeMount[])];
    plan.containers = users.map((c) => c.name);
  } else {
    const source = (type === 'script' ? template.script : template.container) as Container;
    let argv: string[];
    if (type === 'script') argv = [...(source.command ?? []), SCRIPT_PATH, ...(source.args ?? [])];
    else argv = [...(source.command ?? []), ...(source.args ?? [])];
    if (argv.length === 0) return { error: `the ${type} of template "${template.name}" has no command: images are not pulled, so name the command to run` };
    const { source: _source, ...container } = source as Container & { source?: string };
    mainMounts = (source.volumeMounts ?? []) as V1VolumeMount[];
    users = [
      {
        ...(container as V1Container),
        name: 'main',
        command: [
          ...shell,
          mainWrapper({ parameters, artifacts, result: plan.result, ...log }, { ...busybox, ...(inlineScript ? { script: SCRIPT_PATH } : {}) }),
          'skiff-main',
          ...argv,
        ],
        args: [],
        env: [...((source.env ?? []) as V1Container['env'] & object), ...(inlineScript ? [{ name: SCRIPT_ENV, value: template.script!.source }] : [])],
        volumeMounts: [...((source.volumeMounts ?? []) as V1VolumeMount[]), runMount, ...inputMounts],
      },
    ];
  }
  const executorEnv = [{ name: PLAN_ENV, value: JSON.stringify(plan) }];

  const initContainers: V1Container[] = [];
  if (inputs.length > 0 || plan.script !== undefined) {
    initContainers.push({
      name: 'init',
      image: executorImage,
      command: ['skiff', 'executor', 'init'],
      env: [...executorEnv, { name: TERMINATION_ENV, value: `${RUN_DIR}/ctr/init/termination-log` }],
      volumeMounts: [runMount, ...(inputs.length > 0 ? [{ name: INPUTS_VOLUME, mountPath: INPUTS_DIR }] : []), ...secretMounts],
    });
  }
  for (const user of template.initContainers ?? []) initContainers.push(withMirroredMounts(user, mainMounts));
  const sidecars = context.sidecars ? (template.sidecars ?? []).map((c) => withMirroredMounts(c, mainMounts)) : [];

  const wait: V1Container = {
    name: 'wait',
    image: executorImage,
    command: ['skiff', 'executor', 'wait'],
    env: [...executorEnv, { name: TERMINATION_ENV, value: `${RUN_DIR}/ctr/wait/termination-log` }],
    volumeMounts: [runMount, ...secretMounts],
  };

  const volumes: V1Volume[] = [{ name: RUN_VOLUME, emptyDir: {} }, ...secretVolumes];
  if (inputs.length > 0) volumes.push({ name: INPUTS_VOLUME, emptyDir: {} });
  const declared = new Map<string, V1Volume>();
  for (const v of [...(request.volumes ?? workflow.spec.volumes ?? []), ...((template.volumes ?? []) as Volume[])]) declared.set(v.name, v as V1Volume);
  for (const claim of workflow.spec.volumeClaimTemplates ?? []) {
    const name = claim.metadata.name;
    if (name) declared.set(name, { name, persistentVolumeClaim: { claimName: claimName(workflow.metadata.name ?? request.workflowName, name) } });
  }
  // As Argo: only the volumes some container mounts become part of the pod.
  const used = new Set([...initContainers, ...users, ...sidecars].flatMap((c) => (c.volumeMounts ?? []).map((m) => m.name)));
  for (const name of used) {
    const volume = declared.get(name);
    if (volume && !volumes.some((v) => v.name === name)) volumes.push(volume);
  }

  const labels = {
    ...(workflow.spec.podMetadata as { labels?: Record<string, string> } | undefined)?.labels,
    ...template.metadata?.labels,
    [WORKFLOW_LABEL]: request.workflowName,
  };
  const annotations = {
    ...(workflow.spec.podMetadata as { annotations?: Record<string, string> } | undefined)?.annotations,
    ...template.metadata?.annotations,
    [NODE_ID_ANNOTATION]: request.nodeId,
  };
  const pod: V1Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: request.podName, namespace, labels, annotations },
    spec: {
      restartPolicy: 'Never',
      initContainers,
      containers: [...users, wait, ...sidecars],
      volumes,
    },
  };
  if (workflow.metadata.uid)
    pod.metadata!.ownerReferences = [
      {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Workflow',
        name: request.workflowName,
        uid: workflow.metadata.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ];
  const serviceAccount = (template.serviceAccountName as string | undefined) ?? workflow.spec.serviceAccountName;
  if (serviceAccount) pod.spec!.serviceAccountName = serviceAccount;
  return { pod };
}

/** Names of the Secrets artifact locations refer to (`accessKeySecret: {name, key}` and the like). */
function secretsOf(values: unknown[]): string[] {
  const names = new Set<string>();
  const walk = (value: unknown): void => {
    if (value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) return value.forEach(walk);
    for (const [key, child] of Object.entries(value)) {
      if (key.endsWith('Secret') && child && typeof child === 'object' && typeof (child as { name?: unknown }).name === 'string')
        names.add((child as { name: string }).name);
      else walk(child);
    }
  };
  values.forEach(walk);
  return [...names].sort();
}
