import { parse } from 'yaml';
import type { PatchType, ResourceRef } from '../../../kube/kube-client.js';
import type { KubernetesObject } from '../../../spec/model/kubernetes.js';
import type { Template, Workflow } from '../../../spec/model/workflow.js';
import { kindOfResourceName, knownResourceNames } from './kubectl-resource-names.js';
import { type ConditionRequirement, parseResourceCondition, ResourceConditionError } from './resource-condition.js';

export type ResourceAction = 'create' | 'apply' | 'delete' | 'get' | 'replace' | 'patch';
const ACTIONS: readonly ResourceAction[] = ['create', 'apply', 'delete', 'get', 'replace', 'patch'];

/** What one resource step does, worked out from its template before any call is made. */
export interface ResourcePlan {
  action: ResourceAction;
  /** The manifest's object, in the run's namespace: what create, apply and replace send. */
  object?: KubernetesObject;
  /** The one object acted on by name (get, delete, patch; create and apply once the server answered). */
  target?: ResourceRef;
  /** delete with `--selector`: every object of a kind in the run's namespace with these labels. */
  selector?: { apiVersion: string; kind: string; namespace: string; labelSelector: string };
  patch?: { type: PatchType; body: unknown };
  success: ConditionRequirement[];
  failure: ConditionRequirement[];
  setOwnerReference: boolean;
  /** delete's `--cascade`. */
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
}

interface ResourceTemplate {
  action?: unknown;
  manifest?: unknown;
  manifestFrom?: unknown;
  mergeStrategy?: unknown;
  flags?: unknown;
  setOwnerReference?: unknown;
  successCondition?: unknown;
  failureCondition?: unknown;
}

interface Flags {
  positional: string[];
  selector?: string;
  propagationPolicy?: ResourcePlan['propagationPolicy'];
}

const CASCADE: Record<string, ResourcePlan['propagationPolicy']> = { background: 'Background', foreground: 'Foreground', orphan: 'Orphan', true: 'Background' };

/**
 * Reads a resource template (its `{{...}}` already substituted) into a plan for the run's
 * namespace, or says what is wrong. A manifest may name no other namespace than the run's: the
 * step runs with the controller's rights, which reach every namespace it drives, so a run of one
 * namespace must not act in another. `flags` are read as kubectl would read the few that matter
 * here (a kind and name, `--selector`, `--namespace` of the run, `--cascade`); the ones about
 * kubectl's own client-side checks (`--validate`) change nothing, since the API server checks
 * every object; any other flag is refused by name. Pure.
 *
 * @example planResource(template, 'ci') // { plan: { action: 'create', object: {...}, success: [...], ... } }
 */
export function planResource(template: Template, namespace: string): { plan: ResourcePlan } | { error: string } {
  try {
    return { plan: plan(template.resource as ResourceTemplate, namespace) };
  } catch (error) {
    if (error instanceof ResourcePlanError || error instanceof ResourceConditionError) return { error: error.message };
    throw error;
  }
}

class ResourcePlanError extends Error {}

function plan(resource: ResourceTemplate, namespace: string): ResourcePlan {
  const action = resource.action;
  if (typeof action !== 'string' || !ACTIONS.includes(action as ResourceAction))
    throw new ResourcePlanError(`resource action ${JSON.stringify(action)} is not one of ${ACTIONS.join(', ')}`);
  if (resource.manifestFrom !== undefined && resource.manifest === undefined)
    throw new ResourcePlanError('resource manifestFrom was not read here (no artifact loader): give the manifest inline');
  const flags = readFlags(resource.flags, namespace);
  const condition = (text: unknown, which: string): ConditionRequirement[] => {
    if (text === undefined || text === '') return [];
    if (typeof text !== 'string') throw new ResourcePlanError(`resource ${which} must be text`);
    return parseResourceCondition(text);
  };
  const result: ResourcePlan = {
    action: action as ResourceAction,
    success: action === 'delete' ? [] : condition(resource.successCondition, 'successCondition'),
    failure: action === 'delete' ? [] : condition(resource.failureCondition, 'failureCondition'),
    setOwnerReference: resource.setOwnerReference === true,
    ...(flags.propagationPolicy ? { propagationPolicy: flags.propagationPolicy } : {}),
  };
  const manifest = readManifest(resource.manifest);
  const named = flaggedTarget(flags, namespace);
  if (action === 'patch') {
    const type = patchType(resource.mergeStrategy);
    if (manifest === undefined) throw new ResourcePlanError('a patch needs a manifest: the patch to send');
    if (named) return { ...result, target: named, patch: { type, body: manifest } };
    if (type === 'json') throw new ResourcePlanError('a json patch names its object in flags: flags: [<kind>, <name>]');
    const object = asObject(manifest, namespace);
    return { ...result, target: refOf(object, 'patch'), patch: { type, body: manifest } };
  }
  if (action === 'delete' && flags.selector !== undefined) {
    const kind = flags.positional[0] ? resolveKind(flags.positional[0]) : manifest !== undefined ? asObject(manifest, namespace) : undefined;
    if (!kind) throw new ResourcePlanError('a delete by --selector needs a kind: flags: [<kind>, --selector, <labels>]');
    return { ...result, selector: { apiVersion: kind.apiVersion, kind: kind.kind, namespace, labelSelector: flags.selector } };
  }
  if (flags.selector !== undefined) throw new ResourcePlanError(`--selector is understood for delete only, not ${action}`);
  if (named && (action === 'create' || action === 'apply' || action === 'replace'))
    throw new ResourcePlanError(`flags name an object (${flags.positional.join(' ')}), but ${action} acts on the manifest's object: leave them out`);
  if ((action === 'delete' || action === 'get') && named && manifest === undefined) return { ...result, target: named };
  if (manifest === undefined) throw new ResourcePlanError(`resource action ${action} needs a manifest`);
  const object = asObject(manifest, namespace);
  if (action === 'create') {
    if (!object.metadata.name && !object.metadata.generateName) throw new ResourcePlanError('the manifest has neither metadata.name nor metadata.generateName');
    return { ...result, object };
  }
  if (action === 'apply' || action === 'replace') return { ...result, object, target: refOf(object, action) };
  return { ...result, target: refOf(object, action) };
}

function readManifest(manifest: unknown): unknown {
  if (manifest === undefined || manifest === '') return undefined;
  if (typeof manifest !== 'string') throw new ResourcePlanError('resource manifest must be text (YAML or JSON)');
  try {
    return parse(manifest);
  } catch (error) {
    throw new ResourcePlanError(`resource manifest is not YAML: ${(error as Error).message.split('\n')[0]}`);
  }
}

function asObject(manifest: unknown, namespace: string): KubernetesObject {
  if (!manifest || typeof manifest !== 'object' || Array.isArray(manifest)) throw new ResourcePlanError('resource manifest must be one object (a YAML map)');
  const object = structuredClone(manifest) as KubernetesObject;
  if (typeof object.apiVersion !== 'string' || typeof object.kind !== 'string' || !object.apiVersion || !object.kind)
    throw new ResourcePlanError('resource manifest needs apiVersion and kind');
  if (object.metadata !== undefined && (typeof object.metadata !== 'object' || object.metadata === null || Array.isArray(object.metadata)))
    throw new ResourcePlanError('resource manifest metadata must be a map');
  object.metadata = { ...object.metadata };
  const named = object.metadata.namespace;
  if (named !== undefined && named !== namespace)
    throw new ResourcePlanError(`resource templates act in the run's namespace "${namespace}" only; the manifest names namespace "${String(named)}"`);
  object.metadata.namespace = namespace;
  return object;
}

function refOf(object: KubernetesObject, action: string): ResourceRef {
  const name = object.metadata.name;
  if (!name) throw new ResourcePlanError(`resource action ${action} needs metadata.name in the manifest`);
  return { apiVersion: object.apiVersion, kind: object.kind, namespace: object.metadata.namespace, name };
}

function patchType(strategy: unknown): PatchType {
  if (strategy === undefined || strategy === '' || strategy === 'strategic') return 'strategic';
  if (strategy === 'merge' || strategy === 'json') return strategy;
  throw new ResourcePlanError(`resource mergeStrategy ${JSON.stringify(strategy)} is not one of strategic, merge, json`);
}

function resolveKind(name: string): { apiVersion: string; kind: string } {
  const kind = kindOfResourceName(name);
  if (!kind) throw new ResourcePlanError(`flags name the kind "${name}", which Skiff does not know; known: ${knownResourceNames().join(', ')}`);
  return kind;
}

function flaggedTarget(flags: Flags, namespace: string): ResourceRef | undefined {
  const [first, second, ...rest] = flags.positional;
  if (first === undefined) return undefined;
  if (rest.length > 0) throw new ResourcePlanError(`flags name more than one object: ${flags.positional.join(' ')}`);
  const [kindName, inlineName] = first.includes('/') ? first.split('/', 2) : [first, undefined];
  const name = inlineName ?? second;
  if (inlineName !== undefined && second !== undefined) throw new ResourcePlanError(`flags name more than one object: ${flags.positional.join(' ')}`);
  const kind = resolveKind(kindName!);
  if (name === undefined) return flags.selector !== undefined ? undefined : missingName(first);
  return { ...kind, namespace, name };
}

function missingName(kind: string): never {
  throw new ResourcePlanError(`flags name the kind "${kind}" but no object: flags: [${kind}, <name>]`);
}

function readFlags(flags: unknown, namespace: string): Flags {
  if (flags === undefined) return { positional: [] };
  if (!Array.isArray(flags) || !flags.every((f) => typeof f === 'string')) throw new ResourcePlanError('resource flags must be a list of text');
  const out: Flags = { positional: [] };
  const list = flags as string[];
  for (let i = 0; i < list.length; i++) {
    const flag = list[i]!;
    if (!flag.startsWith('-')) {
      out.positional.push(flag);
      continue;
    }
    const [name, inline] = flag.includes('=') ? [flag.slice(0, flag.indexOf('=')), flag.slice(flag.indexOf('=') + 1)] : [flag, undefined];
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = list[++i];
      if (next === undefined) throw new ResourcePlanError(`flag ${name} needs a value`);
      return next;
    };
    if (name === '--selector' || name === '-l') out.selector = value();
    else if (name === '--namespace' || name === '-n') {
      const given = value();
      if (given !== namespace)
        throw new ResourcePlanError(`resource templates act in the run's namespace "${namespace}" only; flags name namespace "${given}"`);
    } else if (name === '--cascade') {
      const policy = CASCADE[value().toLowerCase()];
      if (!policy) throw new ResourcePlanError('flag --cascade takes background, foreground or orphan');
      out.propagationPolicy = policy;
    } else if (name === '--validate' || name === '--ignore-not-found') {
      // kubectl's own client-side checks: the API server validates every object anyway, and a delete never fails on a missing object.
    } else if (name === '--wait' && inline === 'false') {
      // Skiff never waits for a deleted object's finalizers.
    } else
      throw new ResourcePlanError(
        `resource flag ${flag} is not supported on the cluster (supported: <kind> <name>, --selector, --namespace, --cascade, --validate)`,
      );
  }
  return out;
}

/**
 * Who a resource step acts as, as in Argo, where `kubectl` in the step's pod uses the pod's token:
 * the executor's service account when one is set (template, then workflow), else the pod's (the
 * template's `serviceAccountName`, then the workflow's), else the namespace's `default`.
 *
 * @example resourceStepUser(template, workflow) // 'system:serviceaccount:ci:builder'
 */
export function resourceStepUser(template: Template, workflow: Workflow, namespace: string): string {
  const executor = (of: unknown): string | undefined => {
    const name = (of as { executor?: { serviceAccountName?: unknown } } | undefined)?.executor?.serviceAccountName;
    return typeof name === 'string' && name !== '' ? name : undefined;
  };
  const account =
    executor(template) ?? executor(workflow.spec) ?? (template.serviceAccountName as string | undefined) ?? workflow.spec.serviceAccountName ?? 'default';
  return `system:serviceaccount:${namespace}:${account}`;
}
