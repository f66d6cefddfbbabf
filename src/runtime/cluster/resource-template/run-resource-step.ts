import type { PodRequest } from '../../../engine/engine-events.js';
import type { KubeClient, ResourceRef } from '../../../kube/kube-client.js';
import { KubeAlreadyExistsError, KubeError, KubeNotFoundError } from '../../../kube/kube-errors.js';
import { RESOURCE_NODE_ANNOTATION, RESOURCE_RUN_UID_LABEL } from '../../../kube/kube-names.js';
import { serverSideApply } from '../../../kube/server-side-apply.js';
import type { RuntimeEvent } from '../../../ports/runtime.js';
import type { KubernetesObject } from '../../../spec/model/kubernetes.js';
import type { Workflow } from '../../../spec/model/workflow.js';
import { conditionOutcome, describeRequirement } from './resource-condition.js';
import { jqPath, kubectlJsonPath, ResourceOutputError } from './resource-output-value.js';
import { planResource, type ResourcePlan } from './resource-plan.js';

export interface ResourceStepContext {
  client: KubeClient;
  workflow: Workflow;
  /** How often the object is read again while a success or failure condition is awaited. */
  pollMs: number;
  /** Aborted when the engine kills the step (stop, terminate, its deadline): the wait ends, nothing more is sent. */
  signal: AbortSignal;
  warn?: (message: string) => void;
  /** The text of `manifestFrom.artifact` (manifest-from-artifact.ts); without it, manifestFrom is refused. */
  manifestFrom?: (request: PodRequest) => Promise<string>;
}

/** The field manager of what resource steps apply (`managedFields` and kubectl show it). */
export const RESOURCE_STEP_FIELD_MANAGER = 'skiff-resource-step';

/** How many times a call the API server could not answer (503, a reset connection) is sent again. */
const RETRIES = 5;

/**
 * Runs one resource template from the controller itself, as `argoexec resource` does in Argo's
 * pod: the action on the manifest's object in the run's namespace, then, when the template has a
 * successCondition or failureCondition, reading the object every `pollMs` until one decides, then
 * the output parameters (`valueFrom.jsonPath` / `jqFilter`) off the object. Ends as a pod does:
 * `pod-finished` with exit code 0 and the outputs, or 1 and a message saying what failed.
 * Resolves to undefined when aborted. The step runs with the controller's API rights (no pod, no
 * service account of its own): see resource-plan.ts for how it is kept to the run's namespace.
 *
 * @example await runResourceStep(request, { client, workflow, pollMs: 2000, signal })
 */
export async function runResourceStep(request: PodRequest, context: ResourceStepContext): Promise<RuntimeEvent | undefined> {
  const nodeId = request.nodeId;
  const failed = (message: string): RuntimeEvent => ({ type: 'pod-finished', nodeId, exitCode: 1, message });
  const namespace = context.workflow.metadata.namespace ?? request.workflowNamespace;
  let template = request.template;
  const resource = template.resource as { manifest?: unknown; manifestFrom?: unknown } | undefined;
  if (resource?.manifestFrom !== undefined && resource.manifest === undefined && context.manifestFrom) {
    try {
      template = { ...template, resource: { ...template.resource!, manifest: await context.manifestFrom(request) } };
    } catch (error) {
      return failed((error as Error).message);
    }
  }
  const planned = planResource(template, namespace);
  if ('error' in planned) return failed(planned.error);
  const { plan } = planned;
  try {
    const live = await act(plan, request, context);
    if (context.signal.aborted) return undefined;
    if (!live) return { type: 'pod-finished', nodeId, exitCode: 0 };
    const target = refOfLive(live);
    let object = live;
    if (plan.success.length > 0 || plan.failure.length > 0) {
      for (;;) {
        const outcome = conditionOutcome(object, plan.success, plan.failure);
        if (outcome.state === 'failed') return failed(`failure condition "${describeRequirement(outcome.requirement)}" holds for ${describe(target)}`);
        if (outcome.state === 'succeeded') break;
        if (!(await pause(context.pollMs, context.signal))) return undefined;
        try {
          object = await context.client.get(target);
        } catch (error) {
          if (error instanceof KubeNotFoundError) return failed(`${describe(target)} was deleted while its conditions were awaited`);
          if (!(error instanceof KubeError) || !error.retryable) throw error;
          context.warn?.(`resource step ${request.podName}: ${error.message}; reading it again`);
        }
      }
    }
    const parameters = outputParameters(request, object);
    if ('error' in parameters) return failed(parameters.error);
    return { type: 'pod-finished', nodeId, exitCode: 0, ...(parameters.values.length > 0 ? { outputs: { parameters: parameters.values } } : {}) };
  } catch (error) {
    if (context.signal.aborted) return undefined;
    return failed(`resource ${plan.action} failed: ${(error as Error).message}`);
  }
}

/** Does the plan's action; returns the object as the server then has it (none after a delete). */
async function act(plan: ResourcePlan, request: PodRequest, context: ResourceStepContext): Promise<KubernetesObject | undefined> {
  const { client, workflow } = context;
  const object = plan.object && plan.setOwnerReference ? withOwner(plan.object, workflow) : plan.object;
  switch (plan.action) {
    case 'create':
      return create(markCreated(object!, workflow, request), request, context);
    case 'apply':
      // A manager of its own: under the sync's (`skiff`), an apply would drop the fields the sync applied and this manifest does not list.
      return retried(() => serverSideApply(client, object!, { force: true, fieldManager: RESOURCE_STEP_FIELD_MANAGER }));
    case 'replace':
      return retried(async () => {
        // An update must carry the live resourceVersion (custom resources refuse one without); the manifest has none.
        const live = await client.get(plan.target!);
        return client.replace({ ...object!, metadata: { ...object!.metadata, resourceVersion: live.metadata.resourceVersion } });
      });
    case 'get':
      return retried(() => client.get(plan.target!));
    case 'patch':
      return retried(() => client.patch(plan.target!, plan.patch!.body, plan.patch!.type));
    case 'delete': {
      const refs: ResourceRef[] = plan.selector
        ? (
            await retried(() =>
              client.list(plan.selector!.apiVersion, plan.selector!.kind, plan.selector!.namespace, { labelSelector: plan.selector!.labelSelector }),
            )
          ).items.map((item) => ({
            apiVersion: plan.selector!.apiVersion,
            kind: plan.selector!.kind,
            namespace: plan.selector!.namespace,
            name: item.metadata.name ?? '',
          }))
        : [plan.target!];
      for (const ref of refs) {
        // As Argo's `kubectl delete --ignore-not-found`: an object already gone is deleted.
        await retried(() => client.delete(ref, plan.propagationPolicy ? { propagationPolicy: plan.propagationPolicy } : {})).catch((error: unknown) => {
          if (!(error instanceof KubeNotFoundError)) throw error;
        });
      }
      return undefined;
    }
  }
}

/**
 * A create that happens once per step: after a restart (`askedBefore`), the object this step
 * made before is found by its labels instead of being created again.
 */
async function create(object: KubernetesObject, request: PodRequest, context: ResourceStepContext): Promise<KubernetesObject> {
  const { client, workflow } = context;
  const earlier = async (): Promise<KubernetesObject | undefined> => {
    const uid = workflow.metadata.uid;
    if (!uid) return undefined;
    const { items } = await retried(() =>
      client.list(object.apiVersion, object.kind, object.metadata.namespace, { labelSelector: `${RESOURCE_RUN_UID_LABEL}=${uid}` }),
    );
    return items.find((item) => item.metadata.annotations?.[RESOURCE_NODE_ANNOTATION] === request.nodeId);
  };
  if (request.askedBefore) {
    const found = await earlier();
    if (found) return found;
  }
  try {
    return await retried(() => client.create(object));
  } catch (error) {
    if (error instanceof KubeAlreadyExistsError && request.askedBefore) {
      const found = await earlier();
      if (found) return found;
    }
    throw error;
  }
}

function markCreated(object: KubernetesObject, workflow: Workflow, request: PodRequest): KubernetesObject {
  const uid = workflow.metadata.uid;
  if (!uid) return object;
  return {
    ...object,
    metadata: {
      ...object.metadata,
      labels: { ...object.metadata.labels, [RESOURCE_RUN_UID_LABEL]: uid },
      annotations: { ...object.metadata.annotations, [RESOURCE_NODE_ANNOTATION]: request.nodeId },
    },
  };
}

/** The run as the object's owner: Kubernetes' garbage collector deletes the object with the run. */
function withOwner(object: KubernetesObject, workflow: Workflow): KubernetesObject {
  const owner = {
    apiVersion: workflow.apiVersion ?? 'argoproj.io/v1alpha1',
    kind: workflow.kind ?? 'Workflow',
    name: workflow.metadata.name ?? '',
    uid: workflow.metadata.uid ?? '',
    blockOwnerDeletion: true,
  };
  const others = ((object.metadata.ownerReferences as Array<{ uid?: string }> | undefined) ?? []).filter((o) => o.uid !== owner.uid);
  return { ...object, metadata: { ...object.metadata, ownerReferences: [...others, owner] } } as KubernetesObject;
}

function outputParameters(request: PodRequest, object: KubernetesObject): { values: Array<{ name: string; value: string }> } | { error: string } {
  const values: Array<{ name: string; value: string }> = [];
  for (const declared of request.template.outputs?.parameters ?? []) {
    const from = declared.valueFrom;
    try {
      if (from?.jsonPath !== undefined) values.push({ name: declared.name, value: kubectlJsonPath(object, from.jsonPath) });
      else if (from?.jqFilter !== undefined) values.push({ name: declared.name, value: jqPath(object, from.jqFilter) });
    } catch (error) {
      if (error instanceof ResourceOutputError) return { error: `output parameter "${declared.name}": ${error.message}` };
      throw error;
    }
  }
  return { values };
}

function refOfLive(object: KubernetesObject): ResourceRef {
  return { apiVersion: object.apiVersion, kind: object.kind, namespace: object.metadata.namespace, name: object.metadata.name ?? '' };
}

function describe(ref: ResourceRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

async function retried<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof KubeError) || !error.retryable || attempt >= RETRIES) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt));
    }
  }
}

function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
