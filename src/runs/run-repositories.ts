import {
  archiveLocation,
  type ConfigMapSource,
  hasFullLocation,
  type Repository,
  resolveArtifactRepository,
  type ResolvedRepository,
  type StorageLocation,
} from '../artifacts/index.js';
import type { PodRequest } from '../engine/engine-events.js';
import type { ArtifactRepositoryRefStatus } from '../engine/workflow-status.js';
import type { Workflow } from '../spec/model/workflow.js';
import { runKeyOf, type RunKey } from '../ports/run-key.js';

/**
 * The key of the embedded local default repository: Argo's default (`{{workflow.name}}/{{pod.name}}`)
 * with the namespace first, so two runs of one name in two namespaces never overwrite each
 * other's artifacts in the one state directory. A repository a person configures keeps Argo's
 * rules (and Argo's default has that collision).
 */
export const LOCAL_DEFAULT_KEY_FORMAT = '{{workflow.namespace}}/{{workflow.name}}/{{pod.name}}';

/** The embedded local default artifact repository of a state directory's `artifacts/`. */
export function embeddedLocalDefault(root: string): Repository {
  return { local: { root, keyFormat: LOCAL_DEFAULT_KEY_FORMAT } };
}

export interface RunRepositoriesOptions {
  configMaps: ConfigMapSource;
  controllerDefault?: Repository;
  localDefault?: Repository;
  /**
   * The repository a run recorded in its status (status.artifactRepositoryRef), if it has one: a
   * run continued after a restart keeps it even if the ConfigMaps changed since.
   */
  recordedOf?: (key: RunKey) => Promise<ArtifactRepositoryRefStatus | undefined>;
}

/**
 * Each run's artifact repository, resolved once per run by Argo's rule (workflow ref > namespace
 * `artifact-repositories` ConfigMap > controller default > Skiff's local directory repository)
 * and kept, as Argo records it in status, so a ConfigMap changed mid-run does not move it; a run
 * that continues after a restart takes the one its status recorded.
 */
export class RunRepositories {
  private readonly resolved = new Map<RunKey, Promise<ResolvedRepository>>();

  constructor(private readonly options: RunRepositoriesOptions) {}

  repository(workflow: Workflow): Promise<ResolvedRepository> {
    const runId = runKeyOf(workflow);
    let found = this.resolved.get(runId);
    if (!found) {
      found = (async (): Promise<ResolvedRepository> => {
        const recorded = await this.options.recordedOf?.(runId);
        if (recorded?.artifactRepository) {
          return {
            repository: recorded.artifactRepository as Repository,
            source: 'recorded',
            ref: recorded,
            description: "the repository recorded in the run's status",
          };
        }
        return resolveArtifactRepository(workflow.spec.artifactRepositoryRef, {
          configMaps: this.options.configMaps,
          workflowNamespace: workflow.metadata.namespace ?? 'default',
          ...(this.options.controllerDefault ? { controllerDefault: this.options.controllerDefault } : {}),
          localDefault: this.options.localDefault,
        });
      })();
      found.catch(() => this.resolved.delete(runId));
      this.resolved.set(runId, found);
    }
    return found;
  }

  /** The pod's archive location: the template's own when complete, else the repository's with this pod's key. */
  async archiveLocation(workflow: Workflow, request: PodRequest): Promise<StorageLocation> {
    const own = request.template.archiveLocation as StorageLocation | undefined;
    if (own && hasFullLocation(own)) return own;
    const { repository } = await this.repository(workflow);
    const created = workflow.metadata.creationTimestamp ? new Date(String(workflow.metadata.creationTimestamp)) : new Date();
    const vars: Record<string, string> = {
      'workflow.name': request.workflowName,
      'workflow.namespace': workflow.metadata.namespace ?? 'default',
      'workflow.uid': workflow.metadata.uid ?? '',
      'pod.name': request.podName,
      'workflow.creationTimestamp.Y': String(created.getUTCFullYear()),
      'workflow.creationTimestamp.m': String(created.getUTCMonth() + 1).padStart(2, '0'),
      'workflow.creationTimestamp.d': String(created.getUTCDate()).padStart(2, '0'),
      'workflow.creationTimestamp.H': String(created.getUTCHours()).padStart(2, '0'),
      'workflow.creationTimestamp.M': String(created.getUTCMinutes()).padStart(2, '0'),
      'workflow.creationTimestamp.S': String(created.getUTCSeconds()).padStart(2, '0'),
    };
    return archiveLocation(repository, (name) => vars[name]);
  }

  forget(runId: RunKey): void {
    this.resolved.delete(runId);
  }
}
