import { parse } from 'yaml';
import { ARTIFACT_REPOSITORIES_CONFIGMAP, type ArtifactRepository, DEFAULT_ARTIFACT_REPOSITORY_ANNOTATION } from '../spec/model/artifact-repository.js';
import type { ArtifactRepositoryRef } from '../spec/model/workflow.js';
import { ArtifactError, errorMessage } from './artifact-error.js';
import type { LocalLocation } from './artifact-location.js';
import type { ConfigMapSource } from '../ports/config-map-source.js';

/** A repository as Skiff reads it: Argo's, plus the `local` directory kind. */
export type Repository = ArtifactRepository & { local?: LocalLocation };

/** Where the repository came from, for messages and for the workflow's status. */
/** Where a run's repository came from; `recorded` is a run's status.artifactRepositoryRef, reused when it continues. */
export type RepositorySource = 'workflow-ref' | 'namespace-configmap' | 'controller-default' | 'skiff-default' | 'recorded';

/**
 * Argo's `status.artifactRepositoryRef`: the fully resolved reference, recorded once so that a
 * later change of the ConfigMap's default-key annotation does not move a running workflow.
 */
export interface ArtifactRepositoryRefStatus {
  namespace?: string;
  configMap?: string;
  key?: string;
  default?: boolean;
  artifactRepository?: Repository;
}

export interface ResolvedRepository {
  repository: Repository;
  source: RepositorySource;
  ref: ArtifactRepositoryRefStatus;
  /** e.g. `ConfigMap argo/artifact-repositories key "minio"`, `Skiff's local default`. */
  description: string;
}

export interface ResolveRepositoryOptions {
  configMaps: ConfigMapSource;
  workflowNamespace: string;
  /** The controller's own namespace: Argo also looks for a referenced ConfigMap there. */
  controllerNamespace?: string;
  /** The controller's configured `artifactRepository`. */
  controllerDefault?: Repository;
  /** Skiff's embedded default (a directory under the state directory), used when nothing else is. */
  localDefault?: Repository;
}

/**
 * Finds a workflow's artifact repository by Argo's rule (workflow/artifactrepositories):
 * 1. `spec.artifactRepositoryRef`: ConfigMap `configMap` (default `artifact-repositories`) in the
 *    workflow's namespace, then in the controller's; key `key`, else the ConfigMap's
 *    `workflows.argoproj.io/default-artifact-repository` annotation. A ref that finds nothing is an
 *    error (it does not fall back).
 * 2. Without a ref: ConfigMap `artifact-repositories` of the workflow's namespace with its
 *    annotated default key, if both exist;
 * 3. the controller's default; 4. Skiff's local default (where Argo would fail).
 * A ConfigMap entry that is not valid YAML of a repository is an error, never skipped.
 *
 * @example
 *   await resolveArtifactRepository(undefined, { configMaps, workflowNamespace: 'argo', localDefault: { local: { root: '/state/artifacts' } } });
 *   // { source: 'namespace-configmap', ref: { namespace: 'argo', configMap: 'artifact-repositories', key: 'minio' }, ... }
 */
export async function resolveArtifactRepository(ref: ArtifactRepositoryRef | undefined, options: ResolveRepositoryOptions): Promise<ResolvedRepository> {
  const misses: string[] = [];
  if (ref) {
    const configMap = ref.configMap || ARTIFACT_REPOSITORIES_CONFIGMAP;
    const namespaces = [options.workflowNamespace];
    if (options.controllerNamespace && options.controllerNamespace !== options.workflowNamespace) namespaces.push(options.controllerNamespace);
    for (const namespace of namespaces) {
      const found = await fromConfigMap(options.configMaps, namespace, configMap, ref.key, misses);
      if (found) return { ...found, source: 'workflow-ref' };
    }
    throw new ArtifactError(
      'config',
      `artifactRepositoryRef ${JSON.stringify({ configMap, ...(ref.key ? { key: ref.key } : {}) })} found no artifact repository: ${misses.join('; ')}`,
    );
  }
  const found = await fromConfigMap(options.configMaps, options.workflowNamespace, ARTIFACT_REPOSITORIES_CONFIGMAP, undefined, misses);
  if (found) return { ...found, source: 'namespace-configmap' };
  if (options.controllerDefault) {
    return {
      repository: options.controllerDefault,
      source: 'controller-default',
      ref: { default: true, artifactRepository: options.controllerDefault },
      description: "the controller's default artifact repository",
    };
  }
  if (options.localDefault) {
    return {
      repository: options.localDefault,
      source: 'skiff-default',
      ref: { default: true, artifactRepository: options.localDefault },
      description: "Skiff's local default artifact repository",
    };
  }
  throw new ArtifactError(
    'config',
    `no artifact repository is configured (${misses.join('; ')}, and there is no default): You need to configure artifact storage: ` +
      `create ConfigMap ${ARTIFACT_REPOSITORIES_CONFIGMAP} in namespace "${options.workflowNamespace}" with a repository under a key ` +
      `(e.g. "default-v1: {s3: {bucket: ..., endpoint: ...}}") and the annotation ${DEFAULT_ARTIFACT_REPOSITORY_ANNOTATION}: <that key>, ` +
      `or give the workflow an artifactRepositoryRef`,
  );
}

async function fromConfigMap(
  source: ConfigMapSource,
  namespace: string,
  name: string,
  key: string | undefined,
  misses: string[],
): Promise<Omit<ResolvedRepository, 'source'> | undefined> {
  const configMap = await source.get(namespace, name);
  if (!configMap) {
    misses.push(`no ConfigMap ${namespace}/${name}`);
    return undefined;
  }
  const annotated = configMap.metadata.annotations?.[DEFAULT_ARTIFACT_REPOSITORY_ANNOTATION];
  const chosen = key || annotated || '';
  if (!chosen) {
    misses.push(`ConfigMap ${namespace}/${name} names no key and has no ${DEFAULT_ARTIFACT_REPOSITORY_ANNOTATION} annotation`);
    return undefined;
  }
  const value = configMap.data?.[chosen];
  if (value === undefined) {
    misses.push(`ConfigMap ${namespace}/${name} has no key ${JSON.stringify(chosen)}${key ? '' : ' (named by its default-artifact-repository annotation)'}`);
    return undefined;
  }
  const repository = parseRepository(value, `ConfigMap ${namespace}/${name} key ${JSON.stringify(chosen)}`);
  return {
    repository,
    ref: { namespace, configMap: name, key: chosen, artifactRepository: repository },
    description: `ConfigMap ${namespace}/${name} key ${JSON.stringify(chosen)}`,
  };
}

const STORAGE_FIELDS = ['s3', 'local', 'gcs', 'oss', 'azure', 'hdfs', 'artifactory', 'plugin'];

/** Reads one entry of an artifact-repositories ConfigMap; says where and why when it cannot. */
export function parseRepository(text: string, where: string): Repository {
  let value: unknown;
  try {
    value = parse(text);
  } catch (err) {
    throw new ArtifactError('config', `${where} is not valid YAML: ${errorMessage(err).split('\n')[0]}`, { cause: err });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ArtifactError('config', `${where} is not an artifact repository (expected a map such as "s3: {bucket: ...}")`);
  }
  const record = value as Record<string, unknown>;
  for (const field of STORAGE_FIELDS) {
    const storage = record[field];
    if (storage != null && (typeof storage !== 'object' || Array.isArray(storage))) {
      throw new ArtifactError('config', `${where}: ${field} must be a map`);
    }
  }
  if (!STORAGE_FIELDS.some((field) => record[field] != null)) {
    throw new ArtifactError('config', `${where} configures no storage (expected one of ${STORAGE_FIELDS.join(', ')})`);
  }
  return record as Repository;
}
