import { createArtifactDriver, type SecretSource } from '../../artifacts/index.js';
import type { PodRequest } from '../../engine/engine-events.js';
import type { RuntimeEvent } from '../../ports/runtime.js';
import type { RunRepositories } from '../../runs/run-repositories.js';
import type { Template, Workflow } from '../../spec/model/workflow.js';
import { type HttpClient, nodeHttpClient } from '../local/http-client.js';
import { runHttpTemplate } from '../local/run-http-template.js';
import { manifestFromArtifact } from './resource-template/manifest-from-artifact.js';
import type { ResourceStepClients } from './resource-template/resource-step-clients.js';
import { runResourceStep } from './resource-template/run-resource-step.js';
import { runDataTemplate } from './run-data-template.js';

/** What the steps Skiff runs itself need from the cluster runtime. */
export interface PodlessContext {
  secrets: SecretSource;
  repositories: RunRepositories;
  resourceClients: ResourceStepClients;
  httpClient?: HttpClient;
  resourcePollMs?: number;
  warn?(message: string): void;
}

/** http, resource and data templates: the cluster runtime runs them itself, with no pod. */
export function isPodless(template: Template): boolean {
  return template.http !== undefined || template.resource !== undefined || template.data !== undefined;
}

/**
 * Runs a podless step to its end: an http request sent by Skiff, a resource acted on by the
 * controller (run-resource-step.ts says why not in a pod), a data source listed and transformed
 * (run-data-template.ts). Undefined when `signal` ended a resource step before it decided.
 */
export async function runPodlessStep(request: PodRequest, workflow: Workflow, context: PodlessContext, signal: AbortSignal): Promise<RuntimeEvent | undefined> {
  const { template } = request;
  if (template.http)
    return runHttpTemplate(request, {
      client: context.httpClient ?? nodeHttpClient,
      secrets: context.secrets,
      namespace: workflow.metadata.namespace ?? 'default',
      signal,
    });
  if (template.resource) {
    const client = context.resourceClients.for(template, workflow, request.workflowNamespace);
    if (typeof client === 'string') return { type: 'pod-finished', nodeId: request.nodeId, exitCode: 1, message: client };
    return runResourceStep(request, {
      client,
      workflow,
      pollMs: context.resourcePollMs ?? 2000,
      signal,
      manifestFrom: (asked) =>
        manifestFromArtifact(asked, {
          secrets: context.secrets,
          namespace: asked.workflowNamespace,
          archiveLocation: () => context.repositories.archiveLocation(workflow, asked),
        }),
      ...(context.warn ? { warn: context.warn } : {}),
    });
  }
  const driver = createArtifactDriver({ secrets: context.secrets, namespace: request.workflowNamespace });
  try {
    return await runDataTemplate(request, { driver, archive: () => context.repositories.archiveLocation(workflow, request) });
  } finally {
    driver.close();
  }
}
